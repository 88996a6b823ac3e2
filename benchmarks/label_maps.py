"""Training speed of conditional critics with the label maps joined, against ganzoo.layers.Conv2D.

    python benchmarks/label_maps.py [--rows dcgan:mnist,wgan:mnist,wgan_gp:mnist,cgan]
                                    [--rounds 3] [--steps 60] [--images 4096]

A discriminator that sees a label (cGAN's ``label_input``, self-conditioning's clusters) reads
the image joined with K constant one-hot maps. ``ganzoo.layers.Conv2D`` computes the same first
convolution without building them (same kernel, same outputs). Each row builds its model twice
from the same config: once as ganzoo built it before (the maps joined, Keras' ``Conv2D``) and
once as today, and times ``fit`` on 28x28 grey images (random pixels: the clusters are learned
from them, so the work per step is the real one), the two interleaved round by round in one
process after a warm-up round; the median of the rounds is reported. Images per second count the
real images of D updates (the unit of an epoch). Writes ``results/label_maps.json``.
"""

import argparse
import contextlib
import os
import statistics

import numpy as np

import ganzoo
from ganzoo import blocks, nets, results

import common
from train_throughput import time_fit

HERE = os.path.dirname(os.path.abspath(__file__))

#: row -> (model, config preset or None, overrides): the shipped MNIST configs that condition D
ROWS = {"dcgan:mnist": ("dcgan", "mnist", {}), "wgan:mnist": ("wgan", "mnist", {}),
        "wgan_gp:mnist": ("wgan_gp", "mnist", {}), "cgan": ("cgan", None, {})}


@contextlib.contextmanager
def joined_maps():
    """Build discriminators as ganzoo did before ``ganzoo.layers.Conv2D``: K label maps joined
    to the image, read by Keras' ``Conv2D``."""
    today = nets.first_conv

    def first_conv(x, conv, spectral_norm=False):
        return today(blocks.join_label_maps(*x) if isinstance(x, tuple) else x, conv,
                     spectral_norm)

    nets.first_conv = first_conv
    try:
        yield
    finally:
        nets.first_conv = today


def build(row, joined, **overrides):
    model, config, extra = ROWS[row]
    with joined_maps() if joined else contextlib.nullcontext():
        gan = ganzoo.build(model, config=config, seed=0, **extra, **overrides)
    first = gan.discriminator.get_layer("down1")
    assert (first.kernel.shape[2] > 1) and (joined != hasattr(first, "num_classes")), row
    return gan


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", default=",".join(ROWS))
    p.add_argument("--rounds", type=int, default=3, help="timed rounds after the warm-up")
    p.add_argument("--steps", type=int, default=60, help="fit steps per timed segment")
    p.add_argument("--images", type=int, default=4096)
    p.add_argument("--filters", type=int, default=None, help="smaller networks (smoke runs)")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    rows = args.rows.split(",")
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        raise SystemExit(f"--rows: unknown {', '.join(unknown)}; choose from {', '.join(ROWS)}")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (args.images, 28, 28, 1), dtype=np.uint8)
    y = rng.integers(0, 10, args.images).astype(np.int32)
    small = {} if args.filters is None else {"generator": {"filters": args.filters},
                                             "discriminator": {"filters": args.filters}}
    models = {(r, j): build(r, j, **small) for r in rows for j in (True, False)}
    rates = {key: [] for key in models}
    for round_ in range(args.rounds + 1):           # round 0 warms up (traces, clusters)
        for key, gan in models.items():
            data = (x, y) if ROWS[key[0]][0] == "cgan" else x
            rate = time_fit(gan, data, args.steps, gan.config["training"]["batch_size"])
            if round_:
                rates[key].append(rate)
            print(f"round {round_} {key[0]} {'joined' if key[1] else 'today'}: "
                  f"{rate:.0f} images/s", flush=True)
    table = []
    for r in rows:
        before, today = (statistics.median(rates[(r, j)] or [0]) for j in (True, False))
        gan = models[(r, False)]
        table.append({"model": ROWS[r][0], "config": ROWS[r][1] or "default",
                      "label_classes": int(gan.discriminator.get_layer("down1").num_classes),
                      "batch": gan.config["training"]["batch_size"],
                      "joined_images_per_s": round(before, 1), "images_per_s": round(today, 1),
                      "speedup": round(today / before, 3) if before else None})
        print(table[-1], flush=True)
    result = results.make(
        "label_maps", "Conditional critics: label maps joined against ganzoo.layers.Conv2D",
        __doc__.split("\n\n")[2].replace("\n", " "),
        {"config": "config", "label_classes": "K", "batch": "batch",
         "joined_images_per_s": "images/s, maps joined", "images_per_s": "images/s, today",
         "speedup": "today / joined"},
        table, common.command(), common.machine(), section="reference",
        extra={"rounds": args.rounds, "steps": args.steps, "filters": args.filters})
    common.write_results(args.out, result)
    print("wrote", os.path.join(args.out, "label_maps.json"))


if __name__ == "__main__":
    main()
