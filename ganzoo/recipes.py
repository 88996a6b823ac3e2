"""Recipes: how each built-in preset is trained and measured, and ``ganzoo reproduce``.

A recipe (``zoo_configs/recipes.yaml``) names the model, its config preset
(``zoo_configs/<model>_<config>.yaml``, which holds only what it changes), the dataset, seed
and epochs, the evaluation protocol and the tolerance within which a retrained model must
measure. The preset's ``metadata.json`` records the same recipe, so a preset from anywhere can
be reproduced.

Example:

```python
report = ganzoo.recipes.reproduce("cgan_mnist", budget_minutes=5)
report["passed"], report["comparison"]
```
"""

import os
import re

import numpy as np

from ganzoo import config as config_lib
from ganzoo import files

RECIPES_FILE = "recipes"
#: tolerance of a metric the recipe does not list: relative to the recorded value
DEFAULT_TOLERANCE = {"rel": 0.10}
#: flattened metric keys that are noise estimates, not scores
_NOT_SCORES = ("std", "splits", "n", "worst_class")


def recipes():
    """Every built-in recipe: name -> dict (``zoo_configs/recipes.yaml``)."""
    return config_lib.read_zoo_config(RECIPES_FILE)


def recipe(name):
    table = recipes()
    if name not in table:
        raise ValueError(f"No recipe named {name!r}; recipes: {', '.join(sorted(table))}.")
    return dict(table[name], name=name)


def dataset_path(value):
    """A recipe's dataset with ``$GANZOO_DATA_DIR`` (and ``~``) expanded; a clear error when
    the variable is needed but unset."""
    if "$GANZOO_DATA_DIR" in value and not os.environ.get("GANZOO_DATA_DIR"):
        raise ValueError(f"The recipe reads {value}: set GANZOO_DATA_DIR to the folder holding "
                         "the datasets (e.g. ../shared/data).")
    return os.path.expanduser(os.path.expandvars(value))


def command(r):
    """The ``ganzoo train`` command line of a recipe."""
    parts = [f"ganzoo train {r['model']}"]
    if isinstance(r.get("config"), dict):
        parts.append("--config config.json")  # the preset's own config file
    elif r.get("config"):
        parts.append(f"--config {r['config']}")
    parts += [f"--dataset {r['dataset']}", f"--seed {r['seed']}", f"--epochs {r['epochs']}"]
    return " ".join(parts)


def train(r, out, resume=False, force=False, budget_minutes=None, verbose=2):
    """Train a recipe into the run folder ``out``.

    Args:
        r: the recipe (``config``: a config preset name, a dict or ``None``).
        out: the run folder.
        resume: continue an interrupted piece from its checkpoint.
        force: replace an earlier run in ``out``.
        budget_minutes: end training early (smoke runs).
    """
    import ganzoo

    return ganzoo.train(r["model"], dataset_path(r["dataset"]), out, config=r.get("config"),
                        seed=r["seed"], epochs=r["epochs"], resume=resume, force=force,
                        verbose=verbose, minutes=budget_minutes or None)


def evaluate(r, model, out=None, data_sha256=None):
    """Evaluate ``model`` with a recipe's protocol; returns the report."""
    import ganzoo

    spec = r.get("evaluate", {})
    if getattr(model, "paired", None) is not None and hasattr(model, "translate"):
        return ganzoo.evaluation.evaluate_translation(
            model, spec.get("metrics", "l1,psnr,ssim"), reference=dataset_path(r["dataset"]),
            judge=spec.get("judge") and dataset_path(spec["judge"]), out=out)
    return ganzoo.evaluate(model, spec.get("metrics", ["is", "fid"]),
                           reference=spec.get("reference") and dataset_path(spec["reference"]),
                           n=spec.get("n", 10_000),
                           seed=spec.get("seed", 0), judge=spec.get("judge"), out=out,
                           data_sha256=data_sha256, verbose=0)


class RealSamples:
    """Real images that stand in for a generator, so :func:`ganzoo.evaluate` measures the real
    data's ceiling with exactly the protocol a model gets.

    Args:
        images: uint8 (or [-1, 1] float) NHWC images, e.g. a dataset's test split.
        labels: their classes (conditional metrics ask for samples of a class).
        num_classes: classes of a conditional model being compared.
    """

    name = "real_test_data"
    is_image = True

    def __init__(self, images, labels=None, num_classes=None):
        images = np.asarray(images)
        if images.ndim == 3:
            images = images[..., None]
        self.images = (images.astype(np.float32) / 127.5 - 1.0 if images.dtype == np.uint8
                       else images.astype(np.float32))
        self.labels = None if labels is None else np.asarray(labels).astype(int)
        self.num_classes = num_classes
        self.data_shape = tuple(self.images.shape[1:])

    def check_finite(self):
        """Real images are finite."""

    def default_labels(self, n):
        return np.arange(n) % self.num_classes

    def generate(self, n=None, seed=None, labels=None, batch_size=None):
        rng = np.random.default_rng(seed)
        if labels is None:
            if n > len(self.images):
                raise ValueError(f"{n} real images asked, {len(self.images)} available.")
            return self.images[rng.permutation(len(self.images))[:n]]
        labels = np.asarray(labels).astype(int)
        out = np.empty((len(labels),) + self.data_shape, np.float32)
        for c in np.unique(labels):
            pool = rng.permutation(np.flatnonzero(self.labels == c))
            where = np.flatnonzero(labels == c)
            out[where] = self.images[pool[np.arange(len(where)) % len(pool)]]
        return out


