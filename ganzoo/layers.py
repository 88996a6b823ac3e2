"""Small reusable layers that Keras does not ship."""

import keras


@keras.saving.register_keras_serializable(package="ganzoo")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al. 2013): the max over ``pieces`` linear pieces.

    Input (..., units * pieces) -> output (..., units). Used by the original
    GAN discriminator (Goodfellow et al. 2014, §5).

    Args:
        pieces: linear pieces per unit.

    Example:

    ```python
    x = keras.layers.Dense(240 * 5)(x)
    x = ganzoo.layers.Maxout(5)(x)      # 240 maxout units
    ```
    """

    def __init__(self, pieces, **kwargs):
        super().__init__(**kwargs)
        self.pieces = int(pieces)

    def call(self, x):
        units = x.shape[-1] // self.pieces
        x = keras.ops.reshape(x, (-1, units, self.pieces))
        return keras.ops.max(x, axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] // self.pieces,)

    def get_config(self):
        return {**super().get_config(), "pieces": self.pieces}


@keras.saving.register_keras_serializable(package="ganzoo")
class ReflectionPadding2D(keras.layers.Layer):
    """Pad height and width by ``padding`` pixels, mirroring the image at its border.

    CycleGAN's generator pads this way before its 7x7 and residual convolutions (Zhu et al.
    2017, §7.2), which avoids the dark borders zero padding causes.

    Args:
        padding: pixels added on each side.

    Example:

    ```python
    x = ganzoo.layers.ReflectionPadding2D(3)(x)   # (N, 64, 64, C) -> (N, 70, 70, C)
    ```
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        import tensorflow as tf

        p = self.padding
        return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        grow = lambda d: None if d is None else d + 2 * self.padding  # noqa: E731
        return (n, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="ganzoo")
class HorizontalFlip(keras.layers.Layer):
    """Mirror images left to right (always; for random flips use ``keras.layers.RandomFlip``).

    The shipped CIFAR-10 judge averages its outputs over an image and its mirror
    (test-time augmentation, :func:`ganzoo.judges.flip_averaged`).

    Example:

    ```python
    mirrored = ganzoo.layers.HorizontalFlip()(images)   # (N, H, W, C), W reversed
    ```
    """

    def call(self, x):
        return keras.ops.flip(x, axis=-2)


@keras.saving.register_keras_serializable(package="ganzoo")
class NearestUpsample2x(keras.layers.Layer):
    """Nearest-neighbour 2x upsampling (each pixel becomes a 2x2 block), written as
    ``depth_to_space`` of four copies of the input.

    Its output equals ``keras.layers.UpSampling2D(2)``'s. The reason for a layer of its own:
    TensorFlow 2.21's TFLite converter fails on a convolution that reads an ``UpSampling2D``
    (nearest) output which itself came from a convolution ("'tf.Conv2D' op is neither a
    custom op nor a flex op"), which is every block after the first of SNGAN's and BigGAN's
    generators; ``depth_to_space`` converts to TFLite's builtin ``DEPTH_TO_SPACE``.

    Example:

    ```python
    up = ganzoo.layers.NearestUpsample2x()(images)    # (N, 2H, 2W, C)
    ```
    """

    def call(self, x):
        import tensorflow as tf

        return tf.nn.depth_to_space(keras.ops.concatenate([x, x, x, x], axis=-1), 2)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return (n, None if h is None else 2 * h, None if w is None else 2 * w, c)


