"""pix2pix on facades against an L1-only U-Net, and CycleGAN on horse2zebra, for fixed budgets.

    python benchmarks/translation.py [--seconds 300] [--filters 32]

Reads ``facades_128.npz`` and ``horse2zebra_64.npz`` from ``$GANZOO_DATA_DIR`` (default
``../shared/data``). pix2pix translates label maps to photos (b -> a, the paper's direction for
facades) at 128 px; the L1-only U-Net is the same config with ``loss.gan_weight: 0`` (the paper's
"L1 alone", §4.2). Both train for ``--seconds`` with batch 1 and the same seed; the script
reports test L1 and PSNR over the 106 test pairs (and FID when InceptionV3 weights are available
through ``$GANZOO_INCEPTION_WEIGHTS``). CycleGAN trains on horse2zebra (64 px) for the same
budget and writes a grid. Networks use ``--filters`` (the papers' 64 is ~4x slower on CPU).
Writes results/translation.json and PNGs.
"""

import argparse
import json
import os
import time

import numpy as np

import ganzoo
from ganzoo import datasets, images, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def train_for(gan, data, seconds):
    start, epochs = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        gan.fit(data, epochs=1, verbose=0)
        epochs += 1
    return epochs, round(time.perf_counter() - start, 1)


def psnr(a, b):
    mse = np.mean(((a + 1) / 2 - (b + 1) / 2) ** 2, axis=(1, 2, 3))
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-10))))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=300)
    p.add_argument("--filters", type=int, default=32)
    p.add_argument("--limit", type=int, default=None, help="train images (smoke runs)")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    facades = datasets.shared_data_file("facades_128.npz")
    result = {"machine": common.machine(),
              "seconds_budget": args.seconds, "filters": args.filters,
              "command": f"python benchmarks/translation.py --seconds {args.seconds:g} "
                         f"--filters {args.filters}", "pix2pix_facades": {}}
    labels_test, photos_test = datasets.read_pairs(facades, "test")[::-1]
    panels = {}
    for label, gan_weight in (("pix2pix", 1.0), ("l1_only", 0.0)):
        gan = ganzoo.build("pix2pix", image_shape=(128, 128, 3), direction="b2a", seed=0,
                           generator={"filters": args.filters},
                           discriminator={"filters": args.filters}, loss={"gan_weight": gan_weight})
        data = datasets.load_paired(facades, direction="b2a", seed=0)
        if args.limit:
            data = data.take(args.limit)
        epochs, seconds = train_for(gan, data, args.seconds)
        out = gan.translate(labels_test)
        target = gan.as_float(photos_test)
        row = {"epochs": epochs, "steps": gan.train_steps, "seconds": seconds,
               "test_l1": round(float(np.abs(out - target).mean()), 4),
               "test_psnr_db": round(psnr(out, target), 2), "fid": None}
        try:
            row["fid"] = round(ganzoo.metrics.fid(out, target), 2)
        except ganzoo.classifiers.ClassifierError as e:
            row["fid_note"] = str(e).split(":")[0]
        result["pix2pix_facades"][label] = row
        print(label, json.dumps(row), flush=True)
        panels[label] = out[:4]
    rows = []
    for i in range(min(4, len(labels_test))):
        rows += [gan.as_float(labels_test[i:i + 1])[0], panels["l1_only"][i], panels["pix2pix"][i],
                 gan.as_float(photos_test[i:i + 1])[0]]
    images.save_grid(np.stack(rows), os.path.join(args.out, "facades.png"), ncols=4, scale=2)

    h2z = datasets.shared_data_file("horse2zebra_64.npz")
    gan = ganzoo.build("cyclegan", data_shape=(64, 64, 3), seed=0,
                       generator={"filters": args.filters}, discriminator={"filters": args.filters})
    data = datasets.load_unpaired(h2z, seed=0)
    if args.limit:
        data = data.take(args.limit)
    epochs, seconds = train_for(gan, data, args.seconds)
    horses, zebras = datasets.read_unpaired(h2z, "test")
    panel, ncols = gan.sample_panel(horses[:4], zebras[:4])
    images.save_grid(panel, os.path.join(args.out, "horse2zebra.png"), ncols=ncols, scale=2)
    a = gan.as_float(horses)
    result["cyclegan_horse2zebra"] = {
        "epochs": epochs, "steps": gan.train_steps, "seconds": seconds,
        "test_cycle_l1_a": round(float(np.abs(
            gan.translate(gan.translate(a), direction="b2a") - a).mean()), 4)}
    print("cyclegan", json.dumps(result["cyclegan_horse2zebra"]), flush=True)
    common.write_results(args.out, to_result(result))


def to_result(raw, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout: a row per pix2pix
    setting on facades and one for CycleGAN on horse2zebra."""
    names = {"pix2pix": "facades: pix2pix (cGAN + L1)", "l1_only": "facades: L1 only (same U-Net)"}
    rows = [{"model": "pix2pix", "setting": names[k], **v}
            for k, v in raw["pix2pix_facades"].items()]
    rows.append({"model": "cyclegan", "setting": "horse2zebra",
                 **raw["cyclegan_horse2zebra"]})
    return results.make(
        "translation", "Real data: facades and horse2zebra",
        f"pix2pix on facades (label map -> photo, 128 px, 400 training pairs, 106 test pairs) "
        f"and CycleGAN on horse2zebra (64 px, 1,067 horses, 1,334 zebras); {raw['filters']} "
        f"filters instead of 64, batch 1, seed 0, {raw['seconds_budget']:g} s each. FID needs "
        "InceptionV3's ImageNet weights, which the offline machine lacks. Facades columns: "
        "label map, L1 only, pix2pix, real photo; horse2zebra rows: horse -> zebra -> horse, "
        "then zebra -> horse -> zebra.",
        {"setting": "run", "epochs": "epochs", "steps": "steps", "seconds": "seconds",
         "test_l1": "test L1", "test_psnr_db": "test PSNR (dB)",
         "test_cycle_l1_a": "test cycle L1 |F(G(a)) - a|"},
        rows, raw["command"], raw["machine"], date,
        formats={"test_l1": "{:.4f}", "test_psnr_db": "{:.2f}", "test_cycle_l1_a": "{:.4f}",
                 "seconds": "{:.0f}"},
        images={"pix2pix": "facades.png", "cyclegan": "horse2zebra.png"},
        extra={"seconds_budget": raw["seconds_budget"], "filters": raw["filters"]})


if __name__ == "__main__":
    main()
