"""StyleGAN2's networks (Karras et al. 2020, "Analyzing and Improving the Image Quality of
StyleGAN", arXiv:1912.04958; the official StyleGAN2-ADA code, NVlabs/stylegan2-ada-pytorch,
``training/networks.py``), built from :mod:`ganzoo.style_layers`:

- the **mapping network** z (+ label) -> w: z normalised, the label's embedding normalised and
  joined to it, ``mapping_layers`` equalised dense layers with learning-rate multiplier 0.01;
- the **synthesis network** ws -> image with the "skip" architecture (§4.1, Fig. 7): a learned
  constant, then per resolution two modulated 3x3 convolutions (the first up-sampling), each
  followed by noise and bias + leaky ReLU, and a modulated 1x1 toRGB whose images are
  up-sampled and summed across resolutions. It takes one w per layer, ``num_ws`` of them (the
  toRGB of a resolution shares the w of the next resolution's first convolution, as the
  official code), so style mixing is choosing which w each layer gets;
- the **generator** used for sampling and export: mapping, the truncation trick in W
  (:class:`~ganzoo.style_layers.TruncateW`, which holds w̄), the same w for every layer,
  synthesis, images clipped to [-1, 1];
- the **discriminator** with the residual architecture (§4.1, Fig. 7c; or the official cifar
  configuration's ``orig``), the minibatch standard deviation and, when conditional, a
  projection on a mapping of the label (StyleGAN2-ADA's conditional D).

Widths follow the official rule channels(res) = min(channel_base // res, channel_max); the
official cifar configuration has channel_base 32768 and channel_max 512 (512 everywhere).
"""

import math

import keras
from keras import layers

from ganzoo.blocks import upsampling_plan
from ganzoo.style_layers import (BiasActivation, ClipImages, ConstantInput, Downsample2D,
                                 EqualizedConv2D, EqualizedDense, MinibatchStdDev,
                                 ModulatedConv2D, NoiseInjection, NormalizeSecondMoment,
                                 TruncateW, UnstackW)


