#!/usr/bin/env python
"""Export a trained ganzoo generator to SavedModel or TFLite, verified against Keras.

    python tools/export_generator.py runs/demo --format tflite --out dcgan.tflite \\
        [--quantize float16|dynamic|int8] [--output uint8] [--force]

The same code as `ganzoo export` (ganzoo.export.export_generator); this script only parses
arguments. It writes the artifact and `<out>.json` (metadata and verification numbers), and
refuses to overwrite without --force.
"""

import argparse
import sys


def main(argv=None):
    from ganzoo import export

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    export.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return export.run_from_args(args)
    except (ValueError, FileExistsError, FileNotFoundError, PermissionError) as e:
        print(f"export_generator: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
