"""The layers of StyleGAN2 (Karras et al. 2020, "Analyzing and Improving the Image Quality of
StyleGAN", CVPR 2020, arXiv:1912.04958), which Keras does not ship.

- :class:`EqualizedDense`, :class:`EqualizedConv2D`: the equalised learning rate (Karras et al.
  2018, §4.1): weights drawn N(0, 1/lr_mul) and scaled at run time by lr_mul / sqrt(fan_in), so
  Adam's step is the same for every layer relative to its weights' scale; ``lr_multiplier``
  slows a layer (the mapping network's 0.01).
- :class:`ModulatedConv2D`: a convolution whose weights are scaled per sample by a style s
  (an affine map of w) and, with demodulation, renormalised to unit output variance (§2.2):
  w'_ijk = s_i w_ijk / sqrt(Σ_ik (s_i w_ijk)² + ε). Written as input and output scaling
  ("non-fused") or as a grouped convolution with per-sample weights ("fused").
- :class:`NoiseInjection`: per-pixel Gaussian noise with a learned per-channel strength (zero at
  first): random while training, a fixed buffer when sampling (the official generator's
  ``noise_mode='const'``).
- :class:`BiasActivation`: bias then leaky ReLU (slope 0.2) times sqrt(2), the gain that keeps
  the activations' scale (the official ``bias_act``).
- :class:`MinibatchStdDev`: the discriminator's minibatch standard-deviation feature (Karras et
  al. 2018, §3).
- :class:`ConstantInput`, :class:`UnstackW`, :class:`TruncateW`, :class:`Downsample2D`,
  :class:`NormalizeSecondMoment`, :class:`ClipImages`: the small pieces around them.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from ganzoo.blocks import global_mean, replica_rows

#: leaky ReLU slope and gain of every StyleGAN2 activation (the official ``bias_act``)
LRELU_SLOPE, LRELU_GAIN = 0.2, math.sqrt(2.0)


def _register(cls):
    return keras.saving.register_keras_serializable(package="ganzoo")(cls)


def _act(x, activation):
    if activation == "lrelu":
        return tf.nn.leaky_relu(x, LRELU_SLOPE) * tf.cast(LRELU_GAIN, x.dtype)
    if activation in (None, "linear"):
        return x
    raise ValueError(f"activation must be 'lrelu' or 'linear', got {activation!r}.")


@_register
class EqualizedDense(keras.layers.Layer):
    """A dense layer with the equalised learning rate (Karras et al. 2018, §4.1).

    The kernel is stored N(0, 1/lr_multiplier) and used times ``weight_gain`` = lr_multiplier /
    sqrt(fan_in); the bias is stored as bias_init / lr_multiplier and used times
    lr_multiplier.

    Args:
        units: output size.
        lr_multiplier: learning-rate multiplier (StyleGAN2's mapping network: 0.01).
        bias_init: the bias's initial value as used (the affine maps to styles start at 1).
        use_bias: add a bias.
        activation: ``"lrelu"`` (slope 0.2, gain sqrt(2)) or ``"linear"``.

    Example:

    ```python
    w = ganzoo.style_layers.EqualizedDense(512, lr_multiplier=0.01, activation="lrelu")(z)
    ```
    """

    def __init__(self, units, lr_multiplier=1.0, bias_init=0.0, use_bias=True,
                 activation="linear", **kwargs):
        super().__init__(**kwargs)
        self.units, self.lr_multiplier = int(units), float(lr_multiplier)
        self.bias_init, self.use_bias = float(bias_init), bool(use_bias)
        self.activation = activation

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.weight_gain = self.lr_multiplier / math.sqrt(fan_in)
        self.kernel = self.add_weight(
            shape=(fan_in, self.units), name="kernel",
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier))
        self.bias = self.add_weight(
            shape=(self.units,), name="bias",
            initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier)
        ) if self.use_bias else None

    def call(self, x):
        y = tf.matmul(x, tf.cast(self.kernel, x.dtype) * self.weight_gain)
        if self.bias is not None:
            y = y + tf.cast(self.bias, x.dtype) * self.lr_multiplier
        return _act(y, self.activation)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "lr_multiplier": self.lr_multiplier,
                "bias_init": self.bias_init, "use_bias": self.use_bias,
                "activation": self.activation}


@_register
class EqualizedConv2D(keras.layers.Layer):
    """A stride-1 'same' convolution with the equalised learning rate: kernel N(0, 1) used
    times 1/sqrt(k·k·C_in).

    Args:
        filters: output channels.
        kernel_size: square kernel size.
        use_bias: add a bias.
        activation: ``"lrelu"`` (slope 0.2, gain sqrt(2)) or ``"linear"``.

    Example:

    ```python
    h = ganzoo.style_layers.EqualizedConv2D(64, 3, activation="lrelu")(x)
    ```
    """

    def __init__(self, filters, kernel_size=3, use_bias=True, activation="linear", **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size = int(filters), int(kernel_size)
        self.use_bias, self.activation = bool(use_bias), activation

    def build(self, input_shape):
        k, cin = self.kernel_size, int(input_shape[-1])
        self.weight_gain = 1.0 / math.sqrt(cin * k * k)
        self.kernel = self.add_weight(shape=(k, k, cin, self.filters), name="kernel",
                                      initializer=keras.initializers.RandomNormal(stddev=1.0))
        self.bias = self.add_weight(shape=(self.filters,), name="bias", initializer="zeros") \
            if self.use_bias else None

    def call(self, x):
        y = tf.nn.conv2d(x, tf.cast(self.kernel, x.dtype) * self.weight_gain, 1, "SAME")
        if self.bias is not None:
            y = y + tf.cast(self.bias, x.dtype)
        return _act(y, self.activation)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "use_bias": self.use_bias,
                "activation": self.activation}


def modulated_weights(weight, styles, demodulate=True, epsilon=1e-8):
    """The per-sample weights of a modulated convolution (Karras et al. 2020, §2.2, eqs. 1-3):
    w'_ijk = s_i·w_ijk, divided by sqrt(Σ_ik (s_i·w_ijk)² + ε) with ``demodulate``.

    Args:
        weight: (k, k, C_in, C_out) kernel.
        styles: (N, C_in) styles s.
        demodulate: renormalise each output channel of each sample.
        epsilon: ε.

    Returns:
        (N, k, k, C_in, C_out) weights, one kernel per sample.
    """
    w = weight[None] * styles[:, None, None, :, None]
    if demodulate:
        w = w * tf.math.rsqrt(tf.reduce_sum(tf.square(w), axis=[1, 2, 3], keepdims=True)
                              + epsilon)
    return w


@_register
class ModulatedConv2D(keras.layers.Layer):
    """StyleGAN2's modulated convolution (Karras et al. 2020, §2.2), without bias: inputs
    ``[x, w]``, the styles s = A(w) an equalised dense layer initialised to give s = 1.

    With ``fused=False`` (the default, faster on CPU: see ``benchmarks/variant_throughput.py``)
    the modulation scales the input channels, one convolution with the shared kernel follows,
    and demodulation scales the output channels by 1/sqrt(Σ_ik s_i² w_ijk² + ε). With
    ``fused=True`` the per-sample kernels of :func:`modulated_weights` run as one grouped
    convolution (the official code's default on GPUs). Both compute the same function.

    Args:
        filters: output channels.
        kernel_size: square kernel size (3 for the synthesis convolutions, 1 for toRGB).
        demodulate: weight demodulation (off for toRGB).
        fused: grouped convolution instead of input/output scaling.
        upsample: double the resolution first (bilinear: the official [1, 3, 3, 1] filter away
            from the border, where the official code pads with zeros and this repeats the edge).
        epsilon: ε of the demodulation.

    Example:

    ```python
    h = ganzoo.style_layers.ModulatedConv2D(256, 3)([x, w])    # x (N, H, W, C), w (N, 512)
    ```
    """

    def __init__(self, filters, kernel_size=3, demodulate=True, fused=False, upsample=False,
                 epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size = int(filters), int(kernel_size)
        self.demodulate, self.fused, self.upsample = bool(demodulate), bool(fused), bool(upsample)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        k, cin = self.kernel_size, int(x_shape[-1])
        self.affine = EqualizedDense(cin, bias_init=1.0, name="affine")
        self.affine.build(w_shape)
        self.kernel = self.add_weight(shape=(k, k, cin, self.filters), name="kernel",
                                      initializer=keras.initializers.RandomNormal(stddev=1.0))
        # toRGB (no demodulation) uses the equalised-lr gain on its styles, as the official code
        self.style_gain = 1.0 if self.demodulate else 1.0 / math.sqrt(cin * k * k)

    def styles(self, w):
        """s = A(w) (times the equalised-lr gain without demodulation)."""
        return self.affine(w) * self.style_gain

    def call(self, inputs):
        x, w = inputs
        s = tf.cast(self.styles(w), x.dtype)
        weight = tf.cast(self.kernel, x.dtype)
        if self.upsample:
            # tf.image.resize returns float32 whatever it is given: back to the layer's dtype
            x = tf.cast(tf.image.resize(x, [2 * tf.shape(x)[1], 2 * tf.shape(x)[2]], "bilinear"),
                        s.dtype)
        if self.fused:
            return self._grouped(x, weight, s)
        y = tf.nn.conv2d(x * s[:, None, None, :], weight, 1, "SAME")
        if self.demodulate:   # Σ_ik (s_i w_ijk)² = s² · Σ_k w_ijk²
            norm = tf.matmul(tf.square(s), tf.reduce_sum(tf.square(weight), axis=[0, 1]))
            y = y * tf.math.rsqrt(norm + self.epsilon)[:, None, None, :]
        return y

    def _grouped(self, x, weight, s):
        """One grouped convolution: the batch folded into channels, one kernel per group."""
        n, h, wd = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
        cin, k = x.shape[-1], self.kernel_size
        kernels = modulated_weights(weight, s, self.demodulate, self.epsilon)  # (N, k, k, i, o)
        kernels = tf.reshape(tf.transpose(kernels, [1, 2, 3, 0, 4]), [k, k, cin, -1])
        folded = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, wd, -1])
        y = tf.nn.conv2d(folded, kernels, 1, "SAME")                          # (1, H, W, N*o)
        y = tf.reshape(y, [h, wd, n, self.filters])
        return tf.transpose(y, [2, 0, 1, 3])

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape[0]
        if self.upsample:
            h, w = (None if h is None else 2 * h), (None if w is None else 2 * w)
        return (n, h, w, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "demodulate": self.demodulate,
                "fused": self.fused, "upsample": self.upsample, "epsilon": self.epsilon}


@_register
class NoiseInjection(keras.layers.Layer):
    """``x + strength · noise``: one N(0, 1) value per pixel, shared by the channels, times a
    learned per-channel strength that starts at 0 (Karras et al. 2019, §2 "B"; StyleGAN2 §2).

    In training (``training=True``) the noise is drawn afresh for every sample; otherwise it is
    a fixed buffer drawn once when the layer is built (saved with the weights), so equal
    inputs give equal images, as the official generator's ``noise_mode='const'``.

    Args:
        seed: seed of the layer's random stream (and of its buffer).

    Example:

    ```python
    h = ganzoo.style_layers.NoiseInjection()(h)
    ```
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        _, h, w, c = input_shape
        self.strength = self.add_weight(shape=(c,), initializer="zeros", name="strength")
        self.noise_const = self.add_weight(
            shape=(h, w, 1), trainable=False, name="noise_const",
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed))

    def call(self, x, training=None):
        if training:
            shape = tf.shape(x)
            noise = replica_rows(lambda s: keras.random.normal(s, seed=self.seed_generator,
                                                               dtype=x.dtype),
                                 shape[0], (x.shape[1], x.shape[2], 1))
        else:
            noise = tf.cast(self.noise_const, x.dtype)[None]
        return x + noise * tf.cast(self.strength, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@_register
class BiasActivation(keras.layers.Layer):
    """A per-channel bias, then leaky ReLU (slope 0.2) times sqrt(2), or nothing (``linear``).

    Example:

    ```python
    h = ganzoo.style_layers.BiasActivation("lrelu")(h)
    ```
    """

    def __init__(self, activation="lrelu", **kwargs):
        super().__init__(**kwargs)
        self.activation = activation

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="bias")

    def call(self, x):
        return _act(x + tf.cast(self.bias, x.dtype), self.activation)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": self.activation}


@_register
class ConstantInput(keras.layers.Layer):
    """The synthesis network's learned constant input (Karras et al. 2019, §2), N(0, 1) at
    first, repeated for every sample of the batch of its input.

    Args:
        size: (H, W) of the constant.
        channels: its channels.

    Example:

    ```python
    x = ganzoo.style_layers.ConstantInput((4, 4), 512)(w)    # (N, 4, 4, 512)
    ```
    """

    def __init__(self, size, channels, **kwargs):
        super().__init__(**kwargs)
        self.size, self.channels = tuple(int(s) for s in size), int(channels)

    def build(self, input_shape):
        self.const = self.add_weight(shape=self.size + (self.channels,), name="const",
                                     initializer=keras.initializers.RandomNormal(stddev=1.0))

    def call(self, like):
        c = tf.cast(self.const, like.dtype)[None]
        return tf.tile(c, [tf.shape(like)[0], 1, 1, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.size + (self.channels,)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size), "channels": self.channels}


@_register
class NormalizeSecondMoment(keras.layers.Layer):
    """``x / sqrt(mean(x²) + ε)`` over the last axis (the official ``normalize_2nd_moment``;
    pixel norm of z in the mapping network).

    Example:

    ```python
    z = ganzoo.style_layers.NormalizeSecondMoment()(z)
    ```
    """

    def call(self, x):
        return x * tf.math.rsqrt(tf.reduce_mean(tf.square(x), axis=-1, keepdims=True) + 1e-8)

    def compute_output_shape(self, input_shape):
        return input_shape


@_register
class UnstackW(keras.layers.Layer):
    """Split the per-layer latents ws (N, num_ws, w_dim) into num_ws tensors (N, w_dim).

    Example:

    ```python
    w0, w1, w2 = ganzoo.style_layers.UnstackW(3)(ws)
    ```
    """

    def __init__(self, num_ws, **kwargs):
        super().__init__(**kwargs)
        self.num_ws = int(num_ws)

    def call(self, ws):
        return tf.unstack(ws, self.num_ws, axis=1)

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], input_shape[2])] * self.num_ws

    def get_config(self):
        return {**super().get_config(), "num_ws": self.num_ws}


