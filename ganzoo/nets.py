"""Generator and discriminator builders shared by the variants.

Each builder returns a functional ``keras.Model`` that can be used, saved and
exported on its own. A config's ``generator.type`` / ``discriminator.type``
picks the builder (:data:`GENERATORS`, :data:`DISCRIMINATORS`); the other
keys of that section are the builder's keyword arguments.

Conditioning (conditional variants pass ``num_classes``): the generator takes
``[z, labels]`` and joins a one-hot label to z; a discriminator with
``label_input=True`` takes ``[x, labels]`` and joins one-hot label maps to the
image as channels (the convolutional one; DCGAN's and SNGAN's CNN critics compute
that first convolution without building the maps, :class:`ganzoo.layers.Conv2D`)
or the one-hot label to the flattened input (the MLP, as Mirza & Osindero 2014
did; for vectors, to the input vector).
``aux_classes > 0`` adds a class-logit head (AC-GAN, Odena et al. 2017), and
the model then returns ``[logits, class_logits]``.
"""

import inspect
import math

import keras
from keras import layers

from ganzoo import schema as s
from ganzoo.blocks import (discriminator_inputs, first_conv, generator_inputs,  # noqa: F401
                           spectral, synced_batch_norm, upsampling_plan)
from ganzoo.layers import Maxout
from ganzoo.biggan_nets import biggan_discriminator, biggan_generator
from ganzoo.resnets import resnet_discriminator, resnet_generator
from ganzoo.stylegan2_nets import stylegan2_discriminator, stylegan2_generator


# ----------------------------------------------------------------------------- inputs / heads


def _heads(features, inputs, outputs, aux_classes, init, name, spectral_norm=False):
    logits = spectral(layers.Dense(outputs, kernel_initializer=init, dtype="float32",
                                   name="logit"), spectral_norm)(features)
    if aux_classes:
        classes = spectral(layers.Dense(aux_classes, kernel_initializer=init, dtype="float32",
                                        name="class_logits"), spectral_norm)(features)
        return keras.Model(inputs, [logits, classes], name=name)
    return keras.Model(inputs, logits, name=name)


# ----------------------------------------------------------------------------- DCGAN


def dcgan_generator(data_shape, latent_dim, num_classes=None, filters=64, kernel_size=4,
                    init_std=0.02, batch_norm=True, name="generator"):
    """DCGAN generator (Radford et al. 2016, §3 and Fig. 1).

    z -> Dense -> reshape to the base grid -> [Conv2DTranspose stride 2 ->
    BatchNorm -> ReLU] x (stages - 1) -> Conv2DTranspose stride 2 -> tanh.
    Channels halve at each stage, ending at ``filters`` before the output
    layer, so a 64x64 image with ``filters=128`` gives the paper's
    1024-512-256-128 stack.

    Args:
        data_shape: (H, W, C) of the output.
        latent_dim: size of z.
        num_classes: if set, the model takes ``[z, labels]`` (one-hot joined to z).
        filters: channels of the last hidden stage.
        kernel_size: transposed-convolution kernel.
        init_std: standard deviation of the N(0, std) weight initialiser.
        batch_norm: BatchNorm after every hidden layer (not the output).

    Returns:
        A ``keras.Model`` mapping (batch, latent_dim) to images in [-1, 1].
    """
    stages, bh, bw = upsampling_plan(data_shape)
    init = keras.initializers.RandomNormal(0.0, init_std)
    width = filters * 2 ** (stages - 1)
    inputs, x = generator_inputs(latent_dim, num_classes)
    x = layers.Dense(bh * bw * width, use_bias=not batch_norm, kernel_initializer=init,
                     name="project")(x)
    x = layers.Reshape((bh, bw, width), name="to_grid")(x)
    x = _bn_relu(x, batch_norm, "project")
    for i in range(stages - 1):
        width //= 2
        x = layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same",
                                   use_bias=not batch_norm, kernel_initializer=init,
                                   name=f"up{i + 1}")(x)
        x = _bn_relu(x, batch_norm, f"up{i + 1}")
    x = layers.Conv2DTranspose(data_shape[2], kernel_size, strides=2, padding="same",
                               kernel_initializer=init, name="to_image")(x)
    out = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(inputs, out, name=name)


