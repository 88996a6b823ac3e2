"""What ganzoo's whole-data checks cost per epoch of DCGAN on MNIST (issue 13).

    python benchmarks/data_checks.py [--n 60000] [--rounds 3]

Two costs, each as a fraction of one training epoch on the same data, measured in one process:

- **in-memory** data (embedded digits, folders, ``.npz``): one full pass over every image and
  label before training (``model.prepare(images, labels)``), timed against one epoch of
  training on those arrays;
- **streamed** data (tensorflow-datasets, a user's ``tf.data``): the per-batch assertions inside
  the pipeline, as the difference between epochs on a ``tf.data`` source with and without them,
  interleaved round by round (median of ``--rounds``, after a warm-up epoch of each).

Real MNIST is read from ``$GANZOO_DATA_DIR/mnist.npz``. Writes results/data_checks.json.
"""

import argparse
import json
import os
import time
from unittest import mock

import numpy as np
import tensorflow as tf

import ganzoo
from ganzoo import datasets

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def _epoch_seconds(gan, data):
    start = time.perf_counter()
    gan.fit(data, epochs=1, verbose=0)
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=None, help="mnist.npz (default: $GANZOO_DATA_DIR/mnist.npz)")
    p.add_argument("--n", type=int, default=60_000, help="training images used")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    path = args.data or datasets.shared_data_file("mnist.npz")
    x, y = datasets.read_npz(path, "train")
    x, y = x[:args.n], y[:args.n]
    gan = ganzoo.build("dcgan", seed=0)

    # in-memory: the full pass before training, against an epoch on the same arrays
    passes = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        prepared = gan.prepare(x)
        passes.append(time.perf_counter() - start)
    array_epochs = [_epoch_seconds(gan, prepared) for _ in range(args.rounds + 1)][1:]

    # streamed: the same images as a tf.data source, with and without the per-batch checks
    def stream():
        return tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=0)

    unchecked = mock.patch.object(datasets, "check_batches", lambda ds, *a, **k: ds)
    with unchecked:
        plain = gan.prepare(stream())
    checked = gan.prepare(stream())
    _epoch_seconds(gan, plain), _epoch_seconds(gan, checked)  # warm-up: tracing, caches
    with_checks, without = [], []
    for _ in range(args.rounds):
        without.append(_epoch_seconds(gan, plain))
        with_checks.append(_epoch_seconds(gan, checked))
    epoch = float(np.median(array_epochs))
    result = {
        "machine": common.machine(), "n": len(x), "rounds": args.rounds,
        "model": "dcgan (paper defaults, batch 128)",
        "epoch_seconds_median": round(epoch, 2),
        "in_memory_full_pass_seconds_median": round(float(np.median(passes)), 3),
        "in_memory_cost_fraction_of_epoch": round(float(np.median(passes)) / epoch, 4),
        "streamed_epoch_seconds_without_checks": round(float(np.median(without)), 2),
        "streamed_epoch_seconds_with_checks": round(float(np.median(with_checks)), 2),
        "streamed_cost_fraction_of_epoch": round(
            float(np.median(with_checks)) / float(np.median(without)) - 1, 4),
        "command": "python benchmarks/data_checks.py",
    }
    print(json.dumps(result))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "data_checks.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
