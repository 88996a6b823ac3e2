#!/usr/bin/env python
"""Generate a PNG grid from an exported ganzoo .tflite, with no TensorFlow.

    python tools/tflite_generate.py dcgan.tflite --n 64 --seed 0 --out grid.png [--label 7]

Needs only numpy, Pillow and ai-edge-litert: this is the code a mobile developer ports.
It reads the metadata written beside the model (`dcgan.tflite.json`) for the latent size,
the latent distribution, the number of classes and the output range.
"""

import argparse
import json
import math
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter
from PIL import Image


def generate(model_path, n, seed=0, label=None):
    """Run the model's `generate` signature; returns uint8 images (n, H, W, C)."""
    with open(model_path + ".json", encoding="utf-8") as f:
        meta = json.load(f)
    rng = np.random.default_rng(seed)
    z_spec = meta["inputs"][0]
    shape = (n, meta["latent_dim"])
    if z_spec["distribution"] == "uniform":
        z = rng.uniform(-1.0, 1.0, shape).astype(np.float32)
    else:
        z = rng.standard_normal(shape).astype(np.float32)
    feeds = {"z": z}
    if meta["num_classes"]:
        labels = np.arange(n) % meta["num_classes"] if label is None else np.full(n, label)
        feeds["label"] = labels.astype(np.int32)
    runner = Interpreter(model_path=model_path).get_signature_runner("generate")
    images = next(iter(runner(**feeds).values()))
    if images.dtype != np.uint8:  # float output in [-1, 1]; same formula as the uint8 graphs
        images = np.clip(images * np.float32(127.5) + np.float32(128.0), 0, 255).astype(np.uint8)
    return images


def grid(images, pad=2):
    n, h, w, c = images.shape
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, c), 255, np.uint8)
    for i, img in enumerate(images):
        r, q = divmod(i, cols)
        y, x = pad + r * (h + pad), pad + q * (w + pad)
        out[y:y + h, x:x + w] = img
    return out[..., 0] if c == 1 else out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", help="an exported .tflite (with its .json beside it)")
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--label", type=int, default=None, help="class for conditional models")
    p.add_argument("--out", default="grid.png")
    args = p.parse_args(argv)
    Image.fromarray(grid(generate(args.model, args.n, args.seed, args.label))).save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