def lsgan_generator(data_shape, latent_dim, num_classes=None, filters=64, kernel_size=3,
                    init_std=0.02, batch_norm=True, name="generator"):
    """LSGAN's scene generator (Mao et al. 2017, Fig. 3a; the authors' released LSUN code).

    Like DCGAN's, but deeper at the coarse end: z -> Dense -> base grid of ``4 * filters``
    channels; each stride-2 transposed convolution of that width is followed by a stride-1 one
    of the same width, then the last two stride-2 stages have ``2 * filters`` and ``filters``
    channels, and a stride-1 transposed convolution makes the image. At 112x112 with
    ``filters=64`` this is the paper's 256-256-256-256-256-128-64 stack from a 7x7 grid; at
    64x64 the same stack starts from 4x4. BatchNorm and ReLU after every hidden layer, 3x3
    kernels, tanh output.

    Args:
        data_shape: (H, W, C) of the output.
        latent_dim: size of z.
        num_classes: if set, the model takes ``[z, labels]`` (one-hot joined to z).
        filters: channels of the last hidden stage (the paper's 64).
        kernel_size: transposed-convolution kernel (the paper's 3).
        init_std: standard deviation of the N(0, std) weight initialiser.
        batch_norm: BatchNorm after every hidden layer (not the output).

    Returns:
        A ``keras.Model`` mapping (batch, latent_dim) to images in [-1, 1].

    Example:

    ```python
    g = ganzoo.nets.lsgan_generator((64, 64, 3), latent_dim=1024)
    g.output_shape                  # (None, 64, 64, 3)
    ```
    """
    stages, bh, bw = upsampling_plan(data_shape)
    init = keras.initializers.RandomNormal(0.0, init_std)
    widths = [4 * filters] * max(stages - 2, 0) + [2 * filters, filters][-stages:]
    inputs, x = generator_inputs(latent_dim, num_classes)
    x = layers.Dense(bh * bw * 4 * filters, use_bias=not batch_norm, kernel_initializer=init,
                     name="project")(x)
    x = layers.Reshape((bh, bw, 4 * filters), name="to_grid")(x)
    x = _bn_relu(x, batch_norm, "project")
    for i, width in enumerate(widths):
        strides = (2, 1) if i < stages - 2 else (2,)  # coarse stages: a stride-1 layer too
        for j, stride in enumerate(strides):
            layer = f"up{i + 1}" + ("_same" if j else "")
            x = layers.Conv2DTranspose(width, kernel_size, strides=stride, padding="same",
                                       use_bias=not batch_norm, kernel_initializer=init,
                                       name=layer)(x)
            x = _bn_relu(x, batch_norm, layer)
    x = layers.Conv2DTranspose(data_shape[2], kernel_size, strides=1, padding="same",
                               kernel_initializer=init, name="to_image")(x)
    out = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(inputs, out, name=name)


