"""``ganzoo.evaluate``: every metric of :mod:`ganzoo.metrics` on one trained generator, as a report.

The engine behind ``ganzoo evaluate RUN_DIR``: validates everything first (metric names,
reference data, image sizes), then generates samples, computes the asked metrics with a progress
bar, and writes ``report.json`` plus the PNGs of the memorisation and birthday checks.
"""

import os

import numpy as np

from ganzoo import classifiers, datasets, images
from ganzoo import metrics as metrics_lib

#: metric names accepted by :func:`evaluate` (``memorisation`` is accepted as an alias)
METRICS = ("is", "fid", "kid", "pr", "memorization", "birthday")
ALIASES = {"memorisation": "memorization", "inception_score": "is", "precision_recall": "pr"}


def parse_metrics(names):
    """``"is,fid"`` or a list -> a validated tuple of metric names (order kept)."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    out = []
    for name in names:
        name = ALIASES.get(name.lower(), name.lower())
        if name not in METRICS:
            import difflib

            close = difflib.get_close_matches(name, METRICS, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"Unknown metric {name!r}.{hint} Choose from {', '.join(METRICS)}.")
        if name not in out:
            out.append(name)
    if not out:
        raise ValueError(f"No metrics given; choose from {', '.join(METRICS)}.")
    return tuple(out)


def available_memory():
    """Bytes of memory available to a new allocation (``MemAvailable``), or ``None``."""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def check_memory(n, shape, option="n", copies=1):
    """Refuse ``n`` samples of ``shape`` (float32, ``copies`` arrays of them) that cannot fit in
    the memory available now, before anything is allocated."""
    need = int(n) * int(np.prod(shape)) * 4 * copies
    free = available_memory()
    if free is not None and need > free:
        raise ValueError(f"{option} = {n:,} samples of {tuple(shape)} need about "
                         f"{need / 2**30:.1f} GiB but {free / 2**30:.1f} GiB of memory is "
                         "available; use a smaller number (10,000 is usual for FID).")


def reference_arrays(reference):
    """``(train_images, test_images or None)`` as uint8 from a name, path or array."""
    if isinstance(reference, (str, os.PathLike)):
        train, _ = datasets.load_arrays(reference, split="train")
        try:
            test, _ = datasets.load_arrays(reference, split="test")
        except (datasets.DataError, ValueError):
            test = None  # folders and train-only archives: memorisation holds out part of train
        return train, test
    return np.asarray(reference), None


def evaluate(model, metrics=("is", "fid"), reference=None, n=10_000, out=None, seed=0,
             classifier=None, verbose=1):
    """Score a trained generator.

    Args:
        model: a trained ganzoo GAN (or a run directory / ``.keras`` path for :func:`ganzoo.load`).
        metrics: names from :data:`METRICS` (a list or ``"is,fid"``): ``is`` Inception Score,
            ``fid``, ``kid``, ``pr`` (precision/recall), ``memorization``, ``birthday``.
        reference: the real data (dataset name such as ``"digits"``, an ``.npz``, a folder, or
            an array); needed by every metric but ``is``.
        n: generated samples (at most 2,000 go to the memorisation search).
        out: folder for ``report.json`` and PNGs; ``None`` writes nothing.
        seed: seed of the samples.
        classifier: judge for every metric (:class:`ganzoo.classifiers.Judge` or Keras model);
            ``None`` uses the default for the image size.
        verbose: 1 shows a progress bar.

    Returns:
        The report dict (also written to ``out/report.json``).

    Example:

    ```python
    report = ganzoo.evaluate(gan, ["is", "fid", "memorization"], reference="digits", n=5000)
    ```
    """
    import keras

    from ganzoo import runs

    names = parse_metrics(metrics)
    if isinstance(model, (str, os.PathLike)):
        model = runs.open_model(model)[0]
    if not getattr(model, "is_image", False):
        raise ValueError(f"{model.name} makes vectors of shape {model.data_shape}; image metrics "
                         "need an image model.")
    n = int(n)
    if n < 20:
        raise ValueError(f"n must be at least 20 samples, got {n}.")
    check_memory(n, model.data_shape, "n (--n)", copies=3)
    runs.check_outputs_finite(model)
    needs_reference = [m for m in names if m != "is"]
    train = test = None
    if needs_reference:
        if reference is None:
            raise ValueError(f"Metrics {', '.join(needs_reference)} compare with real data; pass "
                             "reference= (a dataset name such as 'digits', an .npz or a folder).")
        train, test = reference_arrays(reference)
        if train.ndim == 3:
            train = train[..., None]
        if tuple(train.shape[1:]) != tuple(model.data_shape):
            raise ValueError(f"Reference images are {tuple(train.shape[1:])} but the model makes "
                             f"{tuple(model.data_shape)}; pass reference data of the model's "
                             "size.")
    judge = classifiers.as_judge(classifier, model.data_shape)
    if out:  # the folder itself is made by the first write, so a failure leaves none behind
        runs.check_writable(out, "out (--out)")

    steps = 1 + len(names)
    bar = keras.utils.Progbar(steps, unit_name="stage") if verbose else None
    done = 0

    def tick():
        nonlocal done
        done += 1
        if bar is not None:
            bar.update(done)

    fake = model.generate(n, seed=seed)  # conditional models: every class equally often
    probs, fake_feats = judge.probs_and_features(fake) if judge.outputs != "features" else (
        None, judge.features(fake))
    tick()
    report = {"model": model.name, "n": n, "seed": seed, "judge": judge.name,
              "reference": os.fspath(reference) if isinstance(reference, (str, os.PathLike))
              else None, "metrics": {}}
    real_feats = None
    if any(m in names for m in ("fid", "kid", "pr")):
        real_feats = judge.features(train[:max(n, 10_000)])
    for name in names:
        if name == "is":
            if probs is None:
                raise ValueError(f"{judge.name} gives features only; IS needs a classifier.")
            mean, std = metrics_lib.inception_score(probs)
            report["metrics"]["inception_score"] = {"mean": mean, "std": std, "splits": 10}
        elif name == "fid":
            report["metrics"]["fid"] = metrics_lib.frechet_distance(fake_feats, real_feats)
        elif name == "kid":
            mean, std = metrics_lib.kernel_inception_distance(fake_feats, real_feats)
            report["metrics"]["kid"] = {"mean": mean, "std": std}
        elif name == "pr":
            m = min(len(fake_feats), len(real_feats), 5000)
            report["metrics"]["precision_recall"] = metrics_lib.precision_recall(
                real_feats[:m], fake_feats[:m])
        elif name == "memorization":
            mem = metrics_lib.memorization(fake[:2000], train, test, extractor=judge)
            if out:
                mem["png"] = images.save_pairs(mem["closest_generated"], mem["closest_train"],
                                               os.path.join(out, "memorization_pairs.png"))
            report["metrics"]["memorization"] = {k: v for k, v in mem.items()
                                                 if not isinstance(v, np.ndarray)}
        elif name == "birthday":
            threshold = metrics_lib.birthday_threshold(train, extractor=judge)
            bday = metrics_lib.birthday_support(lambda k, s: model.generate(k, seed=s), threshold,
                                                extractor=judge, seed=seed)
            if out and "duplicates_a" in bday:
                bday["png"] = images.save_pairs(bday["duplicates_a"], bday["duplicates_b"],
                                                os.path.join(out, "birthday_duplicates.png"))
            report["metrics"]["birthday"] = {k: v for k, v in bday.items()
                                              if not isinstance(v, np.ndarray)}
        tick()
    if out:
        report["report"] = save_report(report, os.path.join(out, "report.json"))
    return report


def save_report(report, path):
    """Write a metrics report as JSON, dropping per-sample arrays (kept only as summaries)."""

    def plain(v):
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items() if not isinstance(x, np.ndarray)}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, np.generic):
            return v.item()
        return v

    from ganzoo.files import write_json

    write_json(path, plain(report))
    return path
