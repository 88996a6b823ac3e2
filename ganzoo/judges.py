"""Judges: the classifiers that score generated images, one per domain.

A judge gives class probabilities and features of images (:class:`ganzoo.classifiers.Judge`).
ganzoo ships ``"mnist"`` (the digit CNN) and ``"cifar10"`` (a small ResNet trained with
:func:`train`), each with the feature statistics of its dataset's train and test splits, so FID
against MNIST or CIFAR-10 needs no real images; ``"inception"`` is InceptionV3 for ImageNet-like
data (its weights must be available); any labelled dataset gets its own with :func:`train`
(``ganzoo judge train DATA --out DIR``), which writes a *judge folder*:

- ``model.keras``: the classifier (images in [-1, 1] -> class probabilities; the embedding is
  the layer named ``features``);
- ``judge.json``: its record: input shape, classes and their names, feature layer, test accuracy
  overall and per class, the data it learnt (source, split sizes, checksum), the command and the
  training time;
- ``card.md``: a card generated from the record.

:func:`load` takes a shipped name or a judge folder and returns a judge with ``probs(images)``
and ``features(images)`` (images uint8 or in [-1, 1]).
"""

import hashlib
import os

import keras
import numpy as np

from ganzoo import classifiers, datasets, files
from ganzoo.callbacks.clock import TrainingClock
from ganzoo import metrics as metrics_lib
from ganzoo.errors import GanzooError

#: the judges ganzoo knows by name
SHIPPED = ("mnist", "cifar10", "inception")
RECORD = "judge.json"
MODEL = "model.keras"
CARD = "card.md"
#: the shipped judges' own datasets: the names that mean them and the image shape
KNOWN_DATA = {
    "mnist": {"names": ("mnist", "digits"), "shape": (28, 28, 1)},
    "cifar10": {"names": ("cifar10", "cifar10_jpeg", "cifar-10"), "shape": (32, 32, 3)},
}
#: the shipped CIFAR-10 judge folder (written by ``tools/ship_judge.py``)
CIFAR10_DIR = os.path.join(classifiers.WEIGHTS_DIR, "cifar10")
#: the shipped reference statistics (:func:`make_reference_statistics`)
STATISTICS = {"mnist": os.path.join(classifiers.WEIGHTS_DIR, "mnist_cnn.stats.npz"),
              "cifar10": os.path.join(CIFAR10_DIR, "stats.npz")}


class JudgeError(GanzooError, ValueError):
    """A judge that cannot be trained, loaded or used as asked; the message says what to do."""


# ----------------------------------------------------------------------------- architectures


def small_cnn(input_shape, classes):
    """:func:`ganzoo.classifiers.small_cnn` (the shipped MNIST judge's architecture) for images
    up to 28 px, with batch-norm statistics that settle within a few hundred steps."""
    return classifiers.small_cnn(input_shape, classes, bn_momentum=0.9)


def small_resnet(input_shape, classes, widths=(32, 64, 128), blocks=2, downscale=1):
    """A small ResNet for 32-64 px images: a 3x3 stem, ``blocks`` pre-activation residual blocks
    per stage (widths ``widths``, stride 2 between stages), global average pooling as the
    ``features`` layer and a softmax ``probs`` layer. ``downscale`` > 1 averages the images
    down by that factor first (larger images)."""
    def conv(x, filters, stride, name):
        return keras.layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                                   kernel_initializer="he_normal", name=name)(x)

    inputs = keras.Input(input_shape, name="images")
    x = inputs
    if downscale > 1:
        x = keras.layers.AveragePooling2D(downscale, name="downscale")(x)
    x = conv(x, widths[0], 1, "stem")
    for s, width in enumerate(widths):
        for b in range(blocks):
            stride = 2 if (s > 0 and b == 0) else 1
            h = keras.layers.BatchNormalization(momentum=0.9, name=f"s{s}b{b}_bn1")(x)
            h = keras.layers.ReLU(name=f"s{s}b{b}_relu1")(h)
            shortcut = x
            if stride != 1 or x.shape[-1] != width:
                shortcut = keras.layers.Conv2D(width, 1, strides=stride, use_bias=False,
                                               name=f"s{s}b{b}_proj")(h)
            h = conv(h, width, stride, f"s{s}b{b}_conv1")
            h = keras.layers.BatchNormalization(momentum=0.9, name=f"s{s}b{b}_bn2")(h)
            h = keras.layers.ReLU(name=f"s{s}b{b}_relu2")(h)
            h = conv(h, width, 1, f"s{s}b{b}_conv2")
            x = keras.layers.Add(name=f"s{s}b{b}_add")([shortcut, h])
    x = keras.layers.BatchNormalization(momentum=0.9, name="final_bn")(x)
    x = keras.layers.ReLU(name="final_relu")(x)
    features = keras.layers.GlobalAveragePooling2D(name="features")(x)
    # float32 softmax even when the rest computes in bfloat16 (mixed-precision training)
    probs = keras.layers.Dense(classes, activation="softmax", name="probs",
                               dtype="float32")(features)
    return keras.Model(inputs, probs,
                       name="small_resnet" + (f"_down{downscale}" if downscale > 1 else ""))