def _bn_relu(x, batch_norm, name):
    if batch_norm:
        # Keras' BatchNormalization momentum 0.99 is torch's 0.01; 0.9 as in the DCGAN code.
        x = synced_batch_norm(f"{name}_bn", momentum=0.9, epsilon=1e-5)(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def dcgan_discriminator(data_shape, num_classes=None, label_input=False, outputs=1,
                        aux_classes=0, filters=64, kernel_size=4, init_std=0.02,
                        leaky_slope=0.2, norm="batch", spectral_norm=False,
                        name="discriminator"):
    """DCGAN discriminator (Radford et al. 2016, §3).

    Strided convolutions (no pooling), LeakyReLU(``leaky_slope``), a
    normalisation on every convolution but the first, channels doubling from
    ``filters``; the last feature map is flattened into ``outputs`` logits
    (no sigmoid).

    Args:
        data_shape: (H, W, C) of the input.
        num_classes, label_input: label conditioning (see the module docstring).
        outputs: number of logits (1; C + 1 for a C+1-class head).
        aux_classes: size of an auxiliary class head (0 for none).
        filters: channels of the first convolution.
        kernel_size: convolution kernel.
        init_std: standard deviation of the N(0, std) weight initialiser.
        leaky_slope: LeakyReLU negative slope.
        norm: ``"batch"`` (DCGAN), ``"layer"`` (WGAN-GP's recommendation) or ``"none"``.
        spectral_norm: wrap every convolution and dense layer in
            ``keras.layers.SpectralNormalization`` (Miyato et al. 2018; see :func:`spectral`).

    Returns:
        A ``keras.Model`` mapping images in [-1, 1] (and labels) to logits.
    """
    if norm not in ("batch", "layer", "none"):
        raise ValueError(f"norm must be 'batch', 'layer' or 'none', got {norm!r}.")
    stages, _, _ = upsampling_plan(data_shape)
    init = keras.initializers.RandomNormal(0.0, init_std)
    inputs, x = discriminator_inputs(data_shape, num_classes, label_input, join_maps=False)
    width = filters
    for i in range(stages):
        use_norm = norm != "none" and i > 0
        x = first_conv(x, layers.Conv2D(width, kernel_size, strides=2, padding="same",
                                        use_bias=not use_norm, kernel_initializer=init,
                                        name=f"down{i + 1}"), spectral_norm)
        if use_norm and norm == "batch":
            x = synced_batch_norm(f"down{i + 1}_bn", momentum=0.9, epsilon=1e-5)(x)
        elif use_norm:
            x = layers.LayerNormalization(axis=[1, 2, 3], epsilon=1e-5, name=f"down{i + 1}_ln")(x)
        x = layers.LeakyReLU(negative_slope=leaky_slope, name=f"down{i + 1}_lrelu")(x)
        width *= 2
    x = layers.Flatten(name="flatten")(x)
    return _heads(x, inputs, outputs, aux_classes, init, name, spectral_norm)


# ----------------------------------------------------------------------------- SNGAN's standard CNN


def sngan_cnn_generator(data_shape, latent_dim, num_classes=None, filters=64, init_std=0.02,
                        name="generator"):
    """SNGAN's "standard CNN" generator (Miyato et al. 2018, Appendix B, Table 3a).

    z -> Dense to a base grid of ``filters * 2**stages`` channels (4x4x512 at 32x32) ->
    BatchNorm -> ReLU -> [4x4 stride-2 transposed convolution -> BatchNorm -> ReLU] per stage,
    channels halving to ``filters`` -> 3x3 stride-1 convolution -> tanh.

    Args:
        data_shape: (H, W, C) of the output.
        latent_dim: size of z (the paper's 128).
        num_classes: if set, the model takes ``[z, labels]`` (one-hot joined to z).
        filters: channels of the last hidden stage (the paper's 64).
        init_std: standard deviation of the N(0, std) weight initialiser.

    Returns:
        A ``keras.Model`` mapping (batch, latent_dim) to images in [-1, 1].

    Example:

    ```python
    g = ganzoo.nets.sngan_cnn_generator((32, 32, 3), latent_dim=128)
    g.output_shape                  # (None, 32, 32, 3)
    ```
    """
    stages, bh, bw = upsampling_plan(data_shape)
    init = keras.initializers.RandomNormal(0.0, init_std)
    width = filters * 2 ** stages
    inputs, x = generator_inputs(latent_dim, num_classes)
    x = layers.Dense(bh * bw * width, use_bias=False, kernel_initializer=init,
                     name="project")(x)
    x = layers.Reshape((bh, bw, width), name="to_grid")(x)
    x = _bn_relu(x, True, "project")
    for i in range(stages):
        width //= 2
        x = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=init, name=f"up{i + 1}")(x)
        x = _bn_relu(x, True, f"up{i + 1}")
    x = layers.Conv2D(data_shape[2], 3, padding="same", kernel_initializer=init,
                      name="to_image")(x)
    out = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(inputs, out, name=name)


def sngan_cnn_discriminator(data_shape, num_classes=None, label_input=False, outputs=1,
                            aux_classes=0, filters=64, init_std=0.02, leaky_slope=0.1,
                            spectral_norm=True, name="discriminator"):
    """SNGAN's "standard CNN" discriminator (Miyato et al. 2018, Appendix B, Table 3b).

    Per stride-2 stage, a 3x3 stride-1 and a 4x4 stride-2 convolution of the same width
    (``filters``, doubling per stage: 64, 128, 256 at 32x32), then a 3x3 stride-1 convolution of
    ``filters * 2**stages`` (512) channels, each followed by LeakyReLU(0.1); no normalisation
    layers; flattened into a dense output.

    Args:
        data_shape: (H, W, C) of the input.
        num_classes, label_input, outputs, aux_classes: as :func:`dcgan_discriminator`.
        filters: channels of the first stage (the paper's 64).
        init_std: standard deviation of the N(0, std) weight initialiser.
        leaky_slope: LeakyReLU slope (the paper's 0.1).
        spectral_norm: spectral normalization in every layer (the paper's point; on).

    Returns:
        A ``keras.Model`` mapping images in [-1, 1] (and labels) to logits.
    """
    stages, _, _ = upsampling_plan(data_shape)
    init = keras.initializers.RandomNormal(0.0, init_std)
    inputs, x = discriminator_inputs(data_shape, num_classes, label_input, join_maps=False)

    def conv(h, width, kernel, stride, layer_name):
        h = first_conv(h, layers.Conv2D(width, kernel, strides=stride, padding="same",
                                        kernel_initializer=init, name=layer_name), spectral_norm)
        return layers.LeakyReLU(negative_slope=leaky_slope, name=f"{layer_name}_lrelu")(h)

    for i in range(stages):
        x = conv(x, filters * 2 ** i, 3, 1, f"same{i + 1}")
        x = conv(x, filters * 2 ** i, 4, 2, f"down{i + 1}")
    x = conv(x, filters * 2 ** stages, 3, 1, "last")
    x = layers.Flatten(name="flatten")(x)
    return _heads(x, inputs, outputs, aux_classes, init, name, spectral_norm)


