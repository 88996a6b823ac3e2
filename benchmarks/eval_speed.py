"""How long IS + FID of 10,000 28x28 images take with the shipped MNIST classifier.

    python benchmarks/eval_speed.py [--n 10000] [--repeats 5]

Times, from raw uint8 images: the Inception Score of ``n`` images, and the FID between them and
``n`` other images (both feature passes included), over several repeats after one warm-up; also
the parts (classifier pass, statistics + matrix square root). Images are the embedded digits
tiled to ``n`` (speed does not depend on content). Writes results/eval_speed.json.
"""

import argparse
import os
import time

import numpy as np

import ganzoo
from ganzoo import classifiers, metrics, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    digits, _ = ganzoo.datasets.load_digits("all")
    reps = -(-args.n // len(digits))
    a = np.tile(digits, (reps, 1, 1, 1))[:args.n]
    b = np.roll(a, 1, axis=2)  # a different set of the same size
    judge = classifiers.Judge.default((28, 28, 1))
    metrics.inception_score(a[:1000]), metrics.fid(a[:1000], b[:1000])  # warm-up (tracing)
    totals, passes = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        probs, feats_a = judge.probs_and_features(a)
        passes.append(time.perf_counter() - start)
        metrics.inception_score(probs)
        feats_b = judge.features(b)
        metrics.frechet_distance(feats_a, feats_b)
        totals.append(time.perf_counter() - start)
    result = {"machine": common.machine(),
              "n": args.n, "judge": judge.name, "repeats": args.repeats,
              "is_plus_fid_seconds_median": round(float(np.median(totals)), 3),
              "classifier_pass_seconds_median": round(float(np.median(passes)), 3),
              "images_per_second": round(2 * args.n / float(np.median(totals))),
              "command": "python benchmarks/eval_speed.py"}
    common.write_results(args.out, to_result(result))


def to_result(raw, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout (one reference row)."""
    return results.make(
        "eval_speed", "Evaluation speed",
        f"IS + FID of {raw['n']:,} digits against {raw['n']:,} others with `{raw['judge']}`; "
        f"medians of {raw['repeats']} repeats after a warm-up.",
        {"is_plus_fid_seconds_median": "IS + FID (s)",
         "classifier_pass_seconds_median": "one classifier pass (s)",
         "images_per_second": "images/s"},
        [{"model": None, **{k: v for k, v in raw.items() if k not in ("machine", "command")}}],
        raw["command"], raw["machine"], date, section="reference")


if __name__ == "__main__":
    main()
