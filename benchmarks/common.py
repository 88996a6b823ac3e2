"""Helpers the benchmark scripts share (imported as ``common`` from the scripts' folder)."""

import os
import platform
import shlex
import sys

from ganzoo import datasets, judges


#: the training settings of the papers' algorithms where ganzoo's defaults differ: dcgan's
#: defaults share one G pass between the updates and pick low precision where it is fast
#: (zoo_configs/dcgan.yaml); rows measured "with the paper defaults" pin these
PAPER_SETTINGS = {"dcgan": {"training.reuse_fakes": False, "training.precision": "float32"}}


def paper_settings(model):
    """Overrides (dotted keys) that give ``model`` its paper's Algorithm 1 in float32."""
    return dict(PAPER_SETTINGS.get(model, {}))


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
    judge = judges.load("mnist")
    return path, x, y, judge, judge.features(x)


def command():
    """The command line this script runs under, as results record it."""
    script = "benchmarks/" + os.path.basename(sys.argv[0])
    return shlex.join(["python", script, *sys.argv[1:]])


def write_results(folder, result):
    """Write a :mod:`ganzoo.results` dict to ``folder/<name>.json`` (validated, atomically)."""
    from ganzoo import results
    from ganzoo.files import write_json

    results.validate(result, result.get("name", "results"))
    return write_json(os.path.join(folder, result["name"] + ".json"), result)


def judge_protocol(judge, generated, real=None, real_split=None, seed=1, resize="none"):
    """The ``judge`` record of a results file (:data:`ganzoo.results.JUDGE_KEYS`): a judge
    object (its name and weights hash) or a name, the sample counts, the real split, the seed
    of the generated samples and the resize."""
    name = judge if isinstance(judge, str) else judge.name
    sha = None if isinstance(judge, str) else getattr(judge, "record", {}).get("weights_sha256")
    return {"name": name, "sha256": sha, "generated": int(generated),
            "real": None if real is None else int(real), "real_split": real_split, "seed": seed,
            "resize": resize}