# ----------------------------------------------------------------------------- MLP


def mlp_generator(data_shape, latent_dim, num_classes=None, hidden=(1200, 1200),
                  activation="relu", batch_norm=False, name="generator"):
    """Fully connected generator (Goodfellow et al. 2014).

    z -> [Dense -> (BatchNorm) -> activation] per entry of ``hidden`` ->
    Dense to prod(data_shape). Images (3-D ``data_shape``) get a tanh output
    reshaped to (H, W, C); vectors get a linear output.

    Args:
        data_shape: (H, W, C) for images or (D,) for vectors.
        latent_dim: size of z.
        num_classes: if set, the model takes ``[z, labels]``.
        hidden: widths of the hidden layers.
        activation: hidden activation (a Keras activation name).
        batch_norm: BatchNorm after each hidden Dense.
    """
    inputs, x = generator_inputs(latent_dim, num_classes)
    for i, units in enumerate(hidden):
        x = layers.Dense(units, name=f"hidden{i + 1}")(x)
        if batch_norm:
            x = synced_batch_norm(f"hidden{i + 1}_bn")(x)
        x = layers.Activation(activation, name=f"hidden{i + 1}_{activation}")(x)
    size = math.prod(data_shape)
    is_image = len(data_shape) == 3
    x = layers.Dense(size, name="out")(x)
    x = layers.Activation("tanh" if is_image else "linear", dtype="float32", name="out_act")(x)
    if is_image:
        x = layers.Reshape(tuple(data_shape), name="to_image")(x)
    return keras.Model(inputs, x, name=name)


def mlp_discriminator(data_shape, num_classes=None, label_input=False, outputs=1, aux_classes=0,
                      hidden=(240, 240), activation="maxout", maxout_pieces=5, dropout=0.5,
                      input_dropout=None, leaky_slope=0.2, spectral_norm=False,
                      input_scale=1.0, name="discriminator"):
    """Fully connected discriminator (Goodfellow et al. 2014: maxout units with dropout).

    Args:
        data_shape: (H, W, C) for images or (D,) for vectors.
        num_classes, label_input, outputs, aux_classes: see :func:`dcgan_discriminator`.
        hidden: widths of the hidden layers (maxout units when ``activation="maxout"``).
        activation: ``"maxout"``, ``"leaky_relu"`` or a Keras activation name.
        maxout_pieces: linear pieces per maxout unit.
        dropout: dropout rate before each hidden layer (0 for none).
        input_dropout: dropout rate on the input instead (``None``: ``dropout``).
        leaky_slope: slope for ``"leaky_relu"``.
        spectral_norm: wrap every dense layer in ``keras.layers.SpectralNormalization``
            (Miyato et al. 2018; see :func:`spectral`).
        input_scale: multiplies the data before the first layer. A spectrally normalised D
            is 1-Lipschitz in the data's units, so it can tell points apart by at most their
            distance; low-dimensional data with small distances (the 8-Gaussian ring's modes
            lie 1.5 apart) needs a larger scale for the hinge loss's margins of 1.
    """
    inputs, x = discriminator_inputs(data_shape, num_classes, label_input, flatten=True,
                                     scale=input_scale)
    for i, units in enumerate(hidden):
        rate = input_dropout if i == 0 and input_dropout is not None else dropout
        if rate:
            x = layers.Dropout(rate, name=f"hidden{i + 1}_dropout")(x)
        if activation == "maxout":
            x = spectral(layers.Dense(units * maxout_pieces, name=f"hidden{i + 1}"),
                         spectral_norm)(x)
            x = Maxout(maxout_pieces, name=f"hidden{i + 1}_maxout")(x)
        elif activation == "leaky_relu":
            x = spectral(layers.Dense(units, name=f"hidden{i + 1}"), spectral_norm)(x)
            x = layers.LeakyReLU(negative_slope=leaky_slope, name=f"hidden{i + 1}_lrelu")(x)
        else:
            x = spectral(layers.Dense(units, activation=activation, name=f"hidden{i + 1}"),
                         spectral_norm)(x)
    return _heads(x, inputs, outputs, aux_classes, "glorot_uniform", name, spectral_norm)


