"""How often cGAN samples are the digit they were asked for, per discriminator head.

    python benchmarks/cgan_digits.py [--heads label_input,acgan,c_plus_1] [--epochs 6]

Trains ``cgan`` (defaults, one head at a time) on the embedded digits and, after every epoch,
judges 500 samples (50 per class) with a small CNN trained on the real train digits (its
accuracy on the real test digits is reported too). Writes results/cgan_digits.json and the
final class-row grid per head.
"""

import argparse
import json
import os
import time

import numpy as np

import ganzoo
from ganzoo import images, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--heads", default="label_input,acgan,c_plus_1")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    judge, judge_accuracy = ganzoo.classifiers.train_digit_classifier()
    print(f"judge accuracy on real test digits: {judge_accuracy:.3f}")
    labels = np.repeat(np.arange(10), 50)
    raw = {"judge_test_accuracy": judge_accuracy, "heads": {}}
    for head in args.heads.split(","):
        gan = ganzoo.build("cgan", seed=0, conditioning={"head": head})
        data = ganzoo.datasets.load("digits", seed=0)
        curve, start = [], time.perf_counter()
        for epoch in range(args.epochs):
            gan.fit(data, epochs=1, verbose=0)
            seconds = time.perf_counter() - start
            pred = np.argmax(judge.predict(gan.generate(labels=labels, seed=1), verbose=0), 1)
            curve.append({"epoch": epoch + 1, "seconds": round(seconds, 1),
                          "accuracy": round(float((pred == labels).mean()), 3)})
            print(head, json.dumps(curve[-1]), flush=True)
        raw["heads"][head] = curve
        grid_labels = np.repeat(np.arange(10), 8)
        images.save_grid(gan.generate(labels=grid_labels, seed=0),
                         os.path.join(args.out, f"cgan_{head}.png"), ncols=8, scale=2)
    common.write_results(args.out, to_result(raw, common.command(), common.machine()))


def to_result(raw, command, machine, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout: one row per head (its
    last epoch); the per-epoch curves stay in ``extra``."""
    rows = [{"model": "cgan", "head": head, "epochs": curve[-1]["epoch"],
             "seconds": curve[-1]["seconds"], "accuracy": curve[-1]["accuracy"]}
            for head, curve in raw["heads"].items()]
    return results.make(
        "cgan_digits", "Embedded digits, per discriminator head",
        "cgan (default config, one `conditioning.head` at a time) on the 4,500 embedded training "
        "digits; 500 samples (50 per class) judged by a CNN trained on the real train digits "
        f"({raw['judge_test_accuracy']:.1%} accuracy on the real test digits).",
        {"head": "head", "epochs": "epochs", "seconds": "wall time (s)",
         "accuracy": "samples judged the requested digit"},
        rows, command, machine, date, formats={"accuracy": "{:.1%}", "head": "`{}`"},
        images={"cgan": "cgan_label_input.png"},
        extra={"judge_test_accuracy": raw["judge_test_accuracy"], "curves": raw["heads"]},
        judge=common.judge_protocol("digit CNN trained by the script on the embedded train "
                                    "digits", 500))


if __name__ == "__main__":
    main()
