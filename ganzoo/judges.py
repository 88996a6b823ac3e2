"""Judges: the classifiers that score generated images, one per domain.

A judge gives class probabilities and features of images (:class:`ganzoo.classifiers.Judge`).
ganzoo ships ``"mnist"`` (the digit CNN); ``"inception"`` is InceptionV3 for ImageNet-like data
(its weights must be available); any labelled dataset gets its own with :func:`train`
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
import time

import keras
import numpy as np

from ganzoo import classifiers, datasets, files
from ganzoo.errors import GanzooError

#: the judges ganzoo knows by name
SHIPPED = ("mnist", "inception")
RECORD = "judge.json"
MODEL = "model.keras"
CARD = "card.md"


class JudgeError(GanzooError, ValueError):
    """A judge that cannot be trained, loaded or used as asked; the message says what to do."""


# ----------------------------------------------------------------------------- architectures


def small_cnn(input_shape, classes):
    """:func:`ganzoo.classifiers.small_cnn` (the shipped MNIST judge's architecture) for images
    up to 28 px, with batch-norm statistics that settle within a few hundred steps."""
    return classifiers.small_cnn(input_shape, classes, bn_momentum=0.9)


def small_resnet(input_shape, classes, widths=(32, 64, 128), blocks=2):
    """A small ResNet for 32-64 px images: a 3x3 stem, ``blocks`` pre-activation residual blocks
    per stage (widths ``widths``, stride 2 between stages), global average pooling as the
    ``features`` layer and a softmax ``probs`` layer."""
    def conv(x, filters, stride, name):
        return keras.layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                                   kernel_initializer="he_normal", name=name)(x)

    inputs = keras.Input(input_shape, name="images")
    x = conv(inputs, widths[0], 1, "stem")
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
    probs = keras.layers.Dense(classes, activation="softmax", name="probs")(features)
    return keras.Model(inputs, probs, name="small_resnet")


def architecture_for(input_shape, classes):
    """The judge architecture for ``input_shape``: :func:`small_cnn` up to 28 px,
    :func:`small_resnet` from 32 to 64 px."""
    side = max(input_shape[:2])
    if side <= 28:
        return small_cnn(input_shape, classes)
    if side <= 64:
        return small_resnet(input_shape, classes)
    raise JudgeError(f"Judges are trained on images up to 64 px; these are {side} px. Resize "
                     "them (judges do not need full resolution), or use --judge inception.")


def _augmenter(input_shape):
    """Standard augmentation: 4 px (1/8) random translation, and horizontal flips for colour
    images (digits and letters must not be mirrored)."""
    layers = [keras.layers.RandomTranslation(0.125, 0.125, fill_mode="reflect")]
    if input_shape[-1] == 3:
        layers.insert(0, keras.layers.RandomFlip("horizontal"))
    return keras.Sequential(layers, name="augment")


# ----------------------------------------------------------------------------- training


def checksum(images, labels=None):
    """SHA-256 (first 16 hex digits) of uint8 images (and labels): names a dataset exactly."""
    h = hashlib.sha256(np.ascontiguousarray(images).tobytes())
    if labels is not None:
        h.update(np.asarray(labels, np.int64).tobytes())
    return h.hexdigest()[:16]


def train(data, out, epochs=None, batch_size=128, classes=None, holdout=0.1, seed=0,
          force=False, verbose=1, checkpoint_dir=None):
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
        verbose: Keras progress bar (1) or silence (0).
        checkpoint_dir: keep per-epoch checkpoints here, and resume from them (long runs).

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
    keras.utils.set_random_seed(seed)
    net = architecture_for(input_shape, num)
    inputs = keras.Input(input_shape)
    trainer = keras.Model(inputs, net(_augmenter(input_shape)(inputs)), name="judge_trainer")
    steps = epochs * (len(x) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(0.0, steps, warmup_target=2e-3,
                                                      warmup_steps=max(1, steps // 20))
    trainer.compile(keras.optimizers.AdamW(schedule, weight_decay=5e-4),
                    keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    start = time.perf_counter()
    callbacks = []
    if checkpoint_dir:
        callbacks.append(keras.callbacks.BackupAndRestore(checkpoint_dir))
    trainer.fit(_scaled(x), y, batch_size=batch_size, epochs=epochs, shuffle=True,
                verbose=verbose, callbacks=callbacks,
                validation_data=(_scaled(xt), yt))
    seconds = time.perf_counter() - start
    pred = np.argmax(net.predict(_scaled(xt), batch_size=500, verbose=0), axis=1)
    per_class = {names[c]: float((pred[yt == c] == c).mean()) if (yt == c).any() else None
                 for c in range(num)}
    record = {
        "name": os.path.basename(os.path.normpath(out)), "input_shape": list(input_shape),
        "classes": names, "feature_layer": "features", "architecture": net.name,
        "parameters": int(net.count_params()),
        "test_accuracy": float((pred == yt).mean()), "per_class_accuracy": per_class,
        "data": {"source": source, "train_images": int(len(x)), "test_images": int(len(xt)),
                 "test_split": test_split, "checksum": checksum(x, y),
                 "test_checksum": checksum(xt, yt)},
        "training": {"epochs": epochs, "batch_size": batch_size, "seed": seed,
                     "seconds": round(seconds, 1), "optimizer": "AdamW, cosine decay from 2e-3",
                     "augmentation": "random translation by 1/8"
                     + (" and horizontal flips" if input_shape[-1] == 3 else "")},
        "command": " ".join(["ganzoo judge train", source, "--out", out]
                            + ([f"--epochs {epochs}"] if epochs else [])),
    }
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
    import shutil
    import tempfile

    parent = os.path.dirname(os.path.abspath(out)) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".judge-", dir=parent)
    try:
        model.save(os.path.join(tmp, MODEL))
        record["weights_sha256"] = _sha256(os.path.join(tmp, MODEL))
        files.write_json(os.path.join(tmp, RECORD), record)
        with open(os.path.join(tmp, CARD), "w", encoding="utf-8") as f:
            f.write(card(record))
        if os.path.exists(out) and force:
            old = tmp + ".old"
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


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
        f"({t['optimizer']}; {t['augmentation']}).\n\n"
        "It scores generated images of this dataset only: Inception Score from its class "
        "probabilities, FID, KID and precision/recall from its `features` layer. Scores made "
        "with different judges are not comparable.\n\n"
        "| class | test accuracy |\n| --- | --- |\n" + rows + "\n")


# ----------------------------------------------------------------------------- loading


def load(name_or_path):
    """A judge by shipped name (``"mnist"``, ``"inception"``) or from a judge folder.

    Returns:
        A :class:`ganzoo.classifiers.Judge` with ``probs``/``features`` and, for judge
        folders, ``record`` (the folder's ``judge.json``).
    """
    key = os.fspath(name_or_path)
    if key == "mnist":
        judge = classifiers.Judge.default((28, 28, 1))
        if not hasattr(judge, "record"):
            info = classifiers.mnist_classifier_info()
            judge.record = {"name": "mnist_cnn", "classes": [str(c) for c in range(10)],
                            "input_shape": [28, 28, 1], "feature_layer": "features",
                            "test_accuracy": info["test_accuracy"],
                            "weights_sha256": _sha256(classifiers.MNIST_WEIGHTS),
                            "data": {"source": info["data"]["source"],
                                     "checksum": info["data"]["sha256"]}}
        return judge
    if key == "inception":
        return classifiers.Judge(classifiers.inception_v3(), features_layer="avg_pool",
                                 input_size=299, batch_size=100, name="inception_v3")
    record_path = os.path.join(key, RECORD)
    if not os.path.isfile(record_path):
        raise JudgeError(f"No judge named {key!r}: not one of {', '.join(SHIPPED)} and not a "
                         f"judge folder (no {RECORD}). Train one with `ganzoo judge train DATA "
                         "--out DIR`.")
    record = files.read_json(record_path, "judge record")
    model = keras.saving.load_model(os.path.join(key, MODEL), safe_mode=True)
    judge = classifiers.Judge(model, features_layer=record.get("feature_layer", "features"),
                              name=record.get("name") or os.path.basename(key))
    judge.record = record
    return judge


# ----------------------------------------------------------------------------- choosing


#: dataset names the shipped MNIST judge was trained for (the embedded digits are MNIST digits)
MNIST_NAMES = ("mnist", "digits")


def for_dataset(dataset, data_shape):
    """The shipped judge of ``dataset``, used automatically only when the data is that judge's
    own: ``"mnist"`` for MNIST (by tfds name, the embedded ``digits``, or an ``.npz`` named
    ``mnist`` or with MNIST's checksum) at 28x28x1.

    Raises:
        JudgeError: for any other data, listing the choices; ganzoo never scores one domain
            with another domain's judge on its own.
    """
    shape = tuple(int(d) for d in data_shape)
    name = None if dataset is None or not isinstance(dataset, (str, os.PathLike)) else \
        os.fspath(dataset)
    if name is not None and shape == (28, 28, 1) and _is_mnist(name):
        return load("mnist")
    what = f"{name!r}" if name is not None else "data given as arrays"
    raise JudgeError(
        f"No shipped judge knows {what} ({'x'.join(map(str, shape))}); ganzoo picks a judge "
        "only for its own dataset (mnist: MNIST digits). Choose one: --judge mnist (digits "
        "only), --judge inception (ImageNet-like photos; needs its weights), --judge PATH (a "
        "judge folder), or train one on labelled data of this domain: `ganzoo judge train DATA "
        "--out DIR` (Python: judge=...).")


def _is_mnist(name):
    base = os.path.basename(os.path.normpath(name)).lower()
    stem = base.split(":")[0].split("/")[0]
    if stem in MNIST_NAMES or os.path.splitext(stem)[0] in MNIST_NAMES:
        return True
    if os.path.isfile(name):
        known = classifiers.mnist_classifier_info().get("data", {}).get("sha256")
        return known is not None and _sha256(name, full=True) == known
    return False


def resolve(judge, dataset, data_shape):
    """The judge to use: ``judge`` as given (a :class:`~ganzoo.classifiers.Judge`, a Keras
    model, a shipped name or a judge folder), else :func:`for_dataset`."""
    if judge is None:
        return for_dataset(dataset, data_shape)
    if isinstance(judge, (str, os.PathLike)):
        return load(judge)
    return classifiers.as_judge(judge, data_shape)