def architecture_for(input_shape, classes):
    """The judge architecture for ``input_shape``: :func:`small_cnn` up to 28 px,
    :func:`small_resnet` from 32 to 64 px; larger images are first averaged down by the
    model's own pooling layer to at most 64 px (a judge needs no more to tell domains or
    classes apart), so the judge still takes the images at their own size."""
    side = max(input_shape[:2])
    if side <= 28:
        return small_cnn(input_shape, classes)
    if side <= 64:
        return small_resnet(input_shape, classes)
    factor = -(-side // 64)
    if any(d % factor for d in input_shape[:2]):
        raise JudgeError(f"Judges take images above 64 px when their sides divide by {factor} "
                         f"(they are averaged down by {factor}); these are "
                         f"{'x'.join(map(str, input_shape[:2]))}. Resize them, or use "
                         "--judge inception.")
    return small_resnet(input_shape, classes, downscale=factor)


def _augmenter(input_shape, cutout=0.0):
    """Standard augmentation: 4 px (1/8) random translation, and horizontal flips for colour
    images (digits and letters must not be mirrored). ``cutout`` > 0 also erases one random
    patch (2-25 % of the image, filled with mid-grey) from that share of the images
    (Random Erasing, Zhong et al. 2017; Cutout, DeVries & Taylor 2017)."""
    layers = [keras.layers.RandomTranslation(0.125, 0.125, fill_mode="reflect")]
    if input_shape[-1] == 3:
        layers.insert(0, keras.layers.RandomFlip("horizontal"))
    if cutout:
        layers.append(keras.layers.RandomErasing(factor=(cutout, cutout), scale=(0.02, 0.25),
                                                 fill_value=0.0, value_range=(-1.0, 1.0)))
    return keras.Sequential(layers, name="augment")


def _augmentation_text(input_shape, cutout):
    return ("random translation by 1/8" + (" and horizontal flips" if input_shape[-1] == 3
                                           else "")
            + (f"; random erasing of one 2-25 % patch in {cutout:.0%} of images" if cutout
               else ""))


def flip_averaged(net, features_layer="features"):
    """A judge that averages ``net``'s class probabilities and features over each image and its
    left-right mirror (test-time augmentation for colour photos, which the judges train on
    with random flips: +1.3 points of CIFAR-10 test accuracy for the shipped judge). Its
    ``features`` and ``probs`` layers are the averages (its outputs, probs first), so FID, IS
    and accuracy all use it.

    Args:
        net: a trained judge network with a ``features_layer`` and a softmax output.
        features_layer: the name of ``net``'s embedding layer.

    Example:

    ```python
    judge_net = ganzoo.judges.flip_averaged(keras.saving.load_model("judge/model.keras"))
    ```
    """
    from ganzoo import layers

    both = keras.Model(net.inputs, [net.get_layer(features_layer).output, net.outputs[0]],
                       name=net.name)
    inputs = keras.Input(tuple(net.input_shape[1:]), name="images")
    f1, p1 = both(inputs)
    f2, p2 = both(layers.HorizontalFlip(name="mirror")(inputs))
    features = keras.layers.Average(name="features")([f1, f2])
    probs = keras.layers.Average(name="probs", dtype="float32")([p1, p2])
    return keras.Model(inputs, [probs, features], name=net.name + "_flip_averaged")


# ----------------------------------------------------------------------------- training


def checksum(images, labels=None):
    """SHA-256 (first 16 hex digits) of uint8 images (and labels): names a dataset exactly."""
    h = hashlib.sha256(np.ascontiguousarray(images).tobytes())
    if labels is not None:
        h.update(np.asarray(labels, np.int64).tobytes())
    return h.hexdigest()[:16]


def accuracy_by_class(pred, labels, names):
    """Accuracy of predicted class indices ``pred`` against ``labels``, overall and per class
    (``{names[c]: accuracy}``; ``None`` for a class with no test images)."""
    pred, labels = np.asarray(pred), np.asarray(labels)
    per_class = {name: float((pred[labels == c] == c).mean()) if (labels == c).any() else None
                 for c, name in enumerate(names)}
    return float((pred == labels).mean()), per_class


def train(data, out, epochs=None, batch_size=128, classes=None, holdout=0.1, seed=0,
          force=False, verbose=1, checkpoint_dir=None, init=None, learning_rate=2e-3,
          cutout=0.0, precision="float32"):
    """Train a judge on a labelled dataset and write a judge folder.

    Args:
        data: anything :func:`ganzoo.datasets.load_arrays` reads with labels (a tfds name, a
            folder of class sub-folders, an ``.npz`` with ``x_train``/``y_train``).
        out: the judge folder to write (refused if it exists, unless ``force``; written under a
            temporary name and renamed when complete).
        epochs: training epochs; default 15 at up to 28 px, 30 above.
        batch_size: images per step.
        classes: class names; default the folder names, else ``"0"``, ``"1"``...
        holdout: share of the train split held out as the test set when ``data`` has no test
            split.
        seed: seed of the weights, the holdout split and the shuffling.
        force: replace an existing judge folder.
        verbose: Keras progress: a bar (1), a line an epoch (2) or silence (0).
        checkpoint_dir: keep per-epoch checkpoints here, and resume from them (long runs).
        init: a judge folder to continue from (a warm restart: its weights start a new cosine
            cycle of ``epochs``); its training time and command are kept in the record.
        learning_rate: the peak of the cosine schedule (reached after 5 % of the steps).
        cutout: share of training images that get one random patch erased (0 = none).
        precision: ``"float32"`` or ``"mixed_bfloat16"`` (about 1.4x faster on CPUs with
            bf16 units); the written judge always computes in float32.

    Returns:
        The judge, loaded from the written folder (:func:`load`).

    Example:

    ```python
    judge = ganzoo.judges.train("path/to/letters", "judges/letters")
    judge.probs(images)
    ```
    """
    out = os.fspath(out)
    if os.path.exists(out) and not force:
        raise JudgeError(f"{out!r} already exists; choose another --out or pass --force to "
                         "replace the judge there.")
    if os.path.exists(out) and not os.path.isfile(os.path.join(out, RECORD)):
        raise JudgeError(f"{out!r} exists and is not a judge folder (no {RECORD}); --force "
                         "replaces only a judge folder. Choose another --out.")
    source = os.fspath(data)
    x, y, xt, yt, domain_names = _labelled(source)
    rng = np.random.default_rng(seed)
    if xt is None or yt is None:
        order = rng.permutation(len(x))
        n_test = max(1, int(round(holdout * len(x))))
        x, y, xt, yt = x[order[n_test:]], y[order[n_test:]], x[order[:n_test]], y[order[:n_test]]
        test_split = f"{n_test} images held out of train (seed {seed})"
    else:
        test_split = "test"
    num = int(max(y.max(), yt.max())) + 1
    names = list(classes) if classes else (domain_names or _class_names(source, num))
    if len(names) != num:
        raise JudgeError(f"{len(names)} class names for {num} classes.")
    input_shape = tuple(int(d) for d in x.shape[1:])
    epochs = int(epochs or (15 if max(input_shape[:2]) <= 28 else 30))
    if precision not in ("float32", "mixed_bfloat16"):
        raise JudgeError(f"precision {precision!r}: use float32 or mixed_bfloat16.")
    if not 0.0 <= float(cutout) <= 1.0:
        raise JudgeError(f"cutout {cutout!r} is a share of images: give a value in [0, 1].")
    keras.utils.set_random_seed(seed)
    start = None
    if init is not None:
        start = files.read_json(os.path.join(init, RECORD), "judge record")
        if list(start["input_shape"]) != list(input_shape) or len(start["classes"]) != num:
            raise JudgeError(f"--init {init!r} judges {start['input_shape']} images of "
                             f"{len(start['classes'])} classes; this data is {input_shape} with "
                             f"{num} classes.")
    outer_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(precision)
    try:
        net = architecture_for(input_shape, num)
        if start is not None:
            net.set_weights(keras.saving.load_model(os.path.join(init, MODEL),
                                                    safe_mode=True).get_weights())
        inputs = keras.Input(input_shape)
        trainer = keras.Model(inputs, net(_augmenter(input_shape, cutout)(inputs)),
                              name="judge_trainer")
        steps = epochs * (len(x) // batch_size)
        schedule = keras.optimizers.schedules.CosineDecay(
            0.0, steps, warmup_target=float(learning_rate), warmup_steps=max(1, steps // 20))
        trainer.compile(keras.optimizers.AdamW(schedule, weight_decay=5e-4),
                        keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
        clock = TrainingClock(checkpoint_dir)
        callbacks = [clock]
        if checkpoint_dir:
            callbacks.append(keras.callbacks.BackupAndRestore(checkpoint_dir))
        trainer.fit(_scaled(x), y, batch_size=batch_size, epochs=epochs, shuffle=True,
                    verbose=verbose, callbacks=callbacks,
                    validation_data=(_scaled(xt), yt))
    finally:
        keras.mixed_precision.set_global_policy(outer_policy)
    if precision != "float32":  # the judge users load computes in float32
        trained, net = net, architecture_for(input_shape, num)
        net.set_weights(trained.get_weights())
    seconds = clock.seconds() + (start["training"]["seconds"] if start else 0.0)
    pred = np.argmax(net.predict(_scaled(xt), batch_size=500, verbose=0), axis=1)
    accuracy, per_class = accuracy_by_class(pred, yt, names)
    record = {
        "name": os.path.basename(os.path.normpath(out)), "input_shape": list(input_shape),
        "classes": names, "feature_layer": "features", "architecture": net.name,
        "parameters": int(net.count_params()),
        "test_accuracy": accuracy, "per_class_accuracy": per_class,
        "data": {"source": source, "train_images": int(len(x)), "test_images": int(len(xt)),
                 "test_split": test_split, "checksum": checksum(x, y),
                 "test_checksum": checksum(xt, yt)},
        "training": {"epochs": epochs, "batch_size": batch_size, "seed": seed,
                     "seconds": round(seconds, 1),
                     "optimizer": f"AdamW, cosine decay from {learning_rate:g}",
                     "precision": precision,
                     "augmentation": _augmentation_text(input_shape, cutout)},
        "command": " ".join(["ganzoo judge train", source, "--out", out]
                            + ([f"--epochs {epochs}"] if epochs else [])
                            + ([f"--init {init}"] if init else [])
                            + ([f"--learning-rate {learning_rate:g}"]
                               if init or learning_rate != 2e-3 else [])
                            + ([f"--cutout {cutout:g}"] if cutout else [])
                            + ([f"--precision {precision}"] if precision != "float32" else [])),
    }
    if start is not None:  # a warm restart: what it continued, with that run's cost included
        record["training"]["continued_from"] = {
            "command": start["command"], "epochs": start["training"]["epochs"],
            "seconds": start["training"]["seconds"], "test_accuracy": start["test_accuracy"],
            "optimizer": start["training"]["optimizer"]}
        if start["training"].get("continued_from"):
            record["training"]["continued_from"]["continued_from"] = start["training"][
                "continued_from"]
    _write_folder(net, record, out, force)
    return load(out)


def _labelled(source):
    """``(x, y, x_test or None, y_test or None, class names or None)`` of a labelled dataset,
    or of an image-to-image dataset as two classes (0 = domain A, 1 = domain B): the domain
    judge that scores translations."""
    try:
        x, y = datasets.load_arrays(source, "train")
    except (datasets.DataError, ValueError):
        x = y = None
    if y is not None:
        xt = yt = None
        if not os.path.isdir(source):  # a folder has no splits: part of it is held out
            try:
                xt, yt = datasets.load_arrays(source, "test")
            except (datasets.DataError, ValueError, KeyError):
                pass
        return x, y, xt, yt, None
    domains = _domain_arrays(source, "train")
    if domains is None:
        raise JudgeError(f"{source!r} has no labels; a judge learns classes. Use class "
                         "sub-folders, an .npz with y_train, a labelled tfds dataset, or an "
                         "image-to-image dataset (its two domains become the classes A and B).")
    test = _domain_arrays(source, "test")
    return (*domains, *(test or (None, None)), ["A", "B"])


def _domain_arrays(source, split):
    for read in (datasets.read_unpaired, datasets.read_pairs):
        try:
            a, b = read(source, split)
        except (datasets.DataError, ValueError):
            continue
        return (np.concatenate([a, b]),
                np.concatenate([np.zeros(len(a), np.int32), np.ones(len(b), np.int32)]))
    return None


def _class_names(source, num):
    if os.path.isdir(source):
        subdirs = sorted(d for d in os.listdir(source)
                         if os.path.isdir(os.path.join(source, d)) and not d.startswith("."))
        if len(subdirs) == num:
            return subdirs
    return [str(c) for c in range(num)]


def _scaled(images):
    return datasets.to_float_images(images).numpy()


def _write_folder(model, record, out, force):
    """Write model, record and card into ``out`` atomically: a temporary sibling folder, then
    one rename (an existing judge is replaced only when complete)."""
    with files.atomic_folder(out) as tmp:  # the earlier folder goes only once this is whole
        model.save(os.path.join(tmp, MODEL))
        record["weights_sha256"] = _sha256(os.path.join(tmp, MODEL))
        files.write_json(os.path.join(tmp, RECORD), record)
        with open(os.path.join(tmp, CARD), "w", encoding="utf-8") as f:
            f.write(card(record))


def _sha256(path, full=False):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest() if full else h.hexdigest()[:16]


def card(record):
    """The Markdown card of a judge, from its record."""
    rows = "\n".join(f"| {name} | " + ("-" if acc is None else f"{acc:.1%}") + " |"
                     for name, acc in record["per_class_accuracy"].items())
    d, t = record["data"], record["training"]
    return (
        f"# Judge `{record['name']}`\n\n"
        f"A {record['architecture']} ({record['parameters']:,} parameters) on "
        f"{'x'.join(map(str, record['input_shape']))} images with {len(record['classes'])} "
        f"classes, trained by `{record['command']}`.\n\n"
        f"**Test accuracy: {record['test_accuracy']:.2%}** on {d['test_images']:,} images "
        f"({d['test_split']}); trained on {d['train_images']:,} images of `{d['source']}` "
        f"(checksum {d['checksum']}) for {t['epochs']} epochs in {t['seconds']:.0f} s "
        f"({t['optimizer']}; {t['augmentation']})"
        + (f"; at test time {record['test_time']}" if record.get("test_time") else "")
        + ".\n\n"
        "It scores generated images of this dataset only: Inception Score from its class "
        "probabilities, FID, KID and precision/recall from its `features` layer. Scores made "
        "with different judges are not comparable.\n\n"
        "| class | test accuracy |\n| --- | --- |\n" + rows + "\n")


# ----------------------------------------------------------------------------- loading


def load(name_or_path):
    """A judge by shipped name (``"mnist"``, ``"cifar10"``, ``"inception"``) or from a judge
    folder.

    Returns:
        A :class:`ganzoo.classifiers.Judge` with ``probs``/``features`` and, for the shipped
        judges and judge folders, ``record`` (the folder's ``judge.json``; a shipped judge's
        record names it under ``"shipped"``).

    Example:

    ```python
    judge = ganzoo.judges.load("cifar10")
    judge.record["test_accuracy"]
    ```
    """
    key = os.fspath(name_or_path)
    if key == "mnist":
        judge = classifiers.Judge.default((28, 28, 1))
        if not hasattr(judge, "record"):
            info = classifiers.mnist_classifier_info()
            judge.record = {"name": "mnist_cnn", "shipped": "mnist",
                            "classes": [str(c) for c in range(10)],
                            "input_shape": [28, 28, 1], "feature_layer": "features",
                            "test_accuracy": info["test_accuracy"],
                            "weights_sha256": _sha256(classifiers.MNIST_WEIGHTS),
                            "data": {"source": info["data"]["source"],
                                     "checksum": info["data"]["sha256"]}}
        return judge
    if key == "cifar10":
        if key not in _LOADED:
            if not os.path.isfile(os.path.join(CIFAR10_DIR, RECORD)):
                raise JudgeError(
                    f"This ganzoo has no shipped CIFAR-10 judge ({CIFAR10_DIR} is missing): "
                    "train one with `ganzoo judge train cifar10_jpeg.npz --out DIR` (about 90 "
                    "CPU-minutes) and pass --judge DIR (judge=DIR in Python).")
            judge = _load_folder(CIFAR10_DIR)
            judge.record["shipped"] = "cifar10"
            _LOADED[key] = judge
        return _LOADED[key]
    if key == "inception":
        return classifiers.Judge(classifiers.inception_v3(), features_layer="avg_pool",
                                 input_size=299, batch_size=100, name="inception_v3")
    if not os.path.isfile(os.path.join(key, RECORD)):
        raise JudgeError(f"No judge named {key!r}: not one of {', '.join(SHIPPED)} and not a "
                         f"judge folder (no {RECORD}). Train one with `ganzoo judge train DATA "
                         "--out DIR`.")
    return _load_folder(key)


_LOADED = {}


def _load_folder(folder):
    record = files.read_json(os.path.join(folder, RECORD), "judge record")
    model = keras.saving.load_model(os.path.join(folder, MODEL), safe_mode=True)
    judge = classifiers.Judge(model, features_layer=record.get("feature_layer", "features"),
                              name=record.get("name") or os.path.basename(folder))
    record.setdefault("weights_sha256", _sha256(os.path.join(folder, MODEL)))
    judge.record = record
    return judge


# ----------------------------------------------------------------------------- reference statistics


def reference_statistics(name, split="train"):
    """The shipped feature statistics of a shipped judge's own dataset.

    Args:
        name: ``"mnist"`` or ``"cifar10"``.
        split: ``"train"`` (60,000 / 50,000 images) or ``"test"`` (10,000).

    Returns:
        ``(mean (D,), covariance (D, D), number of images)``, float64, in the judge's
        ``features`` space: what :func:`ganzoo.metrics.frechet_distance_from_statistics` takes.

    Example:

    ```python
    mu, sigma, n = ganzoo.judges.reference_statistics("cifar10")
    feats = ganzoo.judges.load("cifar10").features(gan.generate(10_000))
    fid = ganzoo.metrics.frechet_distance_from_statistics(
        *ganzoo.metrics.feature_statistics(feats), mu, sigma)
    ```
    """
    if name not in STATISTICS:
        raise JudgeError(f"No shipped statistics for {name!r}; ganzoo ships them for "
                         f"{', '.join(STATISTICS)}.")
    if split not in ("train", "test"):
        raise JudgeError(f"split must be 'train' or 'test', not {split!r}.")
    with np.load(STATISTICS[name], allow_pickle=False) as f:
        return (f[f"{split}_mean"].astype(np.float64), f[f"{split}_cov"].astype(np.float64),
                int(f[f"{split}_n"]))


def statistics_info(name):
    """What a shipped statistics file records besides the numbers: the judge's weights hash,
    the source file's SHA-256 and the checksums a run of that data records (``data_sha256``)."""
    if name not in STATISTICS or not os.path.isfile(STATISTICS[name]):
        return {}
    with np.load(STATISTICS[name], allow_pickle=False) as f:
        return {"judge_sha256": str(f["judge_sha256"]), "file_sha256": str(f["file_sha256"]),
                "run_data_sha256": [str(v) for v in f["run_data_sha256"]],
                "source": str(f["source"])}


def make_reference_statistics(name, data, out=None):
    """Compute a shipped judge's reference statistics from its dataset file (``tools/``).

    Args:
        name: ``"mnist"`` or ``"cifar10"``.
        data: the dataset file (``mnist.npz``, ``cifar10_jpeg.npz``) with train and test splits.
        out: the ``.npz`` to write (default the shipped location); written under a temporary
            name and renamed.

    Returns:
        The path written.
    """
    from ganzoo import runs

    judge = load(name)
    arrays = {}
    for split in ("train", "test"):
        x, y = datasets.load_arrays(data, split=split)
        if x.ndim == 3:
            x = x[..., None]
        if tuple(x.shape[1:]) != KNOWN_DATA[name]["shape"]:
            raise JudgeError(f"{data!r} holds {x.shape[1:]} images, not {name}'s "
                             f"{KNOWN_DATA[name]['shape']}.")
        mean, cov = metrics_lib.feature_statistics(judge.features(x))
        arrays.update({f"{split}_mean": mean, f"{split}_cov": cov, f"{split}_n": len(x)})
        if split == "train":  # what run.json records for this data, with and without labels
            arrays["run_data_sha256"] = np.array([runs.data_checksum(x, y),
                                                  runs.data_checksum(x, None)])
    arrays.update(judge_sha256=judge.record["weights_sha256"], file_sha256=_sha256(data, True),
                  source=os.path.basename(os.fspath(data)))
    out = out or STATISTICS[name]
    tmp = out + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, out)
    return out


def shipped_statistics(judge, reference=None, split="train"):
    """The shipped statistics to compare with, or ``None``: when ``judge`` is a shipped judge
    with statistics and ``reference`` is ``None`` or names that judge's own dataset (so no real
    image needs loading)."""
    name = getattr(judge, "record", {}).get("shipped")
    if name not in STATISTICS or not os.path.isfile(STATISTICS[name]):
        return None
    if reference is not None and not (isinstance(reference, str)
                                      and reference.lower() in KNOWN_DATA[name]["names"]):
        return None
    return reference_statistics(name, split)


# ----------------------------------------------------------------------------- choosing


def for_dataset(dataset, data_shape, data_sha256=None):
    """The shipped judge of ``dataset``, used automatically only when the data is that judge's
    own: ``"mnist"`` for MNIST at 28x28x1 (by tfds name, the embedded ``digits``, an ``.npz``
    named ``mnist``, MNIST's file checksum or a run's recorded ``data_sha256``), ``"cifar10"``
    for CIFAR-10 at 32x32x3 likewise.

    Args:
        dataset: the data's name or path (``None`` or arrays: only the checksum can match).
        data_shape: the images' shape.
        data_sha256: the checksum ``run.json`` records for the training data, if known.

    Raises:
        JudgeError: for any other data, listing the choices; ganzoo never scores one domain
            with another domain's judge on its own.
    """
    shape = tuple(int(d) for d in data_shape)
    name = None if dataset is None or not isinstance(dataset, (str, os.PathLike)) else \
        os.fspath(dataset)
    for judge_name, known in KNOWN_DATA.items():
        if shape == known["shape"] and _is_dataset_of(judge_name, name, data_sha256):
            return load(judge_name)
    what = f"{name!r}" if name is not None else "data given as arrays"
    raise JudgeError(
        f"No shipped judge knows {what} ({'x'.join(map(str, shape))}); ganzoo picks a judge "
        "only for its own dataset (mnist: MNIST digits, cifar10: CIFAR-10). Choose one: --judge "
        "mnist (digits only), --judge cifar10 (CIFAR-10's ten classes only), --judge inception "
        "(ImageNet-like photos; needs its weights), --judge PATH (a judge folder), or train one "
        "on labelled data of this domain: `ganzoo judge train DATA --out DIR` (Python: "
        "judge=...).")


def _is_dataset_of(judge_name, name, data_sha256):
    names = KNOWN_DATA[judge_name]["names"]
    info = statistics_info(judge_name)
    if data_sha256 and data_sha256 in info.get("run_data_sha256", ()):
        return True
    if name is None:
        return False
    base = os.path.basename(os.path.normpath(name)).lower()
    stem = base.split(":")[0].split("/")[0]
    if stem in names or os.path.splitext(stem)[0] in names:
        return True
    if os.path.isfile(name):
        known = {info.get("file_sha256")}
        if judge_name == "mnist":
            known.add(classifiers.mnist_classifier_info().get("data", {}).get("sha256"))
        known.discard(None)
        return bool(known) and _sha256(name, full=True) in known
    return False


def resolve(judge, dataset, data_shape, data_sha256=None):
    """The judge to use: ``judge`` as given (a :class:`~ganzoo.classifiers.Judge`, a Keras
    model, a shipped name or a judge folder), else :func:`for_dataset`."""
    if judge is None:
        return for_dataset(dataset, data_shape, data_sha256)
    if isinstance(judge, (str, os.PathLike)):
        return load(judge)
    return classifiers.as_judge(judge, data_shape)
