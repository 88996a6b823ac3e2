"""Data for image-to-image models: paired ``(input, target)`` and unpaired ``(a, b)`` images.

Reached as ``ganzoo.datasets.load_paired`` / ``load_unpaired`` / ``read_pairs`` /
``read_unpaired`` (and ``ganzoo.data.*``). Sources:

- paired (pix2pix): ``"digits_edges"`` (embedded: edge map -> digit, 32x32x1); a folder of
  side-by-side images, A on the left and B on the right, in ``<folder>/<split>/`` (the pix2pix
  datasets' layout) or directly in ``<folder>``; a folder with ``A/`` and ``B/`` sub-folders
  (optionally under ``<split>/``) whose files have matching names; an ``.npz`` with
  ``a_<split>`` / ``b_<split>`` arrays.
- unpaired (CycleGAN): ``"digits_thickness"`` (embedded: thin digits <-> bold digits, disjoint
  halves of the digits, 32x32x1); the CycleGAN layout ``trainA/ trainB/ testA/ testB/``; a
  tensorflow-datasets name ``cycle_gan/<name>``; an ``.npz`` with ``trainA`` / ``trainB`` /
  ``testA`` / ``testB`` arrays.

Images are uint8 in the readers and float32 in [-1, 1] in the ``tf.data`` pipelines.
"""

import os

import numpy as np
import tensorflow as tf

from ganzoo.data.pipeline import to_float_images
from ganzoo.data.readers import (image_files, load_digits, read_images, read_npz_arrays,
                                 tfds_unpaired)
from ganzoo.data.validation import DataError, check_shape, check_value_range

PAIRED_DEMOS = ("digits_edges",)
#: what to do when image-to-image data does not fit the model
FIX = "resize the images, or build the model with the data's data_shape (and target_channels)"
UNPAIRED_DEMOS = ("digits_thickness",)


# ----------------------------------------------------------------------------- embedded demos


def _pad32(images):
    return np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)))


