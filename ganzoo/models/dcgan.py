"""DCGAN: Radford, Metz & Chintala 2016, "Unsupervised Representation Learning with
Deep Convolutional Generative Adversarial Networks" (ICLR 2016, arXiv:1511.06434)."""

import keras

from ganzoo import config as ganzoo_config
from ganzoo import nets
from ganzoo.models.base import GAN
from ganzoo.registry import register


@register("dcgan")
@keras.saving.register_keras_serializable(package="ganzoo")
class DCGAN(GAN):
    """Deep convolutional GAN (Radford et al. 2016).

    The paper's architecture guidelines (§3): strided convolutions instead of
    pooling, BatchNorm in both networks (not on G's output or D's input
    layer), no fully connected hidden layers, ReLU in G with tanh output,
    LeakyReLU(0.2) in D; weights from N(0, 0.02); Adam(2e-4, beta_1 = 0.5);
    batch 128. The number of stride-2 stages follows from ``image_shape``
    (28x28: 2, 32x32: 3, 64x64: 4).

    Example:

    ```python
    gan = ganzoo.build("dcgan", image_shape=(32, 32, 3))
    gan.fit(ganzoo.datasets.load("cifar10"), epochs=10)
    ```
    """

    def build_generator(self):
        g = self.config["generator"]
        return nets.dcgan_generator(self.image_shape, self.latent_dim, filters=g["filters"],
                                    kernel_size=g["kernel_size"], init_std=g["init_std"],
                                    batch_norm=g["batch_norm"])

    def build_discriminator(self):
        d = self.config["discriminator"]
        return nets.dcgan_discriminator(self.image_shape, filters=d["filters"],
                                        kernel_size=d["kernel_size"], init_std=d["init_std"],
                                        leaky_slope=d["leaky_slope"], batch_norm=d["batch_norm"])

    @classmethod
    def config_checks(cls):
        c = super().config_checks()
        for net in ("generator", "discriminator"):
            c[f"{net}.filters"] = ganzoo_config.positive_int()
            c[f"{net}.kernel_size"] = ganzoo_config.positive_int()
            c[f"{net}.init_std"] = ganzoo_config.positive_number()
        c["discriminator.leaky_slope"] = ganzoo_config.number_in(0.0, 1.0)
        return c

