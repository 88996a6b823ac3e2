"""Helpers the benchmark scripts share (imported as ``common`` from the scripts' folder)."""

import os
import platform
import sys

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


def command():
    """The command line this script runs under, as results record it."""
    script = "benchmarks/" + os.path.basename(sys.argv[0])
    return " ".join(["python", script, *sys.argv[1:]])


def write_results(folder, result):
    """Write a :mod:`ganzoo.results` dict to ``folder/<name>.json`` (validated, atomically)."""
    from ganzoo import results
    from ganzoo.files import write_json

    results.validate(result, result.get("name", "results"))
    return write_json(os.path.join(folder, result["name"] + ".json"), result)