@_register
class TruncateW(keras.layers.Layer):
    """The running average w̄ of the mapping network's outputs and the truncation trick in W
    (Karras et al. 2019, §3.1): ``w̄ + ψ (w − w̄)``; ψ = 1 is the identity.

    w̄ is a non-trainable weight that the training step moves towards each batch's mean w
    (:meth:`track`); it is saved with the weights.

    Args:
        w_dim: size of w.
        psi: ψ.

    Example:

    ```python
    w = ganzoo.style_layers.TruncateW(512, psi=0.7)(mapping(z))
    ```
    """

    def __init__(self, w_dim, psi=1.0, **kwargs):
        super().__init__(**kwargs)
        self.w_dim, self.psi = int(w_dim), float(psi)
        self.w_avg = self.add_weight(shape=(self.w_dim,), initializer="zeros", trainable=False,
                                     name="w_avg", aggregation="mean")

    def track(self, w, beta):
        """w̄ ← mean(w) + β (w̄ − mean(w)) (the official ``w_avg_beta`` update); under
        tf.distribute the mean is over the global batch."""
        mean = global_mean(w)
        self.w_avg.assign(mean + beta * (self.w_avg - mean))

    def call(self, w):
        if self.psi == 1.0:
            return w
        avg = tf.cast(self.w_avg, w.dtype)
        return avg + self.psi * (w - avg)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "w_dim": self.w_dim, "psi": self.psi}


