#!/usr/bin/env python
"""Write docs/model_cards/<name>.md for every model and judge, and docs/gallery.md (or --check).

    python tools/make_model_cards.py            # regenerate
    python tools/make_model_cards.py --check    # exit 1 if a committed card is stale

Cards come from ganzoo.cards.render: the registry, the built default models, each model's
config_schema, zoo_configs/ and the JSON results in benchmarks/results/. It also writes
docs/config_keys.md, the table of every model's config keys. Rerun it after changing any of those.
"""

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_preset_readmes():
    """Each built-in preset's ``README.md`` again from its ``metadata.json`` (the card's text
    follows the code; the measurements do not change)."""
    from ganzoo import files, presets, registry

    written = []
    for row in presets.list_presets():
        preset = presets.Preset(os.path.join(presets.BUILTIN_DIR, row["name"]))
        notes = registry.get_class(preset.metadata["model"]).preset_notes(preset.config)
        path = os.path.join(preset.path, presets.CARD)
        with files.atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
            f.write(presets.card(preset.metadata, row["name"], notes=notes))
        written.append(path)
    return written


def main(argv=None):
    import ganzoo  # noqa: F401  (registers the models)
    from ganzoo import cards

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "model_cards"))
    p.add_argument("--check", action="store_true", help="compare instead of writing")
    p.add_argument("--keys", default=os.path.join(ROOT, "docs", "config_keys.md"),
                   help="where the generated table of every model's config keys goes")
    args = p.parse_args(argv)
    if not args.check:
        for path in cards.write_all(args.out):
            print(f"wrote {os.path.relpath(path, ROOT)}")
        gallery = os.path.join(os.path.dirname(os.path.abspath(args.out)), "gallery.md")
        with open(gallery, "w", encoding="utf-8") as f:
            f.write(cards.render_gallery())
        print(f"wrote {os.path.relpath(gallery, ROOT)}")
        tmp = args.keys + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(cards.config_reference())
        os.replace(tmp, args.keys)
        print(f"wrote {os.path.relpath(args.keys, ROOT)}")
        for path in write_preset_readmes():
            print(f"wrote {os.path.relpath(path, ROOT)}")
        return 0
    stale = []
    current = open(args.keys, encoding="utf-8").read() if os.path.isfile(args.keys) else None
    if current != cards.config_reference():
        stale.append(os.path.basename(args.keys))
    gallery = os.path.join(os.path.dirname(os.path.abspath(args.out)), "gallery.md")
    current = open(gallery, encoding="utf-8").read() if os.path.isfile(gallery) else None
    if current != cards.render_gallery():
        stale.append("gallery.md")
    for name, text in cards.all_cards():
        path = os.path.join(args.out, f"{name}.md")
        current = open(path, encoding="utf-8").read() if os.path.isfile(path) else None
        if current != text:
            stale.append(name)
    if stale:
        print(f"stale model cards: {', '.join(stale)}; run python tools/make_model_cards.py",
              file=sys.stderr)
        return 1
    print("model cards are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
