"""``ganzoo.evaluate``: every metric of :mod:`ganzoo.metrics` on one trained generator, as a report.

The engine behind ``ganzoo evaluate RUN_DIR``: validates everything first (metric names,
reference data, image sizes), then generates samples, computes the asked metrics with a progress
bar, and writes ``report.json`` plus the PNGs of the memorisation and birthday checks.
"""

import os

import numpy as np

from ganzoo import datasets, images, judges
from ganzoo import metrics as metrics_lib

#: metric names accepted by :func:`evaluate` (``memorisation`` is accepted as an alias)
METRICS = ("is", "fid", "kid", "pr", "dc", "memorization", "birthday", "cond_acc",
           "intra_fid", "cas")
ALIASES = {"memorisation": "memorization", "inception_score": "is", "precision_recall": "pr",
           "density_coverage": "dc", "conditional_accuracy": "cond_acc"}
#: metrics of conditional models (samples asked for a class)
CONDITIONAL = ("cond_acc", "intra_fid", "cas")


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
    """``(train images, train labels, test images, test labels)`` as uint8 (and int32) from a
    name, path or array; missing parts are ``None``."""
    if isinstance(reference, (str, os.PathLike)):
        train, train_labels = datasets.load_arrays(reference, split="train")
        test = test_labels = None  # folders (no splits) and train-only archives
        if not os.path.isdir(reference):
            try:
                test, test_labels = datasets.load_arrays(reference, split="test")
            except (datasets.DataError, ValueError):
                pass
        return train, train_labels, test, test_labels
    return np.asarray(reference), None, None, None


