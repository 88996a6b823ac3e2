"""Checks on data before and while it trains: value ranges, labels, shapes, streamed batches.

Every check raises :class:`DataError` with a message that names the problem and the fix, before
anything trains or is written.
"""

import re
import warnings

import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError

#: the marker of ganzoo's in-pipeline data checks in TensorFlow's error messages
CHECK_MARKER = "GANZOO_DATA_ERROR"


class DataError(GanzooError, ValueError):
    """Input data that cannot be used as given; the message says how to fix it."""


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


def require_labels(has_labels, num_classes):
    if num_classes and not has_labels:
        raise DataError(f"This model is conditional ({num_classes} classes) and needs labels: "
                        "pass (images, labels) elements, or x=images, y=labels.")


def check_values(sample, is_image, where):
    """Images: :func:`check_value_range`; vectors: every value finite."""
    if is_image:
        return check_value_range(sample, where)
    arr = sample.numpy() if hasattr(sample, "numpy") else np.asarray(sample)
    finite = np.isfinite(arr.reshape(len(arr), -1)).all(1)
    if not finite.all():
        raise DataError(f"{where}: {_first_bad(finite == 0, 'vector')} contains NaN or infinite "
                        "values; clean the data first.")


def check_channels_last(shape, where="images"):
    """Refuse channels-first images (C, H, W) with the transpose that fixes them."""
    shape = tuple(shape)
    if len(shape) == 3 and shape[0] in (1, 3, 4) and shape[-1] not in (1, 3, 4) \
            and shape[1] is not None and shape[1] > 4:
        raise DataError(f"{where} have shape {shape}: channels first (C, H, W). ganzoo takes "
                        "channels last (H, W, C); pass x.transpose(0, 2, 3, 1) (NumPy) or "
                        "tf.transpose(x, [0, 2, 3, 1]).")


def check_shape(shape, data_shape, where, fix=None):
    """Refuse data whose per-sample ``shape`` is not the model's ``data_shape`` (``None`` dims
    of a dataset's spec match anything; (H, W) matches a one-channel (H, W, 1)). The one shape
    check of every loader and ``fit``.

    Args:
        shape: the shape of one sample as found.
        data_shape: the shape the model takes.
        where: words naming the data in the message.
        fix: what to do about it; by default, rebuild the model or reshape/resize the data.
    """
    shape, data_shape = tuple(shape), tuple(int(d) for d in data_shape)
    if len(data_shape) == 1:
        if shape != data_shape:
            fix = fix or (f"build with data_shape=[{shape[0]}]" if len(shape) == 1 else
                          "reshape them to (N, D)")
            raise DataError(f"{where} have shape {shape} per sample but the model's data_shape "
                            f"is {list(data_shape)}; {fix}.")
        return
    if len(shape) == 2 and data_shape[-1] == 1:
        shape = shape + (1,)
    if len(shape) != 3 or any(s is not None and s != t for s, t in zip(shape, data_shape)):
        check_channels_last(shape, where)
        got = "x".join("?" if s is None else str(s) for s in shape)
        want = "x".join(str(s) for s in data_shape)
        fix = fix or (f"build the model with data_shape=({', '.join(map(str, shape))}) or "
                      "resize the data")
        raise DataError(f"{where} have shape {shape} but the model takes {data_shape}: {got} "
                        f"(H x W x C) where its data_shape is {want}; {fix}.")


def is_batched(shape, data_shape):
    if len(shape) == len(data_shape) + 1:
        return True
    if len(data_shape) == 3 and len(shape) == 3 and data_shape[-1] == 1 and shape[-1] != 1:
        return True  # (batch, H, W) greyscale
    return False


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
