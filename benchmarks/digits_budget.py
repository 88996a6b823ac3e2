"""Each unconditional model on the embedded digits for a fixed wall-clock budget.

    python benchmarks/digits_budget.py [--models dcgan,vanilla,wgan,wgan_gp] [--seconds 150]

Trains the default config epoch by epoch until the budget is spent, then writes a sample grid
(64 samples, fixed noise) and judges 1,000 samples with ganzoo.classifiers' digit CNN (trained on
the real train digits): the share classified with probability >= 0.9 ("confident"), and how many
of the 10 digits receive at least 2 % of the samples ("digits covered"). These are stand-ins
until Inception Score and FID exist. Writes results/digits_budget.json and digits_<model>.png.
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
    p.add_argument("--models", default="dcgan,vanilla,wgan,wgan_gp")
    p.add_argument("--seconds", type=float, default=150)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    judge, judge_accuracy = ganzoo.classifiers.train_digit_classifier()
    rows = []
    for name in args.models.split(","):
        gan = ganzoo.build(name, seed=0, **common.paper_settings(name))
        data = ganzoo.datasets.load("digits", seed=0)
        start, epochs = time.perf_counter(), 0
        while time.perf_counter() - start < args.seconds:
            gan.fit(data, epochs=1, verbose=0)
            epochs += 1
        seconds = time.perf_counter() - start
        samples = gan.generate(1000, seed=1)
        logits = judge.predict(samples, verbose=0)
        probs = np.exp(logits - logits.max(1, keepdims=True))
        probs /= probs.sum(1, keepdims=True)
        share = np.bincount(probs.argmax(1), minlength=10) / len(probs)
        row = {"model": name, "epochs": epochs, "seconds": round(seconds, 1),
               "generator_steps": int(gan.g_optimizer.iterations),
               "confident": round(float((probs.max(1) >= 0.9).mean()), 3),
               "digits_covered": int((share >= 0.02).sum()),
               "judge_test_accuracy": round(judge_accuracy, 3)}
        rows.append(row)
        print(json.dumps(row), flush=True)
        images.save_grid(gan.generate(64, seed=0), os.path.join(args.out, f"digits_{name}.png"),
                         scale=2)
    common.write_results(args.out, to_result({"seconds_budget": args.seconds, "runs": rows},
                                             common.command(), common.machine()))


def to_result(raw, command, machine, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout."""
    return results.make(
        "digits_budget", f"Embedded digits, {raw['seconds_budget']:.0f} s budget",
        "Default config trained on the embedded digits for a fixed wall-clock budget; of 1,000 "
        "samples, the share a digit CNN classifies with probability >= 0.9, and how many of "
        "the 10 digits get at least 2 % of the samples.",
        {"epochs": "epochs", "generator_steps": "generator steps", "seconds": "wall time (s)",
         "confident": "confidently a digit", "digits_covered": "digits covered (of 10)",
         "judge_test_accuracy": "judge accuracy on real test digits"},
        raw["runs"], command, machine, date,
        formats={"confident": "{:.1%}", "judge_test_accuracy": "{:.1%}"},
        images={r["model"]: f"digits_{r['model']}.png" for r in raw["runs"]},
        extra={"seconds_budget": raw["seconds_budget"]},
        judge=common.judge_protocol("digit CNN trained by the script on the embedded train "
                                    "digits", 1000))


if __name__ == "__main__":
    main()
