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
