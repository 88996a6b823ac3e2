"""DCGAN: Radford, Metz & Chintala 2016, "Unsupervised Representation Learning with
Deep Convolutional Generative Adversarial Networks" (ICLR 2016, arXiv:1511.06434)."""


from ganzoo.models.vanilla import VanillaGAN
from ganzoo.registry import register


@register("dcgan")
class DCGAN(VanillaGAN):
    """Deep convolutional GAN (Radford et al. 2016).

    The paper's architecture guidelines (§3): strided convolutions instead of
    pooling, BatchNorm in both networks (not on G's output or D's input
    layer), no fully connected hidden layers, ReLU in G with tanh output,
    LeakyReLU(0.2) in D; weights from N(0, 0.02); Adam(2e-4, beta_1 = 0.5);
    batch 128. The number of stride-2 stages follows from ``data_shape``
    (28x28: 2, 32x32: 3, 64x64: 4). It trains with Goodfellow et al.'s
    Algorithm 1 and the non-saturating loss, as the paper does
    (``VanillaGAN.train_step`` in ``ganzoo/models/vanilla.py``).

    Example:

    ```python
    gan = ganzoo.build("dcgan", data_shape=(32, 32, 3))
    gan.fit(ganzoo.datasets.load("cifar10"), epochs=10)
    ```
    """

    paper = ('Radford, Metz & Chintala 2016, "Unsupervised Representation Learning with Deep '
             'Convolutional Generative Adversarial Networks", ICLR 2016, arXiv:1511.06434')
    task = 'unconditional image generation'
