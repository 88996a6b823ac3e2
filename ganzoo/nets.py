"""Generator and discriminator builders shared by the variants.

Each builder returns a functional ``keras.Model`` that can be used, saved and
exported on its own.
"""

import keras
from keras import layers


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


def dcgan_generator(image_shape, latent_dim, filters=64, kernel_size=4, init_std=0.02,
                    batch_norm=True, name="generator"):
    """DCGAN generator (Radford et al. 2016, §3 and Fig. 1).

    z -> Dense -> reshape to the base grid -> [Conv2DTranspose stride 2 ->
    BatchNorm -> ReLU] x (stages - 1) -> Conv2DTranspose stride 2 -> tanh.
    Channels halve at each stage, ending at ``filters`` before the output
    layer, so a 64x64 image with ``filters=128`` gives the paper's
    1024-512-256-128 stack.

    Args:
        image_shape: (H, W, C) of the output.
        latent_dim: size of z.
        filters: channels of the last hidden stage.
        kernel_size: transposed-convolution kernel.
        init_std: standard deviation of the N(0, std) weight initialiser.
        batch_norm: BatchNorm after every hidden layer (not the output).

    Returns:
        A ``keras.Model`` mapping (batch, latent_dim) to images in [-1, 1].
    """
    stages, bh, bw = upsampling_plan(image_shape)
    init = keras.initializers.RandomNormal(0.0, init_std)
    width = filters * 2 ** (stages - 1)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(bh * bw * width, use_bias=not batch_norm, kernel_initializer=init,
                     name="project")(z)
    x = layers.Reshape((bh, bw, width))(x)
    x = _norm_act(x, batch_norm, "project")
    for i in range(stages - 1):
        width //= 2
        x = layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same",
                                   use_bias=not batch_norm, kernel_initializer=init,
                                   name=f"up{i + 1}")(x)
        x = _norm_act(x, batch_norm, f"up{i + 1}")
    x = layers.Conv2DTranspose(image_shape[2], kernel_size, strides=2, padding="same",
                               kernel_initializer=init, name="to_image")(x)
    out = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(z, out, name=name)


def _norm_act(x, batch_norm, name):
    if batch_norm:
        # Keras' BatchNormalization momentum 0.99 is torch's 0.01; 0.9 as in the DCGAN code.
        x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def dcgan_discriminator(image_shape, filters=64, kernel_size=4, init_std=0.02,
                        leaky_slope=0.2, batch_norm=True, name="discriminator"):
    """DCGAN discriminator (Radford et al. 2016, §3).

    Strided convolutions (no pooling), LeakyReLU(``leaky_slope``), BatchNorm on
    every convolution but the first, channels doubling from ``filters``; the
    last feature map is flattened into one logit (no sigmoid).

    Args:
        image_shape: (H, W, C) of the input.
        filters: channels of the first convolution.
        kernel_size: convolution kernel.
        init_std: standard deviation of the N(0, std) weight initialiser.
        leaky_slope: LeakyReLU negative slope.
        batch_norm: BatchNorm after every convolution but the first.

    Returns:
        A ``keras.Model`` mapping images in [-1, 1] to logits of shape (batch, 1).
    """
    stages, _, _ = upsampling_plan(image_shape)
    init = keras.initializers.RandomNormal(0.0, init_std)
    x_in = keras.Input(tuple(image_shape), name="image")
    x = x_in
    width = filters
    for i in range(stages):
        use_bn = batch_norm and i > 0
        x = layers.Conv2D(width, kernel_size, strides=2, padding="same", use_bias=not use_bn,
                          kernel_initializer=init, name=f"down{i + 1}")(x)
        if use_bn:
            x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"down{i + 1}_bn")(x)
        x = layers.LeakyReLU(negative_slope=leaky_slope, name=f"down{i + 1}_lrelu")(x)
        width *= 2
    x = layers.Flatten()(x)
    logits = layers.Dense(1, kernel_initializer=init, dtype="float32", name="logit")(x)
    return keras.Model(x_in, logits, name=name)