@_register
class Downsample2D(keras.layers.Layer):
    """Halve the resolution with the official [1, 3, 3, 1] low-pass filter (normalised, per
    channel, zero padding 1): a fixed depthwise 4x4 convolution of stride 2.

    Example:

    ```python
    y = ganzoo.style_layers.Downsample2D()(x)     # (N, 32, 32, C) -> (N, 16, 16, C)
    ```
    """

    def build(self, input_shape):
        f = np.array([1.0, 3.0, 3.0, 1.0])
        k = np.outer(f, f) / np.sum(f) ** 2
        self.filter = np.tile(k[:, :, None, None], (1, 1, int(input_shape[-1]), 1)).astype(
            np.float32)

    def call(self, x):
        return tf.nn.depthwise_conv2d(x, tf.constant(self.filter, x.dtype), [1, 2, 2, 1],
                                      [[0, 0], [1, 1], [1, 1], [0, 0]])

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return (n, None if h is None else h // 2, None if w is None else w // 2, c)


@_register
class MinibatchStdDev(keras.layers.Layer):
    """The minibatch standard-deviation feature (Karras et al. 2018, §3; StyleGAN2's D
    epilogue): consecutive samples form groups of ``group_size`` (fewer when the batch does
    not divide: the largest divisor of the batch not above it), the standard deviation of every
    feature over each group is averaged over the features of each of ``channels`` channel
    groups and positions, and the result joins the input as ``channels`` extra maps.

    The official code groups samples i, i + M, i + 2M...; consecutive groups are the same for
    shuffled batches and keep a batch split across ``tf.distribute`` replicas grouped as on one
    device.

    Args:
        group_size: samples per group (the official cifar configuration: 32).
        channels: channel groups, each giving one extra map.

    Example:

    ```python
    h = ganzoo.style_layers.MinibatchStdDev(4)(h)      # (N, 4, 4, C) -> (N, 4, 4, C + 1)
    ```
    """

    def __init__(self, group_size=4, channels=1, **kwargs):
        super().__init__(**kwargs)
        self.group_size, self.channels = int(group_size), int(channels)

    def call(self, x):
        n = tf.shape(x)[0]
        h, w, c = x.shape[1], x.shape[2], x.shape[3]
        sizes = tf.range(1, self.group_size + 1)                # the largest divisor of n
        g = tf.reduce_max(tf.where(n % sizes == 0, sizes, 1))  # not above group_size
        f = self.channels
        y = tf.reshape(tf.cast(x, tf.float32), [-1, g, h, w, f, c // f])  # [M, G, H, W, F, c]
        y = y - tf.reduce_mean(y, axis=1, keepdims=True)
        y = tf.sqrt(tf.reduce_mean(tf.square(y), axis=1) + 1e-8)          # [M, H, W, F, c]
        y = tf.reduce_mean(y, axis=[1, 2, 4])                               # [M, F]
        y = tf.repeat(y, g, axis=0)                                         # [N, F]
        y = tf.tile(y[:, None, None, :], [1, h, w, 1])                      # [N, H, W, F]
        return tf.concat([x, tf.cast(y, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] + self.channels,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size,
                "channels": self.channels}


@_register
class ClipImages(keras.layers.Layer):
    """Clip to [-1, 1]: StyleGAN2's synthesis output is not squashed; the official scripts
    clamp images when saving them, and ganzoo's samples promise [-1, 1].

    Example:

    ```python
    images = ganzoo.style_layers.ClipImages()(synthesis(ws))
    ```
    """

    def call(self, x):
        return tf.clip_by_value(x, -1.0, 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape
