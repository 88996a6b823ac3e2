"""What the per-epoch IS and FID callbacks cost, as a share of a training epoch, on MNIST and
CIFAR-10 with their shipped judges.

    python benchmarks/epoch_eval_cost.py [--n 5000] [--steps 30] [--repeats 3]

For each workload, DCGAN (paper defaults, batch 128; 32x32x3 for CIFAR-10) is timed over
``--steps`` training steps after a warm-up, and one epoch is that time scaled to the dataset's
steps per epoch (60,000 / 50,000 images). ``ganzoo.callbacks.InceptionScore`` and ``FID``
(``n`` samples each; FID against the shipped train-split statistics, so no real images are
read) are timed as ``fit`` calls them at the end of an epoch: median of ``--repeats`` after one
warm-up call. Also timed: the FID callback's one-time start with the shipped statistics
against computing the features of ``n`` real images (what it did before statistics shipped).
Images are random (speed does not depend on content), so the script needs no data. Writes
``results/epoch_eval_cost.json``.
"""

import argparse
import os
import statistics
import time

import numpy as np

import ganzoo
from ganzoo import metrics, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))
#: workload -> (image shape, training images per epoch, shipped judge)
WORKLOADS = {"mnist": ((28, 28, 1), 60_000, "mnist"), "cifar10": ((32, 32, 3), 50_000, "cifar10")}


def timed(fn, repeats):
    fn()  # warm-up: tracing
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(name, n, steps, repeats):
    shape, images, judge = WORKLOADS[name]
    gan = ganzoo.build("dcgan", seed=0, image_shape=shape, **common.paper_settings("dcgan"))
    batch = int(gan.config["training"]["batch_size"])
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (batch * steps, *shape), dtype=np.uint8)
    gan.fit(x[:batch * 2], epochs=1, verbose=0)  # warm-up: tracing
    start = time.perf_counter()
    gan.fit(x, epochs=1, verbose=0)
    step_seconds = (time.perf_counter() - start) / steps
    epoch = step_seconds * (images // batch)

    inception = ganzoo.callbacks.InceptionScore(n=n, judge=judge)
    fid = ganzoo.callbacks.FID(judge, n=n, judge=judge)
    for cb in (inception, fid):
        cb.set_model(gan)
    begin_shipped = timed(fid.on_train_begin, repeats)
    real = rng.integers(0, 256, (n, *shape), dtype=np.uint8)
    begin_images = timed(lambda: metrics.feature_statistics(fid._judge.features(real)), repeats)
    inception.on_train_begin()
    is_seconds = timed(inception.compute, repeats)
    fid_seconds = timed(fid.compute, repeats)
    return {"model": "dcgan", "workload": name, "n": n, "batch_size": batch,
            "epoch_seconds": round(epoch, 1), "is_seconds": round(is_seconds, 2),
            "fid_seconds": round(fid_seconds, 2),
            "is_fid_share_of_epoch": round((is_seconds + fid_seconds) / epoch, 4),
            "fid_start_shipped_seconds": round(begin_shipped, 3),
            "fid_start_from_images_seconds": round(begin_images, 2),
            "judge_protocol": {k: v for k, v in fid.protocol.items() if k != "metric"}}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workloads", default="mnist,cifar10")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    rows = []
    for name in args.workloads.split(","):
        rows.append(measure(name, args.n, args.steps, args.repeats))
        print(rows[-1], flush=True)
    raw = {"rows": rows, "machine": common.machine(), "command": common.command(),
           "steps": args.steps, "repeats": args.repeats}
    common.write_results(args.out, to_result(raw))


def to_result(raw, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout (reference rows)."""
    rows = [{**{k: v for k, v in r.items() if k != "judge_protocol"}, "model": None}
            for r in raw["rows"]]
    judge = [{k: r["judge_protocol"].get(k) for k in results.JUDGE_KEYS} | {
        "name": r["judge_protocol"]["judge"], "sha256": r["judge_protocol"]["judge_sha256"],
        "real": r["judge_protocol"]["real"]} for r in raw["rows"]]
    return results.make(
        "epoch_eval_cost", "Per-epoch evaluation cost",
        "DCGAN (paper defaults) training time per epoch (from "
        f"{raw['steps']} timed steps, scaled to 60,000 MNIST / 50,000 CIFAR-10 images) against "
        "the `InceptionScore` and `FID` callbacks' work at the end of an epoch (n samples each, "
        "FID against the shipped train-split statistics; medians of "
        f"{raw['repeats']} after a warm-up), and the FID callback's one-time start with the "
        "shipped statistics against computing the features of n real images.",
        {"workload": "data", "n": "samples", "epoch_seconds": "one epoch (s)",
         "is_seconds": "IS (s)", "fid_seconds": "FID (s)",
         "is_fid_share_of_epoch": "IS + FID / epoch",
         "fid_start_shipped_seconds": "FID start, shipped statistics (s)",
         "fid_start_from_images_seconds": "FID start, n real images (s)"},
        rows, raw["command"], raw["machine"], date, section="reference",
        formats={"is_fid_share_of_epoch": "{:.1%}", "n": "{:,}"},
        judge=judge)


if __name__ == "__main__":
    main()
