"""Pieces every network builder shares: the stride-2 plan from an image size, the inputs of
conditional generators and discriminators, spectral normalization and replica-synchronised
BatchNorm. Builders: :mod:`ganzoo.nets` (DCGAN, LSGAN, MLP), :mod:`ganzoo.resnets` (SNGAN's
ResNets) and :mod:`ganzoo.image_nets` (U-Net, ResNet translator, PatchGAN)."""

import keras
import tensorflow as tf
from keras import layers

from ganzoo import layers as ganzoo_layers


def upsampling_plan(image_shape, min_base=4):
    """How many stride-2 stages map a small base grid to ``image_shape``.

    Halves height and width while both are even and larger than ``min_base``:
    28x28 -> 7x7 base and 2 stages; 32x32 -> 4x4 and 3; 64x64 -> 4x4 and 4.

    Returns:
        ``(stages, base_height, base_width)``.

    Raises:
        ValueError: if the size allows no stride-2 stage at all.
    """
    h, w = int(image_shape[0]), int(image_shape[1])
    stages = 0
    while h % 2 == 0 and w % 2 == 0 and min(h, w) > min_base:
        h, w, stages = h // 2, w // 2, stages + 1
    if stages == 0:
        raise ValueError(f"image_shape {tuple(image_shape)} cannot be built from stride-2 "
                         "stages: height and width must be even and larger than "
                         f"{min_base} (e.g. 28, 32, 64).")
    return stages, h, w


def generator_inputs(latent_dim, num_classes):
    z = keras.Input((latent_dim,), name="z")
    if not num_classes:
        return z, z
    label = keras.Input((), dtype="int32", name="label")
    onehot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_onehot")(label)
    return [z, label], layers.Concatenate(name="z_label")([z, onehot])


def discriminator_inputs(data_shape, num_classes, label_input, flatten=False, scale=1.0,
                         join_maps=True):
    """The discriminator's inputs and what its first layer reads: the data (times ``scale``
    when it is not 1), joined with the one-hot label when ``label_input`` (as maps for images,
    unless ``flatten``: then the flattened image and the one-hot vector, so an MLP's input
    grows by K, not K maps). With ``join_maps=False`` an image's maps are left to the first
    convolution: what it reads is the pair ``(image, one-hot)`` for :func:`first_conv`."""
    x = keras.Input(tuple(data_shape), name="data")
    flat = layers.Flatten(name="flatten")(x) if flatten else x
    if scale != 1:
        flat = layers.Rescaling(scale, name="input_scale")(flat)
    if not (num_classes and label_input):
        return x, flat
    label = keras.Input((), dtype="int32", name="label")
    onehot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_onehot")(label)
    if len(data_shape) == 3 and not flatten:
        return [x, label], join_label_maps(flat, onehot) if join_maps else (flat, onehot)
    return [x, label], layers.Concatenate(name="data_label")([flat, onehot])


def join_label_maps(image, onehot):
    """``image`` joined with one constant map per class (the one-hot row spread over the image's
    height and width): ``(H, W, C) -> (H, W, C + K)``."""
    maps = layers.Reshape((1, 1, onehot.shape[-1]), name="label_grid")(onehot)
    maps = layers.UpSampling2D(tuple(image.shape[1:3]), name="label_maps")(maps)
    return layers.Concatenate(name="data_label")([image, maps])


def first_conv(x, conv, spectral_norm=False):
    """``conv`` (a ``keras.layers.Conv2D`` not yet called) on what
    ``discriminator_inputs(..., join_maps=False)`` returned: the image itself, or for an
    ``(image, one-hot)`` pair the same convolution over the image joined with the label maps,
    computed without them (:class:`ganzoo.layers.Conv2D`: same kernel, same outputs). Under
    ``spectral_norm`` the maps are joined (Keras' wrapper takes a single input)."""
    if isinstance(x, tuple) and spectral_norm:
        x = join_label_maps(*x)
    if isinstance(x, tuple):
        image, onehot = x
        conv = ganzoo_layers.Conv2D(**conv.get_config(), num_classes=onehot.shape[-1])
        return conv([image, onehot])
    return spectral(conv, spectral_norm)(x)


def spectral(layer, spectral_norm):
    """``layer`` wrapped in ``keras.layers.SpectralNormalization`` when ``spectral_norm``.

    Miyato et al. 2018, "Spectral Normalization for Generative Adversarial Networks": the
    kernel (reshaped to [fan_in, units]) is divided by its largest singular value, estimated
    by one power iteration per training call with a persistent vector u. Keras' layer writes
    the normalised kernel back into the variable before the forward pass, so the optimizer
    steps from W / sigma (no gradient through sigma itself); docs/configs.md says what this
    changes.
    """
    return layers.SpectralNormalization(layer, name=f"{layer.name}_sn") if spectral_norm \
        else layer


def synced_batch_norm(name, **kwargs):
    """BatchNormalization whose batch statistics span all replicas under ``tf.distribute``.

    ``synchronized=True`` changes nothing on one device; on several it makes a step equal to
    the single-device step on the global batch and keeps the moving statistics identical on
    every replica and worker (per-replica statistics would let them drift apart).
    """
    return layers.BatchNormalization(synchronized=True, name=name, **kwargs)


def replica_sum(x):
    """``x`` summed over the replicas of a ``tf.distribute`` strategy (``x`` itself on one
    device): the global-batch statistics the official code gets from one device.

    Example:

    ```python
    total = ganzoo.blocks.replica_sum(tf.reduce_sum(values))   # the same on every replica
    ```
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return x
    return context.all_reduce(tf.distribute.ReduceOp.SUM, x)


def global_mean(x):
    """The mean of ``x`` over its first axis across the whole global batch (every replica's
    rows), in float32: a sum and a count all-reduced together, so replicas holding unequal
    rows still agree with one device."""
    x = tf.cast(x, tf.float32)
    total = replica_sum(tf.concat([tf.reshape(tf.reduce_sum(x, axis=0), [-1]),
                                   tf.cast(tf.shape(x)[:1], tf.float32)], 0))
    return tf.reshape(total[:-1] / total[-1], tf.shape(x)[1:])


def replica_rows(draw, n, shape=()):
    """This replica's ``n`` rows of one draw of ``n * replicas`` rows, so that under
    ``tf.distribute`` (every replica holding the same seed state) replicas get distinct noise
    whose concatenation is what one device draws for the global batch."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return draw((n,) + tuple(shape))
    replicas, rid = context.num_replicas_in_sync, context.replica_id_in_sync_group
    return draw((n * replicas,) + tuple(shape))[rid * n:(rid + 1) * n]
