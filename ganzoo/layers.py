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