def ceiling(r, n=None):
    """The recipe's metrics measured on the real test split of its dataset (the ceiling a model
    is compared with), with the recipe's protocol; ``n`` at most the test split's size.
    ``None`` for an image-to-image recipe: its targets score perfectly against themselves, and
    its report already holds the real targets' domain rates and FID beside the model's."""
    import ganzoo

    from ganzoo.models.translation import Translator

    if issubclass(ganzoo.registry.get_class(r["model"]), Translator):
        return None
    x, y = ganzoo.datasets.load_arrays(dataset_path(r["dataset"]), split="test")
    spec = dict(r.get("evaluate", {}))
    spec["n"] = min(int(n or spec.get("n", 10_000)), len(x))
    config = ganzoo.resolve_config(r["model"], r.get("config"))
    real = RealSamples(x, y, num_classes=config.get("num_classes"))
    return evaluate(dict(r, evaluate=spec), real)


def scalars(metrics):
    """A report's ``metrics`` as flat ``{"inception_score.mean": 9.1, "fid": 3.2, ...}`` of
    the numbers a reproduction compares (noise estimates left out)."""
    flat = {}

    def walk(prefix, value):
        if isinstance(value, bool):
            return
        if isinstance(value, (int, float)):
            flat[prefix] = float(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k not in _NOT_SCORES:
                    walk(f"{prefix}.{k}", v)

    for name, value in (metrics or {}).items():
        walk(name, value.get("value") if isinstance(value, dict) and "value" in value
             and "protocol" in value else value)
    return flat


def compare(recorded, measured, tolerance=None):
    """``[(metric, recorded, measured, allowed difference, ok)]`` for every recorded scalar.

    ``tolerance`` maps a flattened metric name (or its first part, e.g. ``fid``) to ``{"rel":
    r}`` (a fraction of the recorded value) or ``{"abs": a}``; others use
    :data:`DEFAULT_TOLERANCE`.
    """
    tolerance = tolerance or {}
    rows = []
    for key, want in scalars(recorded).items():
        got = scalars(measured).get(key)
        tol = tolerance.get(key) or tolerance.get(key.split(".")[0]) or DEFAULT_TOLERANCE
        allowed = tol["abs"] if "abs" in tol else tol["rel"] * abs(want)
        ok = got is not None and abs(got - want) <= allowed + 1e-12
        rows.append((key, want, got, allowed, ok))
    return rows


def reproduce(handle, out=None, budget_minutes=None, resume=False, force=False, verbose=2):
    """Retrain a preset from the recipe its metadata records, evaluate it with the recorded
    protocol and compare every recorded metric within the recipe's tolerance.

    Args:
        handle: a preset handle (built-in name, folder, URL, ``hf://``).
        out: the run folder (default ``runs/reproduce/<name>``).
        budget_minutes: end training after this many minutes (a smoke run; the metrics then
            say how far a short run gets, and usually fail the tolerance).
        resume: continue an interrupted reproduction in ``out``.
        force: replace an earlier reproduction in ``out``.

    Returns:
        A dict: ``comparison`` rows ``{"metric", "recorded", "measured", "allowed", "ok"}``,
        ``passed``, the run folder and the report's path (also written to
        ``out/reproduce.json``).
    """
    from ganzoo import presets

    preset = presets.Preset(presets.resolve(handle), handle)
    meta = preset.metadata
    r = dict(meta.get("recipe") or {})
    if not r.get("dataset") or not r.get("epochs"):
        raise ValueError(f"{handle!r} records no complete recipe (dataset and epochs); it was "
                         "saved without one and cannot be reproduced.")
    r.setdefault("model", meta["model"])
    r["config"] = preset.config  # the exact config, seed included
    r["seed"] = r["config"].get("seed") if r.get("seed") is None else r["seed"]
    name = re.sub(r"[^\w.-]", "_", preset.name)
    out = out or os.path.join("runs", "reproduce", name)
    run = train(r, out, resume=resume, force=force, budget_minutes=budget_minutes,
                verbose=verbose)
    report = evaluate(r, run.model, out=os.path.join(out, "evaluation"),
                      data_sha256=run.info.get("data_sha256"))
    rows = compare(meta.get("metrics", {}), report["metrics"], r.get("tolerance"))
    result = {"preset": preset.handle, "run": run.path,
              "budget_minutes": budget_minutes, "steps": run.info.get("training", {}).get("steps"),
              "recorded_steps": r.get("steps"),
              "comparison": [dict(zip(("metric", "recorded", "measured", "allowed", "ok"), row))
                             for row in rows],
              "passed": bool(rows) and all(row[-1] for row in rows)}
    files.write_json(os.path.join(out, "reproduce.json"), result)
    result["report"] = os.path.join(out, "reproduce.json")
    return result