@keras.saving.register_keras_serializable(package="ganzoo")
class LatentClusterCode(keras.layers.Layer):
    """Turn the last coordinate of z into a one-hot cluster code (self-conditioning).

    A generator that must cover data made of separate modes (the ten digits) from a continuous
    z draws ambiguous samples between them. With ``clusters`` = K, the first ``d - 1``
    coordinates of z pass through unchanged and the last one picks one of K clusters with the
    probabilities ``prior`` (the clusters' shares of the training data): the coordinate's CDF
    under the latent prior (``"uniform"``: U[-1, 1]; ``"normal"``: N(0, 1)) falls in cluster
    k's slice of [0, 1]. So z keeps its plain prior, and sampling, export and interpolation work
    as for any generator, while the generator can jump between modes.

    Input (batch, d) -> output (batch, d - 1 + K). The slices are a non-trainable weight
    (``cdf``), saved with the generator and set by :meth:`set_prior`.

    Args:
        clusters: K, the number of clusters (at least 2).
        distribution: the latent prior of z, ``"uniform"`` or ``"normal"``.

    Example:

    ```python
    code = ganzoo.layers.LatentClusterCode(10, "uniform")
    code.build((None, 100))
    code.set_prior(np.full(10, 0.1))
    h = code(z)                        # (N, 99 + 10)
    k = code.cluster_of(z)             # (N,) int32 cluster of each z
    ```
    """

    def __init__(self, clusters, distribution="normal", **kwargs):
        kwargs.setdefault("dtype", "float32")  # the CDF needs float32 even under bf16 policies
        super().__init__(**kwargs)
        self.clusters = int(clusters)
        self.distribution = distribution

    def build(self, input_shape):
        k = self.clusters
        self.cdf = self.add_weight(shape=(k,), trainable=False, name="cdf",
                                   initializer=keras.initializers.Constant(
                                       [(i + 1) / k for i in range(k)]))

    def set_prior(self, prior):
        """Set each cluster's probability (``prior`` sums to 1)."""
        import numpy as np

        prior = np.asarray(prior, np.float64)
        self.cdf.assign(np.cumsum(prior / prior.sum()).astype("float32"))

    def cluster_of(self, z):
        """The cluster (int32) each row of z selects."""
        import tensorflow as tf

        last = tf.cast(z[:, -1], tf.float32)
        if self.distribution == "uniform":
            u = (last + 1.0) / 2.0
        else:
            u = 0.5 * (1.0 + tf.math.erf(last / 2.0 ** 0.5))
        # u falls in [cdf[k-1], cdf[k]): count the slice ends at or below it
        below = tf.cast(u[:, None] >= self.cdf[None, :-1], tf.int32)
        return tf.reduce_sum(below, axis=1)

    def with_clusters(self, z, k):
        """``z`` with its last coordinate moved into cluster ``k``'s slice (one cluster per
        row): the same relative place within the slice as its place in [0, 1], so the result
        keeps the latent prior restricted to that slice; the other coordinates are unchanged.
        """
        import tensorflow as tf

        z = tf.cast(z, tf.float32)
        last = z[:, -1]
        if self.distribution == "uniform":
            v = (last + 1.0) / 2.0
        else:
            v = 0.5 * (1.0 + tf.math.erf(last / 2.0 ** 0.5))
        ends = tf.concat([[0.0], self.cdf], axis=0)
        k = tf.cast(k, tf.int32)
        low, high = tf.gather(ends, k), tf.gather(ends, k + 1)
        # stay inside [low, high): clusters are [cdf[k-1], cdf[k]) slices of the CDF
        u = low + tf.clip_by_value(v, 1e-3, 1.0 - 1e-3) * (high - low)
        if self.distribution == "uniform":
            new = 2.0 * u - 1.0
        else:
            new = 2.0 ** 0.5 * tf.math.erfinv(2.0 * u - 1.0)
        return tf.concat([z[:, :-1], new[:, None]], axis=1)

    def call(self, z):
        import tensorflow as tf

        onehot = tf.one_hot(self.cluster_of(z), self.clusters, dtype=tf.float32)
        return tf.concat([tf.cast(z[:, :-1], tf.float32), onehot], axis=1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] - 1 + self.clusters,)

    def get_config(self):
        return {**super().get_config(), "clusters": self.clusters,
                "distribution": self.distribution}


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelClusters(keras.layers.Layer):
    """k-means clusters of images in a principal-component space, learned once from data.

    :meth:`fit` projects images on their first ``components`` principal components (NumPy's
    SVD) and runs k-means++ (``scipy.cluster.vq.kmeans2``); calling the layer assigns each
    image to its nearest centre. Self-conditioned DCGANs use it to give the discriminator a
    cluster label for real images (the pseudo-labels of Liu et al. 2020, "Diverse Image
    Generation via Self-Conditioned GANs", CVPR 2020, computed here once in pixel space rather
    than re-clustered in D's features).

    Args:
        clusters: K, the number of clusters.
        components: dimensions kept by the PCA projection.

    Example:

    ```python
    clusters = ganzoo.layers.PixelClusters(50)
    shares = clusters.fit(images, seed=0)   # images in [-1, 1]; shares of each cluster
    labels = clusters(images)               # (N,) int32
    ```
    """

    def __init__(self, clusters, components=50, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.clusters, self.components = int(clusters), int(components)

    def build(self, input_shape):
        import math

        dims = math.prod(input_shape[1:])
        p = min(self.components, dims)
        zeros = keras.initializers.Zeros()
        self.mean = self.add_weight(shape=(dims,), trainable=False, name="mean", initializer=zeros)
        self.basis = self.add_weight(shape=(dims, p), trainable=False, name="basis",
                                     initializer=zeros)
        self.centres = self.add_weight(shape=(self.clusters, p), trainable=False, name="centres",
                                       initializer=zeros)
        self.fitted = self.add_weight(shape=(), trainable=False, name="fitted", initializer=zeros)

    @property
    def is_fitted(self):
        return self.built and bool(keras.ops.convert_to_numpy(self.fitted) > 0)

    def fit(self, images, seed=None):
        """Learn the projection and the centres from ``images`` (N, ...) in [-1, 1].

        Returns:
            float64 NumPy array (K,): the share of ``images`` in each cluster.
        """
        import numpy as np
        import scipy.cluster.vq

        flat = np.asarray(images, np.float32).reshape(len(images), -1)
        if len(flat) < self.clusters:
            raise ValueError(f"{len(flat)} images cannot make {self.clusters} clusters; pass "
                             "more images or ask for fewer clusters.")
        if not self.built:
            self.build((None,) + tuple(np.shape(images)[1:]))
        mean = flat.mean(0)
        _, _, vt = np.linalg.svd(flat - mean, full_matrices=False)
        basis = vt[:self.basis.shape[1]].T
        projected = (flat - mean) @ basis
        centres, _ = scipy.cluster.vq.kmeans2(
            projected.astype(np.float64), self.clusters, iter=30, minit="++",
            seed=np.random.default_rng(seed))
        labels, _ = scipy.cluster.vq.vq(projected.astype(np.float64), centres)  # as call does
        self.mean.assign(mean)
        self.basis.assign(basis.astype(np.float32))
        self.centres.assign(centres.astype(np.float32))
        self.fitted.assign(1.0)
        return np.bincount(labels, minlength=self.clusters) / len(labels)

    def call(self, images):
        import tensorflow as tf

        flat = tf.reshape(tf.cast(images, tf.float32), (tf.shape(images)[0], -1))
        p = tf.matmul(flat - self.mean, self.basis)
        distance = (tf.reduce_sum(p * p, 1, keepdims=True) - 2.0 * tf.matmul(p, self.centres,
                                                                              transpose_b=True)
                    + tf.reduce_sum(self.centres * self.centres, 1)[None, :])
        return tf.argmin(distance, axis=1, output_type=tf.int32)

    def get_config(self):
        return {**super().get_config(), "clusters": self.clusters,
                "components": self.components}


@keras.saving.register_keras_serializable(package="ganzoo")
class LatentChunks(keras.layers.Layer):
    """Split z into ``chunks`` equal parts along its last axis: BigGAN's hierarchical latent
    (Brock et al. 2019, §4 "Hierarchical latent spaces"), one part for the first dense layer
    and one for each residual block's conditional BatchNorm.

    Example:

    ```python
    parts = ganzoo.layers.LatentChunks(4)(z)   # (N, 128) -> four (N, 32)
    ```
    """

    def __init__(self, chunks, **kwargs):
        super().__init__(**kwargs)
        self.chunks = int(chunks)

    def call(self, z):
        return keras.ops.split(z, self.chunks, axis=-1)

    def compute_output_shape(self, input_shape):
        part = None if input_shape[-1] is None else input_shape[-1] // self.chunks
        return [tuple(input_shape[:-1]) + (part,)] * self.chunks

    def get_config(self):
        return {**super().get_config(), "chunks": self.chunks}


@keras.saving.register_keras_serializable(package="ganzoo")
class ScaleShift(keras.layers.Layer):
    """``x * (1 + gain) + bias`` with a gain and bias per sample and channel: the affine part of
    conditional BatchNorm (de Vries et al. 2017; BigGAN's class-conditional BatchNorm, Brock
    et al. 2019, §3, whose gains are centred at 1 as in the authors' code).

    Inputs ``[x, gain, bias]``: x of shape (N, H, W, C), gain and bias of shape (N, C).

    Example:

    ```python
    h = keras.layers.BatchNormalization(center=False, scale=False)(x)
    h = ganzoo.layers.ScaleShift()([h, Dense(C)(cond), Dense(C)(cond)])
    ```
    """

    def call(self, inputs):
        x, gain, bias = inputs
        gain = keras.ops.cast(gain, x.dtype)[:, None, None, :]
        bias = keras.ops.cast(bias, x.dtype)[:, None, None, :]
        return x * (1.0 + gain) + bias

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="ganzoo")
class Attention2D(keras.layers.Layer):
    """The attention of a self-attention block (Zhang et al. 2019, "Self-Attention Generative
    Adversarial Networks", §3), without weights: softmax(θ φᵀ) g over positions.

    Inputs ``[theta, phi, g]``: theta (N, H, W, c) queries at every position, phi (N, h, w, c)
    keys and g (N, h, w, c') values at (possibly pooled) positions. Output (N, H, W, c'): at
    each position, the values averaged with the softmax of its query against every key (the
    authors' BigGAN code pools phi and g 2x2, as :func:`ganzoo.biggan_nets.self_attention`).

    Example:

    ```python
    out = ganzoo.layers.Attention2D()([theta, phi, g])
    ```
    """

    def call(self, inputs):
        theta, phi, g = inputs
        n, h, w = keras.ops.shape(theta)[0], keras.ops.shape(theta)[1], keras.ops.shape(theta)[2]
        q = keras.ops.reshape(theta, (n, -1, theta.shape[-1]))
        k = keras.ops.reshape(phi, (n, -1, phi.shape[-1]))
        v = keras.ops.reshape(g, (n, -1, g.shape[-1]))
        beta = keras.ops.softmax(keras.ops.matmul(q, keras.ops.transpose(k, (0, 2, 1))), axis=-1)
        return keras.ops.reshape(keras.ops.matmul(beta, v), (n, h, w, g.shape[-1]))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[2][-1],)