def _grey_filter(images, reduce):
    """3x3 max (dilation) or min (erosion) filter of uint8 images (N, H, W, 1)."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = images.shape[1:3]
    stack = [padded[:, i:i + h, j:j + w] for i in range(3) for j in range(3)]
    return reduce(np.stack(stack), axis=0)


def digits_edges(split="train"):
    """Embedded paired demo: ``(edge maps, digits)``, uint8 (N, 32, 32, 1).

    The edge map is the morphological gradient (3x3 dilation minus erosion) of the digit,
    thresholded at 64: a deterministic input whose target is the digit it came from.
    """
    digits = _pad32(load_digits(split)[0])
    gradient = _grey_filter(digits, np.max).astype(np.int16) - _grey_filter(digits, np.min)
    edges = np.where(gradient > 64, 255, 0).astype(np.uint8)
    return edges, digits


def digits_thickness(split="train"):
    """Embedded unpaired demo: ``(thin digits, bold digits)``, uint8 (N, 32, 32, 1).

    A: 3x3 erosion of the first half of each class; B: 3x3 dilation of the second half, so no
    digit appears in both domains.
    """
    digits, labels = load_digits(split)
    digits = _pad32(digits)
    first = np.zeros(len(labels), bool)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        first[idx[:len(idx) // 2]] = True
    return _grey_filter(digits[first], np.min), _grey_filter(digits[~first], np.max)


# ----------------------------------------------------------------------------- readers


def _read_folder(folder):
    """``(file names, uint8 images)`` of a domain folder."""
    files = image_files(folder)
    return [os.path.basename(f) for f in files], read_images(files, folder)


def _npz_pair(path, key_a, key_b, layout):
    """The A and B arrays of an ``.npz``."""
    arrays = read_npz_arrays(path, [key_a, key_b], layout=layout)
    return arrays[key_a], arrays[key_b]


def _split_dir(folder, split):
    sub = os.path.join(folder, split)
    return sub if os.path.isdir(sub) else folder


def _check_pair_arrays(a, b, where):
    if len(a) == 0 or len(b) == 0:
        raise DataError(f"{where}: a domain is empty ({len(a)} A images, {len(b)} B images).")
    if len(a) != len(b):
        raise DataError(f"{where}: {len(a)} A images but {len(b)} B images; paired data needs "
                        "one B for every A.")
    if a.shape[1:3] != b.shape[1:3]:
        raise DataError(f"{where}: A images are {a.shape[1]}x{a.shape[2]} but B images are "
                        f"{b.shape[1]}x{b.shape[2]}; pairs must have one size.")


def read_pairs(source, split="train"):
    """Paired images ``(a, b)``, uint8 (N, H, W, C) each, from any paired source."""
    source = os.fspath(source)
    if source == "digits_edges":
        return digits_edges(split)
    if os.path.isfile(source):
        a, b = _npz_pair(source, f"a_{split}", f"b_{split}", "a_train/b_train keys")
        _check_pair_arrays(a, b, source)
        return a, b
    if not os.path.isdir(source):
        raise DataError(f"Unknown paired dataset {source!r}: not 'digits_edges', an .npz file or "
                        "a folder (side-by-side images, or A/ and B/ sub-folders).")
    folder = _split_dir(source, split)
    if os.path.isdir(os.path.join(folder, "A")) and os.path.isdir(os.path.join(folder, "B")):
        names_a, a = _read_folder(os.path.join(folder, "A"))
        names_b, b = _read_folder(os.path.join(folder, "B"))
        stem = lambda n: os.path.splitext(n)[0]  # noqa: E731
        only_a = sorted(set(map(stem, names_a)) - set(map(stem, names_b)))
        only_b = sorted(set(map(stem, names_b)) - set(map(stem, names_a)))
        if only_a or only_b:
            raise DataError(f"{folder!r}: A/ and B/ must hold files with matching names; only in "
                            f"A: {only_a[:5]}, only in B: {only_b[:5]}.")
        _check_pair_arrays(a, b, folder)
        return a, b
    _, joined = _read_folder(folder)
    if joined.shape[2] % 2:
        raise DataError(f"Side-by-side images in {folder!r} are {joined.shape[2]} px wide, an odd "
                        "width; each must be A and B of equal width next to each other.")
    half = joined.shape[2] // 2
    return joined[:, :, :half], joined[:, :, half:]


def read_unpaired(source, split="train"):
    """Unpaired images ``(a, b)``, uint8, from any unpaired source (the counts may differ)."""
    source = os.fspath(source)
    if source == "digits_thickness":
        return digits_thickness(split)
    if os.path.isfile(source):
        a, b = _npz_pair(source, f"{split}A", f"{split}B",
                         "trainA/trainB keys (or a folder with trainA/ and trainB/)")
    elif os.path.isdir(source):
        dirs = [os.path.join(source, f"{split}{d}") for d in "AB"]
        missing = [d for d in dirs if not os.path.isdir(d)]
        if missing:
            raise DataError(f"{source!r} needs the CycleGAN layout {split}A/ and {split}B/; "
                            f"missing {', '.join(os.path.basename(m) for m in missing)}.")
        a, b = _read_folder(dirs[0])[1], _read_folder(dirs[1])[1]
    elif source.startswith("cycle_gan"):
        a, b = tfds_unpaired(source, split)
    else:
        raise DataError(f"Unknown unpaired dataset {source!r}: not 'digits_thickness', an .npz, "
                        "a folder with trainA/ and trainB/, or a tensorflow-datasets "
                        "'cycle_gan/<name>'.")
    if len(a) == 0 or len(b) == 0:
        raise DataError(f"{source!r}: a domain is empty ({len(a)} A images, {len(b)} B images).")
    if a.shape[1:] != b.shape[1:]:
        raise DataError(f"{source!r}: A images are {a.shape[1:]} but B images are {b.shape[1:]}; "
                        "both domains need one size and channel count.")
    return a, b


# ----------------------------------------------------------------------------- pipelines


def load_paired(source, split="train", direction="a2b", batch_size=None, shuffle=True, seed=None):
    """Paired data as a ``tf.data.Dataset`` of ``(input, target)``, float32 in [-1, 1].

    Args:
        source: see the module docstring.
        direction: ``"a2b"`` (input A, target B) or ``"b2a"``.
        batch_size: ``None`` for unbatched elements (``fit`` batches them).

    Example:

    ```python
    ds = ganzoo.datasets.load_paired("digits_edges")    # (edges, digit) pairs, 32x32x1
    ```
    """
    a, b = read_pairs(source, split)
    x, y = (a, b) if direction == "a2b" else (b, a)
    return _pipeline(tf.data.Dataset.from_tensor_slices((x, y)), len(x), batch_size, shuffle, seed)


def load_unpaired(source, split="train", batch_size=None, shuffle=True, seed=None):
    """Unpaired data as a ``tf.data.Dataset`` of ``(a, b)``, float32 in [-1, 1].

    An epoch is as long as the larger domain; the smaller one is drawn again (reshuffled)
    to fill it, as in CycleGAN's loader.
    """
    a, b = read_unpaired(source, split)
    n = max(len(a), len(b))
    da = _endless(a, shuffle, seed).take(n)
    db = _endless(b, shuffle, None if seed is None else seed + 1).take(n)
    return _pipeline(tf.data.Dataset.zip((da, db)), n, batch_size, False, seed)


def _endless(images, shuffle, seed):
    ds = tf.data.Dataset.from_tensor_slices(images)
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return ds.repeat()


def _pipeline(ds, n, batch_size, shuffle, seed):
    if shuffle:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    ds = ds.apply(tf.data.experimental.assert_cardinality(n))
    if batch_size is not None:
        ds = ds.batch(int(batch_size), drop_remainder=True)
    ds = ds.map(lambda p, q: (to_float_images(p), to_float_images(q)),
                num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def jitter(a, b, size, scale=1.12, seed=None):
    """pix2pix's random jitter, the same for both images: resize up by ``scale`` (256 -> 286),
    crop back to ``size`` at a random place, mirror left-right with probability 0.5.

    Works on single images (H, W, C) and batches (N, H, W, C; one crop and flip per batch).
    """
    big = int(round(size * scale))
    both = tf.concat([a, b], axis=-1)
    resized = tf.image.resize(both, (big, big), method="bilinear")
    crop_shape = tf.concat([tf.shape(resized)[:-3], [size, size, tf.shape(resized)[-1]]], 0)
    cropped = tf.image.random_crop(resized, crop_shape, seed=seed)
    flipped = tf.cond(tf.random.uniform((), seed=seed) < 0.5,
                      lambda: tf.reverse(cropped, axis=[-2]), lambda: cropped)
    ca = a.shape[-1]
    return flipped[..., :ca], flipped[..., ca:]


def prepare_pairs(x, y=None, input_shape=None, target_channels=None, batch_size=1, seed=None,
                  augment=False, paired=True):
    """The input pipeline of the image-to-image models' ``fit``: validate, batch, normalise.

    Accepts a ``tf.data.Dataset`` of 2-tuples (batched or not) or arrays ``x`` and ``y``. Checks
    both images' sizes and channels against the model (``input_shape`` and
    ``target_channels``) and their value ranges before training.
    """
    names = ("inputs", "targets") if paired else ("A images", "B images")
    h, w, c = (int(d) for d in input_shape)
    expect = [(h, w, c), (h, w, int(target_channels or c))]
    if isinstance(x, tf.data.Dataset):
        if y is not None:
            raise DataError("Pass a dataset of (a, b) pairs, not y=, when x is a tf.data.Dataset.")
        spec = x.element_spec
        if not isinstance(spec, tuple) or len(spec) != 2:
            raise DataError(f"Image-to-image data must yield 2-tuples of images ({names[0]}, "
                            f"{names[1]}); got elements {spec}.")
        batched = len(spec[0].shape) == 4
        first = next(iter(x.take(1)), None)
        if first is None:
            raise DataError("The dataset is empty: no images to train on.")
        for i in range(2):
            sample = first[i] if batched else first[i][None]
            check_shape(tuple(sample.shape[1:]), expect[i], names[i], fix=FIX)
            check_value_range(sample, where=names[i])
        ds = x if batched else x.batch(int(batch_size), drop_remainder=True)
    else:
        if x is None or y is None:
            raise DataError(f"Pass both {names[0]} and {names[1]}: fit(x={names[0]}, "
                            f"y={names[1]}) or a dataset of pairs.")
        x, y = np.asarray(x), np.asarray(y)
        x, y = (x[..., None] if x.ndim == 3 else x), (y[..., None] if y.ndim == 3 else y)
        for arr, shape, name in ((x, expect[0], names[0]), (y, expect[1], names[1])):
            if len(arr) == 0:
                raise DataError(f"{name} are empty: no images to train on.")
            check_shape(tuple(arr.shape[1:]), shape, name, fix=FIX)
            check_value_range(arr, where=name)
        if paired and len(x) != len(y):
            raise DataError(f"{len(x)} {names[0]} but {len(y)} {names[1]}; pass one target per "
                            "input.")
        if paired:
            ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
        else:
            n = max(len(x), len(y))
            seed_b = None if seed is None else seed + 1
            ds = tf.data.Dataset.zip((_endless(x, True, seed).take(n),
                                      _endless(y, True, seed_b).take(n)))
        ds = ds.batch(int(batch_size), drop_remainder=True)
    ds = ds.map(lambda p, q: (to_float_images(p), to_float_images(q)),
                num_parallel_calls=tf.data.AUTOTUNE)
    if augment:
        ds = ds.map(lambda p, q: jitter(p, q, h, seed=None), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
