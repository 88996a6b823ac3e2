"""Generator and discriminator builders shared by the variants.

Each builder returns a functional ``keras.Model`` that can be used, saved and
exported on its own. A config's ``generator.type`` / ``discriminator.type``
picks the builder (:data:`GENERATORS`, :data:`DISCRIMINATORS`); the other
keys of that section are the builder's keyword arguments.

Conditioning (conditional variants pass ``num_classes``): the generator takes
``[z, labels]`` and joins a one-hot label to z; a discriminator with
``label_input=True`` takes ``[x, labels]`` and joins one-hot label maps to the
image as channels (the convolutional one) or the one-hot label to the flattened
input (the MLP, as Mirza & Osindero 2014 did; for vectors, to the input vector).
``aux_classes > 0`` adds a class-logit head (AC-GAN, Odena et al. 2017), and
the model then returns ``[logits, class_logits]``.
"""

import inspect
import math

import keras
from keras import layers

from ganzoo import schema as s
from ganzoo.layers import Maxout


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


# ----------------------------------------------------------------------------- inputs / heads


def _generator_inputs(latent_dim, num_classes):
    z = keras.Input((latent_dim,), name="z")
    if not num_classes:
        return z, z
    label = keras.Input((), dtype="int32", name="label")
    onehot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_onehot")(label)
    return [z, label], layers.Concatenate(name="z_label")([z, onehot])


def _discriminator_inputs(data_shape, num_classes, label_input, flatten=False):
    """The discriminator's inputs and what its first layer reads: the data, joined with the
    one-hot label when ``label_input`` (as maps for images, unless ``flatten``: then the
    flattened image and the one-hot vector, so an MLP's input grows by K, not K maps)."""
    x = keras.Input(tuple(data_shape), name="data")
    flat = layers.Flatten(name="flatten")(x) if flatten else x
    if not (num_classes and label_input):
        return x, flat
    label = keras.Input((), dtype="int32", name="label")
    onehot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_onehot")(label)
    if len(data_shape) == 3 and not flatten:  # label maps: one constant channel per class
        maps = layers.Reshape((1, 1, num_classes), name="label_grid")(onehot)
        maps = layers.UpSampling2D(tuple(data_shape[:2]), name="label_maps")(maps)
        return [x, label], layers.Concatenate(name="data_label")([x, maps])
    return [x, label], layers.Concatenate(name="data_label")([flat, onehot])


def _heads(features, inputs, outputs, aux_classes, init, name):
    logits = layers.Dense(outputs, kernel_initializer=init, dtype="float32", name="logit")(features)
    if aux_classes:
        classes = layers.Dense(aux_classes, kernel_initializer=init, dtype="float32",
                               name="class_logits")(features)
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
    inputs, x = _generator_inputs(latent_dim, num_classes)
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


