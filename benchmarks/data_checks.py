"""What ganzoo's whole-data checks cost per epoch of DCGAN on MNIST (issue 13).

    python benchmarks/data_checks.py [--n 60000] [--rounds 3]

Each cost is given as a fraction of one training epoch of DCGAN (paper defaults, batch 128) on
the same images:

- **in-memory** data (embedded digits, folders, ``.npz``): the one full pass over every image
  before training (``model.prepare(images)``);
- **streamed** data (tensorflow-datasets, a user's ``tf.data``): the per-batch assertions in
  the pipeline, measured as the extra seconds to iterate the whole input pipeline with them
  than without (the assertions' own work; ``fit`` runs the pipeline on other threads, so its
  effect on an epoch is at most this).

The epoch time is the fastest of ``--rounds`` epochs after a warm-up epoch (the first epochs of
a process run up to 2x slower here, so the fastest gives the largest, most conservative
fraction). Medians of ``--rounds`` for the check timings. Real MNIST is read from
``$GANZOO_DATA_DIR/mnist.npz``. Writes results/data_checks.json.
"""

import argparse
import os
import time
from unittest import mock

import numpy as np
import tensorflow as tf

import ganzoo
from ganzoo import datasets, results
from ganzoo.data import pipeline

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def _epoch_seconds(gan, data):
    start = time.perf_counter()
    gan.fit(data, epochs=1, verbose=0)
    return time.perf_counter() - start


def _iterate_seconds(data):
    start = time.perf_counter()
    for _ in data:
        pass
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=None, help="mnist.npz (default: $GANZOO_DATA_DIR/mnist.npz)")
    p.add_argument("--n", type=int, default=60_000, help="training images used")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    path = args.data or datasets.shared_data_file("mnist.npz")
    x, _ = datasets.read_npz(path, "train")
    x = x[:args.n]
    gan = ganzoo.build("dcgan", seed=0)

    passes = []
    for _ in range(args.rounds):  # in-memory: the full pass before training
        start = time.perf_counter()
        prepared = gan.prepare(x)
        passes.append(time.perf_counter() - start)

    def stream():
        return tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=0)

    with mock.patch.object(pipeline, "check_batches", lambda ds, *a, **k: ds):
        plain = gan.prepare(stream())
    checked = gan.prepare(stream())
    _iterate_seconds(plain), _iterate_seconds(checked)  # warm-up
    without, with_checks = [], []
    for _ in range(args.rounds):
        without.append(_iterate_seconds(plain))
        with_checks.append(_iterate_seconds(checked))
    extra = max(0.0, float(np.median(with_checks)) - float(np.median(without)))

    epochs = [_epoch_seconds(gan, prepared) for _ in range(args.rounds + 1)][1:]
    epoch = float(min(epochs))
    full_pass = float(np.median(passes))
    result = {
        "machine": common.machine(), "n": len(x), "rounds": args.rounds,
        "model": "dcgan (paper defaults, batch 128)",
        "epoch_seconds": [round(e, 2) for e in epochs],
        "epoch_seconds_fastest": round(epoch, 2),
        "in_memory_full_pass_seconds_median": round(full_pass, 3),
        "in_memory_cost_fraction_of_epoch": round(full_pass / epoch, 4),
        "streamed_pipeline_seconds_without_checks": round(float(np.median(without)), 3),
        "streamed_pipeline_seconds_with_checks": round(float(np.median(with_checks)), 3),
        "streamed_cost_fraction_of_epoch": round(extra / epoch, 4),
        "command": "python benchmarks/data_checks.py",
    }
    common.write_results(args.out, to_result(result))


def to_result(raw, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout (one reference row)."""
    return results.make(
        "data_checks", "Cost of the data checks",
        f"{raw['model']} on {raw['n']:,} MNIST digits: the whole-array check before training and "
        "the per-batch checks of a streamed tf.data pipeline, against the fastest of "
        f"{raw['rounds']} training epochs.",
        {"in_memory_full_pass_seconds_median": "in-memory check (s)",
         "in_memory_cost_fraction_of_epoch": "share of an epoch",
         "streamed_cost_fraction_of_epoch": "streamed checks, share of an epoch",
         "epoch_seconds_fastest": "epoch (s)"},
        [{"model": None, **{k: v for k, v in raw.items() if k not in ("machine", "command")}}],
        raw["command"], raw["machine"], date, section="reference",
        formats={"in_memory_cost_fraction_of_epoch": "{:.2%}",
                 "streamed_cost_fraction_of_epoch": "{:.2%}"})


if __name__ == "__main__":
    main()
