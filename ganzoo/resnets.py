"""Residual generator and discriminator of SNGAN (Miyato et al. 2018, Appendix B, Table 4),
the networks of the ``resnet`` generator and discriminator types.

The generator's block: BatchNorm -> ReLU -> nearest 2x upsampling (:class:`ganzoo.layers.
NearestUpsample2x`, which TFLite converts) -> 3x3 convolution ->
BatchNorm -> ReLU -> 3x3 convolution, added to a shortcut of upsampling and a 1x1 convolution.
The discriminator's block: ReLU -> 3x3 convolution -> ReLU -> 3x3 convolution -> 2x2 average
pooling, added to a 1x1 convolution and pooling; its first block ("optimized") drops the leading
ReLU and pools before the shortcut's convolution; after the blocks, ReLU, a global *sum* pooling
and one linear output. Initialisation as the authors' released code (pfnet-research/
sngan_projection): Glorot-uniform with gain sqrt(2) in the residual branches, gain 1 in the
shortcuts and the dense layers.
"""

import math

import keras
from keras import layers

from ganzoo.layers import NearestUpsample2x
from ganzoo.blocks import (discriminator_inputs, generator_inputs, spectral, synced_batch_norm,
                           upsampling_plan)


def _glorot(gain=1.0):
    # Glorot-uniform scaled by gain: variance gain^2 * 2 / (fan_in + fan_out)
    return keras.initializers.VarianceScaling(gain ** 2, "fan_avg", "uniform")


def _conv(filters, kernel, name, spectral_norm, gain=math.sqrt(2), init=None):
    return spectral(layers.Conv2D(filters, kernel, padding="same",
                                  kernel_initializer=init or _glorot(gain), name=name),
                    spectral_norm)


def _bn(name):
    return synced_batch_norm(name, momentum=0.9, epsilon=1e-5)


def up_block(x, filters, name, norm=None, spectral_norm=False, init=None):
    """SNGAN's generator block (Table 4): residual BN-ReLU-up-conv3-BN-ReLU-conv3 plus an
    upsampled 1x1 shortcut. BigGAN's block is the same with ``norm`` a class-conditional
    BatchNorm (a function ``(h, name) -> h``), spectral norm and its own ``init``."""
    norm = norm or (lambda h, bn_name: _bn(bn_name)(h))
    h = layers.ReLU(name=f"{name}_relu1")(norm(x, f"{name}_bn1"))
    h = NearestUpsample2x(name=f"{name}_up")(h)
    h = _conv(filters, 3, f"{name}_conv1", spectral_norm, init=init)(h)
    h = layers.ReLU(name=f"{name}_relu2")(norm(h, f"{name}_bn2"))
    h = _conv(filters, 3, f"{name}_conv2", spectral_norm, init=init)(h)
    s = NearestUpsample2x(name=f"{name}_sc_up")(x)
    s = _conv(filters, 1, f"{name}_sc", spectral_norm, gain=1.0, init=init)(s)
    return layers.Add(name=f"{name}_add")([h, s])


def down_block(x, filters, name, spectral_norm, downsample=True, first=False, init=None):
    """SNGAN's discriminator block: ReLU-conv3-ReLU-conv3(-pool) plus a 1x1 shortcut; the
    ``first`` ("optimized") block has no leading ReLU and pools its input before the shortcut's
    convolution. A block that neither pools nor changes the width keeps the identity shortcut.
    BigGAN's discriminator block is the same (with its own ``init``)."""
    h = x if first else layers.ReLU(name=f"{name}_relu1")(x)
    h = _conv(filters, 3, f"{name}_conv1", spectral_norm, init=init)(h)
    h = layers.ReLU(name=f"{name}_relu2")(h)
    h = _conv(filters, 3, f"{name}_conv2", spectral_norm, init=init)(h)
    if downsample:
        h = layers.AveragePooling2D(2, name=f"{name}_pool")(h)
    s = x
    if first:
        s = layers.AveragePooling2D(2, name=f"{name}_sc_pool")(s)
        s = _conv(filters, 1, f"{name}_sc", spectral_norm, gain=1.0, init=init)(s)
    elif downsample or x.shape[-1] != filters:
        s = _conv(filters, 1, f"{name}_sc", spectral_norm, gain=1.0, init=init)(s)
        if downsample:
            s = layers.AveragePooling2D(2, name=f"{name}_sc_pool")(s)
    return layers.Add(name=f"{name}_add")([h, s])