def channels_at(resolution, channel_base, channel_max):
    """The official width rule: min(channel_base // resolution, channel_max)."""
    return max(1, min(int(channel_base) // int(resolution), int(channel_max)))


def num_ws(data_shape):
    """How many per-layer w's the synthesis network of an image size takes: one convolution
    at the base grid, two per stride-2 stage, and the last toRGB."""
    stages = upsampling_plan(data_shape)[0]
    return 2 * stages + 2


def mapping_network(latent_dim, num_classes=None, w_dim=512, layers_count=8,
                    lr_multiplier=0.01, name="mapping"):
    """StyleGAN2's mapping network (Karras et al. 2019, §2; 2020, App. C).

    z -> z / rms(z) [joined to embed(label) / rms(embed(label)) when conditional] ->
    ``layers_count`` equalised dense layers of ``w_dim`` units, leaky ReLU, learning-rate
    multiplier ``lr_multiplier`` -> w.

    Args:
        latent_dim: size of z.
        num_classes: classes of the label input (None: unconditional).
        w_dim: size of w (and of the label embedding).
        layers_count: dense layers (the paper's 8; the official cifar configuration 2).
        lr_multiplier: their learning-rate multiplier (0.01).
        name: model name.

    Returns:
        A ``keras.Model`` mapping z (or ``[z, label]``) to w (N, w_dim).
    """
    z = keras.Input((latent_dim,), name="z")
    inputs, x = [z], NormalizeSecondMoment(name="normalize_z")(z)
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        onehot = layers.CategoryEncoding(num_classes, output_mode="one_hot",
                                         name="label_onehot")(label)
        embed = EqualizedDense(w_dim, name="embed")(onehot)
        x = layers.Concatenate(name="join")([x, NormalizeSecondMoment(name="normalize_c")(embed)])
        inputs.append(label)
    for i in range(layers_count):
        x = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, activation="lrelu",
                           name=f"fc{i}")(x)
    return keras.Model(inputs[0] if len(inputs) == 1 else inputs, x, name=name)


def _synthesis_layer(x, w, filters, name, upsample=False, fused=False):
    x = ModulatedConv2D(filters, 3, upsample=upsample, fused=fused, name=f"{name}_conv")([x, w])
    x = NoiseInjection(name=f"{name}_noise")(x)
    return BiasActivation("lrelu", name=f"{name}_act")(x)


def _to_rgb(x, w, channels, name, fused=False):
    y = ModulatedConv2D(channels, 1, demodulate=False, fused=fused, name=f"{name}_conv")([x, w])
    return BiasActivation("linear", dtype="float32", name=f"{name}_bias")(y)


def synthesis_network(data_shape, w_dim=512, channel_base=32768, channel_max=512, fused=False,
                      name="synthesis"):
    """StyleGAN2's synthesis network, skip architecture (Karras et al. 2020, §4.1).

    ws (N, num_ws, w_dim) -> a learned constant at the base grid (4x4 at 32 or 64 px, 7x7 at
    28 px) -> modulated conv -> noise -> bias + lrelu, and per stride-2 stage: [modulated conv
    on the up-sampled maps, modulated conv], each with noise and bias + lrelu; a toRGB (1x1
    modulated, not demodulated) at every resolution, the image so far up-sampled and added.

    Args:
        data_shape: (H, W, C) of the images.
        w_dim: size of w.
        channel_base, channel_max: widths min(channel_base // res, channel_max).
        fused: modulated convolutions as grouped convolutions (see ``ModulatedConv2D``).
        name: model name.

    Returns:
        A ``keras.Model`` mapping ws (N, num_ws, w_dim) to images (not clipped).

    Example:

    ```python
    s = ganzoo.stylegan2_nets.synthesis_network((32, 32, 3), channel_base=1024, channel_max=64)
    s.input_shape                   # (None, 8, 512)
    ```
    """
    stages, bh, bw = upsampling_plan(data_shape)
    count = num_ws(data_shape)
    ws_in = keras.Input((count, w_dim), name="ws")
    ws = UnstackW(count, name="per_layer_w")(ws_in)
    width = channels_at(bh, channel_base, channel_max)
    x = ConstantInput((bh, bw), width, name="const")(ws[0])
    x = _synthesis_layer(x, ws[0], width, f"b{bh}_conv1", fused=fused)
    img = _to_rgb(x, ws[1], data_shape[2], f"b{bh}_torgb", fused=fused)
    for i in range(stages):
        res = bh * 2 ** (i + 1)
        width = channels_at(res, channel_base, channel_max)
        x = _synthesis_layer(x, ws[1 + 2 * i], width, f"b{res}_conv0", upsample=True,
                             fused=fused)
        x = _synthesis_layer(x, ws[2 + 2 * i], width, f"b{res}_conv1", fused=fused)
        img = layers.UpSampling2D(interpolation="bilinear", dtype="float32",
                                  name=f"b{res}_img_up")(img)
        rgb = _to_rgb(x, ws[3 + 2 * i], data_shape[2], f"b{res}_torgb", fused=fused)
        img = layers.Add(dtype="float32", name=f"b{res}_skip")([img, rgb])
    return keras.Model(ws_in, img, name=name)


def stylegan2_generator(data_shape, latent_dim, num_classes=None, w_dim=512, mapping_layers=8,
                        mapping_lr=0.01, channel_base=32768, channel_max=512, fused=False,
                        truncation=1.0, name="generator"):
    """StyleGAN2's generator for sampling: mapping -> truncation in W -> the same w for every
    layer -> synthesis -> images clipped to [-1, 1].

    The training step uses its two parts, ``get_layer("mapping")`` and
    ``get_layer("synthesis")``, directly (style mixing feeds different w's to the layers);
    w̄ lives in ``get_layer("truncation")``.

    Args:
        data_shape: (H, W, C) of the images.
        latent_dim: size of z.
        num_classes: classes for a conditional generator (``[z, label]`` input), or None.
        w_dim: size of w.
        mapping_layers: dense layers of the mapping network.
        mapping_lr: their learning-rate multiplier.
        channel_base, channel_max: synthesis widths min(channel_base // res, channel_max).
        fused: modulated convolutions as grouped convolutions.
        truncation: ψ of the truncation layer (1: none; exports can fix another).
        name: model name.

    Returns:
        A ``keras.Model`` mapping z (or ``[z, label]``) to images in [-1, 1].

    Example:

    ```python
    g = ganzoo.stylegan2_nets.stylegan2_generator((32, 32, 3), latent_dim=512)
    g.get_layer("synthesis").input_shape     # (None, 8, 512)
    ```
    """
    mapping = mapping_network(latent_dim, num_classes, w_dim, mapping_layers, mapping_lr)
    synthesis = synthesis_network(data_shape, w_dim, channel_base, channel_max, fused)
    return compose_generator(mapping, synthesis, TruncateW(w_dim, truncation, name="truncation"),
                             name=name)


def compose_generator(mapping, synthesis, truncate, name="generator"):
    """z (or [z, label]) -> mapping -> ``truncate`` -> repeated for every layer -> synthesis
    -> clipped images: the generator of :func:`stylegan2_generator`, also used to export with
    another ψ (sharing the networks' weights)."""
    inputs = [keras.Input(t.shape[1:], dtype=t.dtype, name=t.name.split(":")[0])
              for t in mapping.inputs]
    w = truncate(mapping(inputs[0] if len(inputs) == 1 else inputs))
    ws = layers.RepeatVector(synthesis.input_shape[1], name="broadcast_w")(w)
    images = ClipImages(dtype="float32", name="clip")(synthesis(ws))
    return keras.Model(inputs[0] if len(inputs) == 1 else inputs, images, name=name)


def compose_synthesis(synthesis, name="synthesize"):
    """w (N, w_dim) -> the same w for every layer -> synthesis -> clipped images: the W-space
    generator StyleGAN2 exports as ``synthesize``."""
    w = keras.Input((synthesis.input_shape[2],), name="w")
    ws = layers.RepeatVector(synthesis.input_shape[1], name="broadcast_w")(w)
    return keras.Model(w, ClipImages(dtype="float32", name="clip")(synthesis(ws)), name=name)


def stylegan2_discriminator(data_shape, num_classes=None, channel_base=32768, channel_max=512,
                            architecture="resnet", mbstd_group=32, mbstd_channels=1,
                            mapping_layers=8, name="discriminator"):
    """StyleGAN2's discriminator (Karras et al. 2020, §4.1, Fig. 7c; official ``Discriminator``).

    fromRGB (1x1, lrelu) -> per stride-2 stage a block of two 3x3 convolutions, the second on
    the [1, 3, 3, 1]-down-sampled maps, plus (``resnet``) a 1x1 skip of the down-sampled input,
    summed and scaled by sqrt(1/2) -> at the base grid: minibatch standard deviation, a 3x3
    convolution, a dense layer, and the output layer. Unconditional: one logit. Conditional:
    the output layer gives ``cmap_dim`` features projected on a mapping of the label
    (``mapping_layers`` dense layers on its embedding), divided by sqrt(cmap_dim), as
    StyleGAN2-ADA's conditional D.

    Args:
        data_shape: (H, W, C) of the images.
        num_classes: classes for a conditional D (``[images, label]`` input), or None.
        channel_base, channel_max: widths min(channel_base // res, channel_max).
        architecture: ``"resnet"`` (the paper's) or ``"orig"`` (no skips; the official cifar
            configuration).
        mbstd_group: minibatch standard-deviation group size.
        mbstd_channels: its channel groups.
        mapping_layers: dense layers mapping the label to the projection vector.
        name: model name.

    Returns:
        A ``keras.Model`` mapping images (or ``[images, label]``) to one logit per image.
    """
    if architecture not in ("resnet", "orig"):
        raise ValueError(f"architecture must be 'resnet' or 'orig', got {architecture!r}.")
    stages, bh, bw = upsampling_plan(data_shape)
    h = int(data_shape[0])
    x_in = keras.Input(tuple(data_shape), name="data")
    x = EqualizedConv2D(channels_at(h, channel_base, channel_max), 1, activation="lrelu",
                        name=f"b{h}_fromrgb")(x_in)
    for _ in range(stages):
        res, out = h, channels_at(h // 2, channel_base, channel_max)
        y = EqualizedConv2D(channels_at(res, channel_base, channel_max), 3, activation="lrelu",
                            name=f"b{res}_conv0")(x)
        y = Downsample2D(name=f"b{res}_down")(y)
        y = EqualizedConv2D(out, 3, activation="lrelu", name=f"b{res}_conv1")(y)
        if architecture == "resnet":
            skip = EqualizedConv2D(out, 1, use_bias=False,
                                   name=f"b{res}_skip")(Downsample2D(name=f"b{res}_skip_down")(x))
            y = layers.Add(name=f"b{res}_sum")([skip, y])
            y = layers.Rescaling(math.sqrt(0.5), name=f"b{res}_scale")(y)
        x, h = y, h // 2
    width = channels_at(bh, channel_base, channel_max)
    x = MinibatchStdDev(mbstd_group, mbstd_channels, name="mbstd")(x)
    x = EqualizedConv2D(width, 3, activation="lrelu", name="epilogue_conv")(x)
    x = layers.Flatten(name="flatten")(x)
    x = EqualizedDense(width, activation="lrelu", name="epilogue_fc")(x)
    if not num_classes:
        out = EqualizedDense(1, dtype="float32", name="logit")(x)
        return keras.Model(x_in, out, name=name)
    label = keras.Input((), dtype="int32", name="label")
    features = EqualizedDense(width, dtype="float32", name="out")(x)
    onehot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_onehot")(label)
    cmap = NormalizeSecondMoment(name="normalize_c")(EqualizedDense(width, name="embed")(onehot))
    for i in range(mapping_layers):
        cmap = EqualizedDense(width, lr_multiplier=0.01, activation="lrelu",
                              name=f"cmap_fc{i}")(cmap)
    projection = layers.Dot(axes=1, dtype="float32", name="projection")([features, cmap])
    out = layers.Rescaling(1.0 / math.sqrt(width), dtype="float32", name="logit")(projection)
    return keras.Model([x_in, label], out, name=name)