GENERATORS = {"dcgan": dcgan_generator, "lsgan": lsgan_generator, "mlp": mlp_generator,
              "resnet": resnet_generator, "sngan_cnn": sngan_cnn_generator,
              "biggan": biggan_generator, "stylegan2": stylegan2_generator}
DISCRIMINATORS = {"dcgan": dcgan_discriminator, "mlp": mlp_discriminator,
                  "resnet": resnet_discriminator, "sngan_cnn": sngan_cnn_discriminator,
                  "biggan": biggan_discriminator, "stylegan2": stylegan2_discriminator}


def _defaults(builder):
    return {k: p.default for k, p in inspect.signature(builder).parameters.items()
            if p.default is not inspect.Parameter.empty}


def _activation():
    def ok(v):
        if v in ("maxout", "leaky_relu"):
            return True
        try:
            return isinstance(v, str) and keras.activations.get(v) is not None
        except ValueError:
            return False
    return ok, "'maxout', 'leaky_relu' or a Keras activation name"


def _network_keys(builder, docs):
    """The schema of one builder: its keyword defaults, with a check and a doc per key."""
    defaults = _defaults(builder)
    return {key: s.Key(list(defaults[key]) if isinstance(defaults[key], tuple) else defaults[key],
                       check, doc) for key, (check, doc) in docs.items()}


_CONV = {"filters": (s.positive_int(), "channels of the widest stage next to the image; "
                     "doubling per stage away from it"),
         "kernel_size": (s.positive_int(), "convolution kernel size"),
         "init_std": (s.positive_number(), "standard deviation of the N(0, std) weight "
                      "initialiser")}
_SPECTRAL = {"spectral_norm": (None, "wrap every convolution and dense layer in "
                             "keras.layers.SpectralNormalization (Miyato et al. 2018)")}
_MLP = {"hidden": (s.list_of_positive_ints(), "widths of the hidden layers"),
        "activation": (_activation(), "hidden activation")}

_WIDTHS = ((lambda v: isinstance(v, (list, tuple)) and all(
    isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in v),
    "a list of positive integers ([] for filters in every block)"),
    "channels of each block ([] for filters in every block)")
_BIGGAN = {"filters": (s.positive_int(), "channels of every block when widths is []"),
           "widths": _WIDTHS,
           "attention": (s.zero_or_at_least(1), "resolution (pixels) after which the "
                         "self-attention block sits; 0 for none"),
           "init_std": (s.positive_number(), "standard deviation of the N(0, std) "
                        "initialiser"), **_SPECTRAL}
_STYLE = {"channel_base": (s.positive_int(), "widths min(channel_base // resolution, "
                           "channel_max) (the official rule)"),
          "channel_max": (s.positive_int(), "the widest layer")}