def resnet_generator(data_shape, latent_dim, num_classes=None, filters=256, name="generator"):
    """SNGAN's ResNet generator (Miyato et al. 2018, Table 4a).

    z -> Dense to a ``filters``-channel base grid -> one :func:`up_block` per stride-2 stage
    (three for 32x32: 4 -> 8 -> 16 -> 32) -> BatchNorm -> ReLU -> 3x3 convolution -> tanh.

    Args:
        data_shape: (H, W, C) of the output.
        latent_dim: size of z (the paper's 128).
        num_classes: if set, the model takes ``[z, labels]`` (one-hot joined to z).
        filters: channels of every block (the paper's 256 for CIFAR-10).
        name: model name.

    Returns:
        A ``keras.Model`` mapping (batch, latent_dim) to images in [-1, 1].

    Example:

    ```python
    g = ganzoo.resnets.resnet_generator((32, 32, 3), latent_dim=128)
    g.output_shape                  # (None, 32, 32, 3)
    ```
    """
    stages, bh, bw = upsampling_plan(data_shape)
    inputs, x = generator_inputs(latent_dim, num_classes)
    x = layers.Dense(bh * bw * filters, kernel_initializer=_glorot(), name="project")(x)
    x = layers.Reshape((bh, bw, filters), name="to_grid")(x)
    for i in range(stages):
        x = up_block(x, filters, f"block{i + 1}")
    x = layers.ReLU(name="out_relu")(_bn("out_bn")(x))
    x = layers.Conv2D(data_shape[2], 3, padding="same", kernel_initializer=_glorot(),
                      name="to_image")(x)
    out = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(inputs, out, name=name)


def resnet_discriminator(data_shape, num_classes=None, label_input=False, outputs=1,
                         aux_classes=0, filters=128, spectral_norm=True, name="discriminator"):
    """SNGAN's ResNet discriminator (Miyato et al. 2018, Table 4b).

    An optimized first :func:`down_block`, one pooling block per further stride-2 stage but the
    last (32x32: 32 -> 16 -> 8), two blocks without pooling, ReLU, a global sum over positions,
    and a linear output (no bias, as the released code).

    Args:
        data_shape: (H, W, C) of the input.
        num_classes, label_input, outputs, aux_classes: as
            :func:`ganzoo.nets.dcgan_discriminator`.
        filters: channels of every block (the paper's 128 for CIFAR-10).
        spectral_norm: wrap every convolution and dense layer in
            ``keras.layers.SpectralNormalization`` (the paper's point; on by default).
        name: model name.

    Returns:
        A ``keras.Model`` mapping images in [-1, 1] (and labels) to logits.
    """
    stages, _, _ = upsampling_plan(data_shape)
    inputs, x = discriminator_inputs(data_shape, num_classes, label_input)
    x = down_block(x, filters, "block1", spectral_norm, first=True)
    for i in range(max(stages - 2, 0)):
        x = down_block(x, filters, f"block{i + 2}", spectral_norm)
    for i in range(2):
        x = down_block(x, filters, f"block{max(stages, 2) + i}", spectral_norm, downsample=False)
    x = layers.ReLU(name="out_relu")(x)
    h, w = x.shape[1], x.shape[2]
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Rescaling(float(h * w), name="sum_pool")(x)  # the global sum of the paper
    init = _glorot()
    logits = spectral(layers.Dense(outputs, use_bias=False, kernel_initializer=init,
                                   dtype="float32", name="logit"), spectral_norm)(x)
    if aux_classes:
        classes = spectral(layers.Dense(aux_classes, kernel_initializer=init, dtype="float32",
                                        name="class_logits"), spectral_norm)(x)
        return keras.Model(inputs, [logits, classes], name=name)
    return keras.Model(inputs, logits, name=name)
