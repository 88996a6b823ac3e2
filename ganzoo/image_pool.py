"""A pool of past generated images for discriminator updates (Shrivastava et al. 2017), as
CycleGAN uses it (Zhu et al. 2017, §4: "a history of 50 previously generated images").

Works inside ``tf.function`` (``train_step``): the stored images are a non-trainable variable.
The pool computes nothing, so it keeps float32 whatever the model's precision: under a mixed
policy a layer's float variables are read cast to its compute dtype, a copy that cannot be
updated in place.
"""

import keras
import tensorflow as tf


class ImagePool(keras.layers.Layer):
    """Hands the discriminator a mix of new and past fakes.

    Until the pool holds ``capacity`` images, every new image is stored and returned as it is.
    Afterwards, each new image is, with probability ``swap_probability``, swapped with a random
    stored one (the stored one is returned, the new one kept), and otherwise returned as it is.

    Args:
        capacity: images kept (50 in CycleGAN); 0 turns the pool off.
        image_shape: (H, W, C) of the images.
        swap_probability: probability of returning a past image once the pool is full (0.5).
        seed: seed of the swap decisions.

    Example:

    ```python
    pool = ganzoo.image_pool.ImagePool(50, (64, 64, 3))
    fakes_for_d = pool(fake_b)   # same shape as fake_b
    ```
    """

    def __init__(self, capacity=50, image_shape=None, swap_probability=0.5, seed=None, **kwargs):
        kwargs.setdefault("dtype", "float32")   # also under mixed_bfloat16 / mixed_float16
        super().__init__(**kwargs)
        self.capacity, self.image_shape = int(capacity), tuple(image_shape)
        self.swap_probability, self.seed = float(swap_probability), seed
        self.images = self.add_weight(shape=(max(self.capacity, 1),) + self.image_shape,
                                      initializer="zeros", trainable=False, name="images")
        self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32",
                                     trainable=False, name="count")
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images):
        if self.capacity == 0:
            return images
        images = tf.convert_to_tensor(images)
        if images.shape[0] is None:  # dynamic batch: one image at a time in a loop
            return tf.map_fn(self._query_one, images)
        return tf.stack([self._query_one(images[i]) for i in range(images.shape[0])])

    def _query_one(self, image):
        count = self.count.value
        rnd = keras.random.uniform((2,), seed=self.seed_generator)

        def store():
            self.images.value.scatter_nd_update([[count]], [image])
            self.count.assign(count + 1)
            return image

        def maybe_swap():
            def swap():
                idx = tf.minimum(tf.cast(rnd[1] * self.capacity, tf.int32), self.capacity - 1)
                old = tf.identity(self.images.value[idx])
                with tf.control_dependencies([old]):
                    self.images.value.scatter_nd_update([[idx]], [image])
                with tf.control_dependencies([old]):
                    return tf.identity(old)
            return tf.cond(rnd[0] < self.swap_probability, swap, lambda: image)

        return tf.cond(count < self.capacity, store, maybe_swap)

    def get_config(self):
        return {**super().get_config(), "capacity": self.capacity,
                "image_shape": list(self.image_shape),
                "swap_probability": self.swap_probability, "seed": self.seed}