#: schema of the ``generator`` section of the noise-to-sample variants
GENERATOR_SCHEMA = s.Choice("type", {
    "dcgan": _network_keys(dcgan_generator, {
        **_CONV, "batch_norm": (None, "BatchNorm after every hidden transposed convolution")}),
    "lsgan": _network_keys(lsgan_generator, {
        **_CONV, "batch_norm": (None, "BatchNorm after every hidden transposed convolution")}),
    "mlp": _network_keys(mlp_generator, {
        **_MLP, "batch_norm": (None, "BatchNorm before every hidden activation")}),
    "resnet": _network_keys(resnet_generator, {
        "filters": (s.positive_int(), "channels of every residual block")}),
    "sngan_cnn": _network_keys(sngan_cnn_generator, {
        "filters": _CONV["filters"], "init_std": _CONV["init_std"]}),
    "biggan": _network_keys(biggan_generator, {
        **_BIGGAN, "shared_dim": (s.positive_int(), "size of the shared class embedding"),
        "hierarchical": (None, "split z between the dense layer and every block's "
                         "conditional BatchNorm (Brock et al. 2019, §4)")}),
    "stylegan2": _network_keys(stylegan2_generator, {
        **_STYLE, "w_dim": (s.positive_int(), "size of w"),
        "mapping_layers": (s.positive_int(), "dense layers of the mapping network"),
        "mapping_lr": (s.positive_number(), "their learning-rate multiplier"),
        "fused": (None, "modulated convolutions as grouped convolutions (false: input and "
                  "output scaling, the same function)")}),
}, default="dcgan", doc="the generator network: 'dcgan' (strided transposed convolutions, "
                        "images), 'lsgan' (DCGAN's with a stride-1 layer after each coarse "
                        "stage, Mao et al. 2017), 'resnet' (SNGAN's residual blocks, Miyato et "
                        "al. 2018), 'sngan_cnn' (the same paper's standard CNN), 'biggan' "
                        "(residual blocks with class-conditional BatchNorm, Brock et al. 2019), "
                        "'stylegan2' (mapping and synthesis networks, Karras et al. 2020) "
                        "or 'mlp' (dense layers, images or vectors)")

#: schema of the ``discriminator`` section of the noise-to-sample variants
DISCRIMINATOR_SCHEMA = s.Choice("type", {
    "dcgan": _network_keys(dcgan_discriminator, {
        **_CONV, "leaky_slope": (s.number_in(0.0, 1.0), "LeakyReLU slope"),
        "norm": (s.one_of("batch", "layer", "none"), "normalisation on every convolution but "
                 "the first"), **_SPECTRAL}),
    "mlp": _network_keys(mlp_discriminator, {
        **_MLP, "maxout_pieces": (s.positive_int(), "linear pieces per maxout unit (activation "
                                  "'maxout')"),
        "dropout": (s.number_in(0.0, 1.0, hi_open=True), "dropout rate before every dense layer"),
        "input_dropout": (s.optional_fraction(), "dropout rate on the input instead (null: as "
                          "dropout)"),
        "leaky_slope": (s.number_in(0.0, 1.0), "LeakyReLU slope (activation 'leaky_relu')"),
        "input_scale": (s.positive_number(), "multiplies the data before the first layer (a "
                        "spectrally normalised D is 1-Lipschitz in the data's units)"),
        **_SPECTRAL}),
    "resnet": _network_keys(resnet_discriminator, {
        "filters": (s.positive_int(), "channels of every residual block"), **_SPECTRAL}),
    "sngan_cnn": _network_keys(sngan_cnn_discriminator, {
        "filters": (s.positive_int(), "channels of the first stage, doubling per stage"),
        "init_std": _CONV["init_std"], "leaky_slope": (s.number_in(0.0, 1.0), "LeakyReLU slope"),
        **_SPECTRAL}),
    "biggan": _network_keys(biggan_discriminator, {
        **_BIGGAN, "pooled": (s.optional_positive_int(), "how many leading blocks halve the "
                              "resolution (null: one fewer than the generator's stages)")}),
    "stylegan2": _network_keys(stylegan2_discriminator, {
        **_STYLE, "architecture": (s.one_of("resnet", "orig"), "residual blocks (the "
                                   "paper's) or plain ones (the official cifar configuration)"),
        "mbstd_group": (s.positive_int(), "minibatch standard-deviation group size"),
        "mbstd_channels": (s.positive_int(), "its channel groups"),
        "mapping_layers": (s.zero_or_at_least(1), "dense layers mapping the label to the "
                           "projection vector (conditional D)")}),
}, default="dcgan", doc="the discriminator network: 'dcgan' (strided convolutions, images), "
                        "'resnet' (SNGAN's residual blocks), 'sngan_cnn' (SNGAN's standard "
                        "CNN), 'biggan' (residual blocks, "
                        "self-attention and a projection of the label, Brock et al. 2019), "
                        "'stylegan2' (residual, minibatch standard deviation; Karras et al. "
                        "2020) or 'mlp' (dense layers, images or vectors)")


def build_network(table, section, **context):
    """Build a network from a config section ``{type: ..., **builder_kwargs}``."""
    section = dict(section)
    kind = section.pop("type")
    if kind not in table:
        raise ValueError(f"Unknown network type {kind!r}; choose one of {', '.join(table)}.")
    return table[kind](**context, **section)