@keras.saving.register_keras_serializable(package="ganzoo")
class ScaledResidual(keras.layers.Layer):
    """``x + γ·o`` with a learned scalar γ that starts at 0 (Zhang et al. 2019, eq. 3), so a
    self-attention block begins as the identity and the network learns how much to use it.

    Example:

    ```python
    y = ganzoo.layers.ScaledResidual()([x, attention_output])
    ```
    """

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")

    def call(self, inputs):
        x, o = inputs
        return x + keras.ops.cast(self.gamma, x.dtype) * o

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="ganzoo")
class Conv2D(keras.layers.Conv2D):
    """``keras.layers.Conv2D`` that can also read an image joined with K one-hot label maps
    without building the maps.

    The conditional discriminators of Mirza & Osindero (2014) and of self-conditioning join
    one constant map per class to the image and convolve the ``C + K`` channels. Convolution is
    linear in its input channels, so that equals ``conv(image, W[:, :, :C])`` plus the
    convolution of an all-ones map with the label's slice ``W[:, :, C + k]``, which is the same
    for every image of class ``k``. With ``num_classes=K`` this layer is called on
    ``[image, one_hot]`` and computes the K class responses once per call (one ``1 -> K·F``
    convolution of a single ones-map), adding each image's by its one-hot row: the same kernel
    (``(kh, kw, C + K, F)``), the same outputs and gradients (zero padding included), and about
    ``(C + K) / C`` times fewer multiplications (51x for 50 clusters on grey digits), none of
    them in a gradient penalty's input gradient. With ``num_classes=0`` (the default) it is
    Keras' ``Conv2D``. It keeps that class name on purpose: Keras addresses saved layers by
    their class name, so weights saved from the joined-maps network load into this one and
    back.

    Args:
        filters, kernel_size, **kwargs: ``keras.layers.Conv2D``'s arguments (channels-last,
            ``groups=1`` where ``num_classes`` is set).
        num_classes: K, the length of the one-hot rows (0: a plain convolution).

    Example:

    ```python
    conv = ganzoo.layers.Conv2D(64, 4, strides=2, padding="same", num_classes=50)
    y = conv([images, keras.ops.one_hot(clusters, 50)])  # == Conv2D on [images, 50 label maps]
    ```
    """

    def __init__(self, filters, kernel_size, num_classes=0, **kwargs):
        super().__init__(filters, kernel_size, **kwargs)
        self.num_classes = int(num_classes)
        if not self.num_classes:
            return
        if self.data_format != "channels_last" or self.groups != 1:
            raise ValueError("ganzoo.layers.Conv2D with num_classes supports "
                             "data_format='channels_last' and groups=1 only, got "
                             f"{self.data_format!r} and {self.groups}.")
        self.input_spec = None  # two inputs: the image and the one-hot rows

    def _joined(self, input_shape):
        """The shape of the image joined with its label maps, from ``[image, one-hot]``'s."""
        if self.num_classes and isinstance(input_shape[0], (list, tuple)):
            image_shape, _ = input_shape
            return tuple(image_shape[:-1]) + (image_shape[-1] + self.num_classes,)
        return input_shape  # already joined (Conv2D.build passes it on) or no labels

    def build(self, input_shape):
        super().build(self._joined(input_shape))
        if self.num_classes:
            self.input_spec = None

    def call(self, inputs):
        if not self.num_classes:
            return super().call(inputs)
        ops = keras.ops
        image, onehot = inputs
        channels, (kh, kw) = image.shape[-1], self.kernel_size
        k, f = self.num_classes, self.filters
        kernel = self.kernel
        conv = dict(strides=self.strides, padding=self.padding, dilation_rate=self.dilation_rate)
        out = ops.conv(image, kernel[:, :, :channels, :], **conv)
        ones = ops.ones((1,) + tuple(image.shape[1:3]) + (1,), dtype=image.dtype)
        per_class = ops.conv(ones, ops.reshape(kernel[:, :, channels:, :], (kh, kw, 1, k * f)),
                             **conv)                                 # (1, H', W', K·F)
        per_class = ops.reshape(per_class, tuple(per_class.shape[1:3]) + (k, f))
        out = out + ops.einsum("bk,hwkf->bhwf", ops.cast(onehot, out.dtype), per_class)
        if self.use_bias:
            out = out + self.bias
        return self.activation(out) if self.activation is not None else out

    def compute_output_shape(self, input_shape):
        return super().compute_output_shape(self._joined(input_shape))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
