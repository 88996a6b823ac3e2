"""Networks of the image-to-image family: U-Net and ResNet generators, PatchGAN discriminators.

- :func:`unet_generator`: pix2pix's encoder-decoder with skips (Isola et al. 2017, §6.1.1).
- :func:`resnet_generator`: CycleGAN's generator (Zhu et al. 2017, §7.2; Johnson et al. 2016).
- :func:`patch_discriminator`: PatchGAN with a chosen receptive field (Isola et al. 2017, §3.2.2,
  §6.1.2): 1 (PixelGAN), 16, 70 or 286 (ImageGAN at 256 px).

Every layer is named; instance norm is ``keras.layers.GroupNormalization(groups=-1)``.
"""

import math

import keras
from keras import layers

from ganzoo.layers import ReflectionPadding2D
from ganzoo.blocks import spectral

#: receptive field -> number of stride-2 convolutions in the PatchGAN
RECEPTIVE_FIELDS = {1: 0, 16: 1, 70: 3, 286: 5}


def _init():
    return keras.initializers.RandomNormal(0.0, 0.02)  # both papers' N(0, 0.02)


def _norm(kind, name):
    if kind == "batch":
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True, name=name)
    if kind == "instance":
        return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)
    if kind == "none":
        return None
    raise ValueError(f"norm must be 'batch', 'instance' or 'none', not {kind!r}.")


def unet_depth(size):
    """Number of stride-2 steps that take a ``size`` x ``size`` image to 1 x 1."""
    depth = int(round(math.log2(size)))
    if 2 ** depth != size or depth < 3:
        raise ValueError(f"The U-Net needs a square power-of-two image size of at least 8 "
                         f"(32, 64, 128, 256...), got {size}.")
    return depth


def unet_generator(image_shape, out_channels=None, filters=64, max_filters=512, norm="batch",
                   dropout=0.5, name="generator"):
    """pix2pix's U-Net: C64-C128-C256-C512-... down to 1x1, then back up with skips.

    Encoder block i: 4x4 stride-2 convolution, norm (none on the first), LeakyReLU(0.2).
    Decoder block i: 4x4 stride-2 transposed convolution, norm, dropout 0.5 in the first three
    blocks, ReLU, then concatenation with encoder block n - i (the skip). A last transposed
    convolution gives ``out_channels`` channels through tanh. Depth is log2(image size): 8 for
    256 (the paper's), 7 for 128, 6 for 64.

    Args:
        image_shape: (H, W, C) of the input, H == W a power of two.
        out_channels: channels of the output (default: the input's).
        filters: filters of the first block (64); doubled per block up to ``max_filters``.
        norm: ``"batch"`` (the paper's; with batch size 1 it acts as instance norm),
            ``"instance"`` or ``"none"``.
        dropout: dropout rate of the first three decoder blocks (the paper's noise z).
    """
    h, w, c = image_shape
    if h != w:
        raise ValueError(f"The U-Net needs square images, got {h}x{w}.")
    depth = unet_depth(h)
    out_channels = out_channels or c
    inputs = keras.Input(image_shape, name="input_image")
    x = inputs
    skips = []
    for i in range(depth):
        f = min(filters * 2 ** i, max_filters)
        x = layers.Conv2D(f, 4, strides=2, padding="same", use_bias=False,
                          kernel_initializer=_init(), name=f"down{i + 1}")(x)
        n = _norm(norm, f"down{i + 1}_norm") if 0 < i < depth - 1 else None
        if n is not None:
            x = n(x)
        x = layers.LeakyReLU(0.2, name=f"down{i + 1}_lrelu")(x)
        skips.append(x)
    for j, skip in enumerate(reversed(skips[:-1])):
        f = skip.shape[-1]
        x = layers.Conv2DTranspose(f, 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=_init(), name=f"up{j + 1}")(x)
        n = _norm(norm, f"up{j + 1}_norm")
        if n is not None:
            x = n(x)
        if j < 3 and dropout:
            x = layers.Dropout(dropout, name=f"up{j + 1}_dropout")(x)
        x = layers.ReLU(name=f"up{j + 1}_relu")(x)
        x = layers.Concatenate(name=f"skip{j + 1}")([x, skip])
    x = layers.Conv2DTranspose(out_channels, 4, strides=2, padding="same",
                               kernel_initializer=_init(), name="out")(x)
    outputs = layers.Activation("tanh", name="tanh")(x)
    return keras.Model(inputs, outputs, name=name)


def resnet_generator(image_shape, out_channels=None, filters=64, blocks=None, norm="instance",
                     name="generator"):
    """CycleGAN's generator: c7s1-64, d128, d256, R256 x blocks, u128, u64, c7s1-C.

    Reflection padding before every 7x7 and residual 3x3 convolution; instance norm and ReLU
    after every convolution but the last, which ends in tanh.

    Args:
        image_shape: (H, W, C), H and W divisible by 4.
        blocks: residual blocks; default 6 at <= 128 px and 9 above, as in the paper.
    """
    h, w, c = image_shape
    if h % 4 or w % 4:
        raise ValueError(f"The ResNet generator needs sizes divisible by 4, got {h}x{w}.")
    out_channels = out_channels or c
    blocks = blocks or (6 if max(h, w) <= 128 else 9)

    def conv_norm_relu(x, f, k, s, label, transpose=False):
        conv = layers.Conv2DTranspose if transpose else layers.Conv2D
        x = conv(f, k, strides=s, padding="same" if (s > 1 or transpose) else "valid",
                 use_bias=False, kernel_initializer=_init(), name=label)(x)
        n = _norm(norm, f"{label}_norm")
        if n is not None:
            x = n(x)
        return layers.ReLU(name=f"{label}_relu")(x)

    inputs = keras.Input(image_shape, name="input_image")
    x = ReflectionPadding2D(3, name="c7s1_pad")(inputs)
    x = conv_norm_relu(x, filters, 7, 1, "c7s1")
    x = conv_norm_relu(x, filters * 2, 3, 2, "d1")
    x = conv_norm_relu(x, filters * 4, 3, 2, "d2")
    for b in range(blocks):
        y = ReflectionPadding2D(1, name=f"res{b + 1}_pad1")(x)
        y = conv_norm_relu(y, filters * 4, 3, 1, f"res{b + 1}_a")
        y = ReflectionPadding2D(1, name=f"res{b + 1}_pad2")(y)
        y = layers.Conv2D(filters * 4, 3, use_bias=False, kernel_initializer=_init(),
                          name=f"res{b + 1}_b")(y)
        n = _norm(norm, f"res{b + 1}_b_norm")
        if n is not None:
            y = n(y)
        x = layers.Add(name=f"res{b + 1}_add")([x, y])
    x = conv_norm_relu(x, filters * 2, 3, 2, "u1", transpose=True)
    x = conv_norm_relu(x, filters, 3, 2, "u2", transpose=True)
    x = ReflectionPadding2D(3, name="out_pad")(x)
    x = layers.Conv2D(out_channels, 7, kernel_initializer=_init(), name="out")(x)
    outputs = layers.Activation("tanh", name="tanh")(x)
    return keras.Model(inputs, outputs, name=name)


def patch_grid(size, receptive_field):
    """Side of the PatchGAN's output grid for ``size`` px inputs (30 for 256 px at 70)."""
    if receptive_field == 1:
        return size
    n = RECEPTIVE_FIELDS[receptive_field]
    for _ in range(n):
        size = (size + 2 - 4) // 2 + 1
    return size + 2 * (2 - 4 + 1)  # two stride-1 4x4 convolutions with padding 1


def patch_discriminator(image_shape, receptive_field=70, filters=64, max_filters=512,
                        norm="batch", condition_channels=0, spectral_norm=False,
                        name="discriminator"):
    """PatchGAN: classifies each ``receptive_field`` x ``receptive_field`` patch as real or fake.

    ``n`` 4x4 stride-2 blocks (C64-C128-..., norm on all but the first, LeakyReLU 0.2), one 4x4
    stride-1 block, and a 4x4 stride-1 convolution to one logit per patch; 1-pixel zero padding
    before each 4x4 convolution, as in the paper's code. ``n`` is 1, 3, 5 for receptive fields
    16, 70, 286; the PixelGAN (1) uses 1x1 convolutions (C64-C128-logit). The 70x70 PatchGAN
    maps 256 px to a 30x30 grid, 128 px to 14x14, 64 px to 6x6.

    Args:
        image_shape: (H, W, C) of the judged image.
        receptive_field: 1, 16, 70 or 286.
        norm: ``"batch"`` (pix2pix), ``"instance"`` (CycleGAN) or ``"none"``.
        condition_channels: channels of a conditioning image concatenated to the input
            (pix2pix judges concat(input, target)); 0 for an unconditional D (CycleGAN).
        spectral_norm: wrap every convolution in ``keras.layers.SpectralNormalization``
            (Miyato et al. 2018; :func:`ganzoo.nets.spectral`).
    """
    if receptive_field not in RECEPTIVE_FIELDS:
        raise ValueError(f"receptive_field must be one of {sorted(RECEPTIVE_FIELDS)}, "
                         f"got {receptive_field}.")
    h, w, c = image_shape
    grid = patch_grid(min(h, w), receptive_field)
    if grid < 1:
        raise ValueError(f"A {receptive_field}x{receptive_field} PatchGAN needs larger images "
                         f"than {h}x{w}; use a smaller receptive field.")
    inputs = keras.Input((h, w, c + condition_channels), name="pair" if condition_channels
                         else "image")
    x = inputs
    if receptive_field == 1:
        for i, f in enumerate((filters, filters * 2)):
            x = spectral(layers.Conv2D(f, 1, kernel_initializer=_init(), use_bias=i == 0,
                                       name=f"conv{i + 1}"), spectral_norm)(x)
            n = _norm(norm, f"conv{i + 1}_norm") if i else None
            if n is not None:
                x = n(x)
            x = layers.LeakyReLU(0.2, name=f"conv{i + 1}_lrelu")(x)
        x = spectral(layers.Conv2D(1, 1, kernel_initializer=_init(), name="logits"),
                     spectral_norm)(x)
        return keras.Model(inputs, x, name=name)
    n_down = RECEPTIVE_FIELDS[receptive_field]
    for i in range(n_down + 1):
        f = min(filters * 2 ** i, max_filters)
        x = layers.ZeroPadding2D(1, name=f"conv{i + 1}_pad")(x)
        x = spectral(layers.Conv2D(f, 4, strides=2 if i < n_down else 1, use_bias=i == 0,
                                   kernel_initializer=_init(), name=f"conv{i + 1}"),
                     spectral_norm)(x)
        n = _norm(norm, f"conv{i + 1}_norm") if i else None
        if n is not None:
            x = n(x)
        x = layers.LeakyReLU(0.2, name=f"conv{i + 1}_lrelu")(x)
    x = layers.ZeroPadding2D(1, name="logits_pad")(x)
    x = spectral(layers.Conv2D(1, 4, kernel_initializer=_init(), name="logits"), spectral_norm)(x)
    return keras.Model(inputs, x, name=name)
