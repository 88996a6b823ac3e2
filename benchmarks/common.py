"""Helpers the benchmark scripts share (imported as ``common`` from the scripts' folder)."""

import json
import os
import platform

from ganzoo import classifiers, datasets


def machine():
    """The CPU and core count a result was measured on, as the results' JSON records it."""
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"


def mnist_reference(data=None, limit=None):
    """MNIST training digits and the shipped judge's features of them.

    Args:
        data: path of ``mnist.npz``; default ``$GANZOO_DATA_DIR/mnist.npz``.
        limit: keep the first ``limit`` digits (smoke runs).

    Returns:
        ``(path, images, labels, judge, features)``.
    """
    path = data or datasets.shared_data_file("mnist.npz")
    x, y = datasets.read_npz(path, "train")
    if limit:
        x, y = x[:limit], y[:limit]
    judge = classifiers.Judge.default((28, 28, 1))
    return path, x, y, judge, judge.features(x)


def write_result(result, folder, name):
    """Print a result as one JSON line and write it to ``folder/name`` (atomically)."""
    from ganzoo.files import write_json

    print(json.dumps(result))
    write_json(os.path.join(folder, name), result)