def evaluate(model, metrics=("is", "fid"), reference=None, n=10_000, out=None, seed=0,
             judge=None, data_sha256=None, verbose=1):
    """Score a trained generator.

    Args:
        model: a trained ganzoo GAN (or a run directory / ``.keras`` path for :func:`ganzoo.load`).
        metrics: names from :data:`METRICS` (a list or ``"is,fid"``): ``is`` Inception Score,
            ``fid``, ``kid``, ``pr`` (precision/recall), ``memorization``, ``birthday``.
        reference: the real data (dataset name such as ``"digits"``, an ``.npz``, a folder, or
            an array); needed by every metric but ``is`` and ``cond_acc``. FID alone needs no
            real images with a shipped judge (``"mnist"``, ``"cifar10"``): with ``reference``
            ``None`` or that judge's dataset name, the shipped train-split statistics are used.
        n: generated samples (at most 2,000 go to the memorisation search).
        out: folder for ``report.json`` and PNGs; ``None`` writes nothing.
        seed: seed of the samples.
        judge: the judge of every metric: a shipped name (``"mnist"``, ``"inception"``), a
            judge folder (``ganzoo judge train``), a :class:`ganzoo.classifiers.Judge` or a Keras
            classifier. ``None`` uses a shipped judge only when ``reference`` is that judge's
            own dataset (MNIST or the embedded digits for ``"mnist"``, CIFAR-10 for
            ``"cifar10"``); anything else is a :class:`ganzoo.judges.JudgeError` that lists
            the choices.
        data_sha256: the training data's checksum (``run.json`` records it; read from there
            when ``model`` is a run folder): picks the shipped judge of that data.
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
        model, run = runs.open_model(model)
        if data_sha256 is None:
            data_sha256 = runs.recorded_info(run).get("data_sha256")
    if not getattr(model, "is_image", False):
        raise ValueError(f"{model.name} makes vectors of shape {model.data_shape}; image metrics "
                         "need an image model.")
    n = int(n)
    if n < 20:
        raise ValueError(f"n must be at least 20 samples, got {n}.")
    check_memory(n, model.data_shape, "n (--n)", copies=3)
    runs.check_outputs_finite(model)
    conditional = [m for m in names if m in CONDITIONAL]
    if conditional and not model.num_classes:
        raise ValueError(f"{', '.join(conditional)} measure conditional models; {model.name} "
                         "has no classes.")
    needs_reference = [m for m in names if m not in ("is", "cond_acc")]
    train = test = train_labels = test_labels = stats = None
    if needs_reference and set(needs_reference) <= {"fid"} and (
            reference is None or isinstance(reference, str)):
        try:
            shipped = judges.resolve(judge, reference, model.data_shape, data_sha256)
        except judges.JudgeError:
            pass  # the reference's own checks come first; the judge's error after them
        else:
            judge, stats = shipped, judges.shipped_statistics(shipped, reference)
    if needs_reference and stats is None:
        if reference is None:
            raise ValueError(f"Metrics {', '.join(needs_reference)} compare with real data; pass "
                             "reference= (a dataset name such as 'digits', an .npz or a folder).")
        train, train_labels, test, test_labels = reference_arrays(reference)
        if train.ndim == 3:
            train = train[..., None]
        if "intra_fid" in names and train_labels is None:
            raise ValueError("intra_fid needs labelled reference data (class folders, an .npz "
                             "with y_train, or a labelled tfds dataset).")
        if "cas" in names and test_labels is None:
            raise ValueError("cas tests on real labelled test images; the reference data has no "
                             "labelled test split.")
        if tuple(train.shape[1:]) != tuple(model.data_shape):
            raise ValueError(f"Reference images are {tuple(train.shape[1:])} but the model makes "
                             f"{tuple(model.data_shape)}; pass reference data of the model's "
                             "size.")
    judge = judges.resolve(judge, reference, model.data_shape, data_sha256)  # before sampling
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

    fake_labels = model.default_labels(n) if model.num_classes else None
    fake = model.generate(n, seed=seed, labels=fake_labels)  # every class equally often
    probs, fake_feats = judge.probs_and_features(fake) if judge.outputs != "features" else (
        None, judge.features(fake))
    tick()
    report = {"model": model.name, "n": n, "seed": seed, "judge": judge.name,
              "judge_sha256": getattr(judge, "record", {}).get("weights_sha256"),
              "real_split": "train" if train is not None or stats is not None else None,
              "real_images": None if train is None else int(len(train)),
              "real_statistics": None if stats is None else
              f"shipped ({judge.record['shipped']} train split, {stats[2]:,} images)",
              "resize": getattr(judge, "resize", None),
              "reference": os.fspath(reference) if isinstance(reference, (str, os.PathLike))
              else None, "metrics": {}}
    real_feats = None
    if stats is not None:
        report["real_images"] = stats[2]
    elif any(m in names for m in ("fid", "kid", "pr", "dc", "intra_fid")):
        real_feats = judge.features(train[:max(n, 10_000)])
        report["real_images"] = int(len(real_feats))  # the real set the distances used
    for name in names:
        if name == "is":
            if probs is None:
                raise ValueError(f"{judge.name} gives features only; IS needs a classifier.")
            mean, std = metrics_lib.inception_score(probs)
            report["metrics"]["inception_score"] = {"mean": mean, "std": std, "splits": 10}
        elif name == "fid" and stats is not None:
            metrics_lib.warn_few_samples(len(fake_feats), fake_feats.shape[1])
            report["metrics"]["fid"] = metrics_lib.frechet_distance_from_statistics(
                *metrics_lib.feature_statistics(fake_feats), stats[0], stats[1])
        elif name == "fid":
            report["metrics"]["fid"] = metrics_lib.frechet_distance(fake_feats, real_feats)
        elif name == "kid":
            mean, std = metrics_lib.kernel_inception_distance(fake_feats, real_feats)
            report["metrics"]["kid"] = {"mean": mean, "std": std}
        elif name == "pr":
            m = min(len(fake_feats), len(real_feats), 5000)
            report["metrics"]["precision_recall"] = metrics_lib.precision_recall(
                real_feats[:m], fake_feats[:m])
        elif name == "dc":
            m = min(len(fake_feats), len(real_feats), 5000)
            report["metrics"]["density_coverage"] = metrics_lib.density_coverage(
                real_feats[:m], fake_feats[:m])
        elif name == "cond_acc":
            if probs is None:
                raise ValueError(f"{judge.name} gives features only; cond_acc needs a "
                                 "classifier.")
            report["metrics"]["conditional_accuracy"] = metrics_lib.conditional_accuracy(
                probs, fake_labels)
        elif name == "intra_fid":
            report["metrics"]["intra_class_fid"] = metrics_lib.intra_class_fid(
                fake_feats, fake_labels, real_feats, train_labels[:len(real_feats)])
        elif name == "cas":
            report["metrics"]["classification_accuracy_score"] = {
                "generated": metrics_lib.classification_accuracy_score(
                    fake, fake_labels, test, test_labels, seed=seed),
                "real_baseline": metrics_lib.classification_accuracy_score(
                    train[:n], train_labels[:n], test, test_labels, seed=seed)}
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


#: metrics of image-to-image models: paired (pix2pix) L1, PSNR, SSIM against the test targets;
#: any translator: domain success rate and FID in a domain judge's features
TRANSLATION_METRICS = ("l1", "psnr", "ssim", "domain", "fid", "cycle_l1")


def evaluate_translation(model, metrics=("l1", "psnr", "ssim"), reference=None, judge=None,
                         direction=None, n=None, out=None):
    """Score an image-to-image model on the test split of ``reference``.

    Paired models (pix2pix): ``l1`` (mean |G(x) - y| in [-1, 1] units), ``psnr`` and ``ssim``
    (``tf.image.psnr`` / ``tf.image.ssim`` on [0, 1] images) against the targets. Any model:
    ``domain`` (domain success rate: the share of translated test images a domain judge
    assigns to the target domain) and ``fid`` (in that judge's features, against the real
    target domain's train images). Unpaired models (CycleGAN): ``cycle_l1``, the mean
    |F(G(x)) - x| of the test inputs' round trip in [-1, 1] units (|G(F(y)) - y| for
    ``"b2a"``), which needs no judge. The domain judge is a judge trained on the two domains
    (``ganzoo judge train DATA`` on an unpaired or paired dataset: class 0 = A, 1 = B). The
    real test target images' own rates are reported as the ceiling (``real_targets``), and
    the untranslated inputs' FID as the floor (``inputs``).

    Args:
        model: a trained pix2pix or CycleGAN (or a run folder / ``.keras`` path).
        metrics: names from :data:`TRANSLATION_METRICS`.
        reference: the dataset (paired or unpaired source); its ``test`` split is used.
        judge: the domain judge (a judge folder or object), needed by ``domain`` and ``fid``.
        direction: ``"a2b"`` (default) or ``"b2a"`` for CycleGAN; pix2pix translates one way,
            its config's ``direction`` (passing another is an error).
        n: at most this many test images (default all).
        out: folder for ``report.json``; ``None`` writes nothing.
    """
    import tensorflow as tf

    from ganzoo import runs
    from ganzoo.models.translation import Translator

    if isinstance(model, (str, os.PathLike)):
        model = runs.open_model(model)[0]
    if not isinstance(model, Translator):
        raise ValueError(f"{model.name} is not an image-to-image model; use evaluate().")
    names = [m.strip() for m in metrics.split(",")] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in names if m not in TRANSLATION_METRICS]
    if unknown:
        raise ValueError(f"Unknown translation metric {unknown[0]!r}; choose from "
                         f"{', '.join(TRANSLATION_METRICS)}.")
    if not model.paired and any(m in names for m in ("l1", "psnr", "ssim")):
        raise ValueError("l1, psnr and ssim compare with paired targets; an unpaired model has "
                         "none. Use domain and fid with a domain judge.")
    if direction not in (None, "a2b", "b2a"):
        raise ValueError(f"direction must be 'a2b' or 'b2a', got {direction!r}.")
    trained = model.config.get("direction", "a2b") if model.paired else None
    if model.paired and direction not in (None, trained):
        raise ValueError(f"{model.name} was trained to translate {trained} only; drop the "
                         f"direction (--direction) or train one with direction: {direction}.")
    if model.paired and "cycle_l1" in names:
        raise ValueError("cycle_l1 measures an unpaired model's round trip F(G(x)); a paired "
                         "model translates one way. Use l1, psnr and ssim.")
    if any(m in names for m in ("domain", "fid")):
        if judge is None:
            raise judges.JudgeError("domain and fid need a domain judge (class 0 = domain A, 1 = "
                                    "B): train one with `ganzoo judge train DATA --out DIR` and "
                                    "pass --judge DIR.")
        judge = judges.resolve(judge, reference, model.data_shape)
    if reference is None:
        raise ValueError("Pass reference= (the dataset whose test split to translate).")
    if out:
        runs.check_writable(out, "out (--out)")
    if model.paired:
        a, b = datasets.read_pairs(reference, "test")
        direction = trained
    else:
        a, b = datasets.read_unpaired(reference, "test")
        direction = direction or "a2b"
    inputs, targets = (a, b) if direction == "a2b" else (b, a)
    if n:
        inputs, targets = inputs[:int(n)], targets[:int(n)]
    outputs = model.translate(inputs) if model.paired else model.translate(inputs, direction)
    target_class = 1 if direction == "a2b" else 0
    report = {"model": model.name, "direction": direction, "test_images": int(len(inputs)),
              "reference": os.fspath(reference) if isinstance(reference, (str, os.PathLike))
              else None, "judge": None if judge is None else judge.name,
              "judge_sha256": None if judge is None else
              getattr(judge, "record", {}).get("weights_sha256"),
              "resize": None if judge is None else getattr(judge, "resize", None),
              "real_split": "test", "metrics": {}}
    real = model.as_float(targets)
    for name in names:
        if name == "l1":
            report["metrics"]["l1"] = float(np.abs(outputs - real).mean())
        elif name == "psnr":
            report["metrics"]["psnr_db"] = float(tf.reduce_mean(tf.image.psnr(
                (outputs + 1) / 2, (real + 1) / 2, max_val=1.0)))
        elif name == "ssim":
            report["metrics"]["ssim"] = float(tf.reduce_mean(tf.image.ssim(
                tf.constant((outputs + 1) / 2), tf.constant((real + 1) / 2), max_val=1.0)))
        elif name == "cycle_l1":
            back = "b2a" if direction == "a2b" else "a2b"
            report["metrics"]["cycle_l1"] = float(np.abs(
                model.translate(outputs, direction=back) - model.as_float(inputs)).mean())
        elif name == "domain":
            report["metrics"]["domain_success"] = {
                "translated": float((judge.probs(outputs).argmax(1) == target_class).mean()),
                "real_targets": float((judge.probs(real).argmax(1) == target_class).mean())}
        elif name == "fid":
            read = datasets.read_pairs if model.paired else datasets.read_unpaired
            train = read(reference, "train")[target_class]
            ref = metrics_lib.feature_statistics(judge.features(train))

            def fid(images):
                feats = judge.features(images)
                metrics_lib.warn_few_samples(len(feats), feats.shape[1])
                return metrics_lib.frechet_distance_from_statistics(
                    *metrics_lib.feature_statistics(feats), *ref)
            report["metrics"]["fid"] = {"translated": fid(outputs), "real_targets": fid(real),
                                        "inputs": fid(model.as_float(inputs)),
                                        "real_split": "train", "real_images": int(len(train))}
    if out:
        report["report"] = save_report(report, os.path.join(out, "report.json"))
    return report