def _bn_relu(x, batch_norm, name):
    if batch_norm:
        # Keras' BatchNormalization momentum 0.99 is torch's 0.01; 0.9 as in the DCGAN code.
        x = _batch_norm(f"{name}_bn", momentum=0.9, epsilon=1e-5)(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def dcgan_discriminator(data_shape, num_classes=None, label_input=False, outputs=1,
                        aux_classes=0, filters=64, kernel_size=4, init_std=0.02,
                        leaky_slope=0.2, norm="batch", name="discriminator"):
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

    Returns:
        A ``keras.Model`` mapping images in [-1, 1] (and labels) to logits.
    """
    if norm not in ("batch", "layer", "none"):
        raise ValueError(f"norm must be 'batch', 'layer' or 'none', got {norm!r}.")
    stages, _, _ = upsampling_plan(data_shape)
    init = keras.initializers.RandomNormal(0.0, init_std)
    inputs, x = _discriminator_inputs(data_shape, num_classes, label_input)
    width = filters
    for i in range(stages):
        use_norm = norm != "none" and i > 0
        x = layers.Conv2D(width, kernel_size, strides=2, padding="same",
                          use_bias=not use_norm, kernel_initializer=init, name=f"down{i + 1}")(x)
        if use_norm and norm == "batch":
            x = _batch_norm(f"down{i + 1}_bn", momentum=0.9, epsilon=1e-5)(x)
        elif use_norm:
            x = layers.LayerNormalization(axis=[1, 2, 3], epsilon=1e-5, name=f"down{i + 1}_ln")(x)
        x = layers.LeakyReLU(negative_slope=leaky_slope, name=f"down{i + 1}_lrelu")(x)
        width *= 2
    x = layers.Flatten(name="flatten")(x)
    return _heads(x, inputs, outputs, aux_classes, init, name)


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
    inputs, x = _generator_inputs(latent_dim, num_classes)
    for i, units in enumerate(hidden):
        x = layers.Dense(units, name=f"hidden{i + 1}")(x)
        if batch_norm:
            x = _batch_norm(f"hidden{i + 1}_bn")(x)
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
                      input_dropout=None, leaky_slope=0.2, name="discriminator"):
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
    """
    inputs, x = _discriminator_inputs(data_shape, num_classes, label_input, flatten=True)
    for i, units in enumerate(hidden):
        rate = input_dropout if i == 0 and input_dropout is not None else dropout
        if rate:
            x = layers.Dropout(rate, name=f"hidden{i + 1}_dropout")(x)
        if activation == "maxout":
            x = layers.Dense(units * maxout_pieces, name=f"hidden{i + 1}")(x)
            x = Maxout(maxout_pieces, name=f"hidden{i + 1}_maxout")(x)
        elif activation == "leaky_relu":
            x = layers.Dense(units, name=f"hidden{i + 1}")(x)
            x = layers.LeakyReLU(negative_slope=leaky_slope, name=f"hidden{i + 1}_lrelu")(x)
        else:
            x = layers.Dense(units, activation=activation, name=f"hidden{i + 1}")(x)
    return _heads(x, inputs, outputs, aux_classes, "glorot_uniform", name)


GENERATORS = {"dcgan": dcgan_generator, "mlp": mlp_generator}
DISCRIMINATORS = {"dcgan": dcgan_discriminator, "mlp": mlp_discriminator}


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
_MLP = {"hidden": (s.list_of_positive_ints(), "widths of the hidden layers"),
        "activation": (_activation(), "hidden activation")}

#: schema of the ``generator`` section of the noise-to-sample variants
GENERATOR_SCHEMA = s.Choice("type", {
    "dcgan": _network_keys(dcgan_generator, {
        **_CONV, "batch_norm": (None, "BatchNorm after every hidden transposed convolution")}),
    "mlp": _network_keys(mlp_generator, {
        **_MLP, "batch_norm": (None, "BatchNorm before every hidden activation")}),
}, default="dcgan", doc="the generator network: 'dcgan' (strided transposed convolutions, "
                        "images) or 'mlp' (dense layers, images or vectors)")

#: schema of the ``discriminator`` section of the noise-to-sample variants
DISCRIMINATOR_SCHEMA = s.Choice("type", {
    "dcgan": _network_keys(dcgan_discriminator, {
        **_CONV, "leaky_slope": (s.number_in(0.0, 1.0), "LeakyReLU slope"),
        "norm": (s.one_of("batch", "layer", "none"), "normalisation on every convolution but "
                 "the first")}),
    "mlp": _network_keys(mlp_discriminator, {
        **_MLP, "maxout_pieces": (s.positive_int(), "linear pieces per maxout unit (activation "
                                  "'maxout')"),
        "dropout": (s.number_in(0.0, 1.0, hi_open=True), "dropout rate before every dense layer"),
        "input_dropout": (s.optional_fraction(), "dropout rate on the input instead (null: as "
                          "dropout)"),
        "leaky_slope": (s.number_in(0.0, 1.0), "LeakyReLU slope (activation 'leaky_relu')")}),
}, default="dcgan", doc="the discriminator network: 'dcgan' (strided convolutions, images) or "
                        "'mlp' (dense layers, images or vectors)")


def build_network(table, section, **context):
    """Build a network from a config section ``{type: ..., **builder_kwargs}``."""
    section = dict(section)
    kind = section.pop("type")
    if kind not in table:
        raise ValueError(f"Unknown network type {kind!r}; choose one of {', '.join(table)}.")
    return table[kind](**context, **section)


def _batch_norm(name, **kwargs):
    """BatchNormalization whose batch statistics span all replicas under ``tf.distribute``.

    ``synchronized=True`` changes nothing on one device; on several it makes a step equal to
    the single-device step on the global batch and keeps the moving statistics identical on
    every replica and worker (per-replica statistics would let them drift apart).
    """
    return layers.BatchNormalization(synchronized=True, name=name, **kwargs)
