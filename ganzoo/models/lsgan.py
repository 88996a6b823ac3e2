"""LSGAN: Mao, Li, Xie, Lau, Wang & Smolley 2017, "Least Squares Generative Adversarial
Networks" (ICCV 2017, arXiv:1611.04076)."""

from ganzoo import config as config_lib
from ganzoo.models.dcgan import DCGAN
from ganzoo.registry import register


@register("lsgan")
class LSGAN(DCGAN):
    """Least squares GAN (Mao et al. 2017).

    D's sigmoid cross-entropy is replaced by least squares on its raw output (eq. 2):
    D minimises ½E[(D(x) - b)²] + ½E[(D(G(z)) - a)²] and G minimises ½E[(D(G(z)) - c)²].
    Samples on the right side of the decision boundary but far from the real data still get
    a gradient, which the paper credits for sharper images and steadier training.
    ``loss.coding`` picks the targets: ``"0-1"`` (a = 0, b = c = 1, eq. 9, the default) or
    ``"-1-1-0"`` (a = -1, b = 1, c = 0, eq. 8, which makes the game minimise a Pearson χ²
    divergence). The algorithm is otherwise Goodfellow et al.'s alternating one, so it trains
    with ``VanillaGAN.train_step`` (``ganzoo/models/vanilla.py``), as ``dcgan`` does.

    The default networks are DCGAN's at 28x28; the ``rgb64`` config is the paper's scene
    architecture (Fig. 3: 3x3 transposed convolutions with a stride-1 layer after each coarse
    stage, a 1024-d uniform z, a 5x5 DCGAN discriminator) at 64x64.

    Example:

    ```python
    gan = ganzoo.build("lsgan", loss={"coding": "-1-1-0"})
    gan.fit(ganzoo.datasets.load("digits"), epochs=1)
    images = gan.generate(16, seed=0)
    ```
    """

    paper = ('Mao, Li, Xie, Lau, Wang & Smolley 2017, "Least Squares Generative Adversarial '
             'Networks", ICCV 2017, arXiv:1611.04076')
    task = 'unconditional image generation'

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        if config["loss"]["name"] != "least_squares":
            raise config_lib.ConfigError(
                f"lsgan: loss.name must be 'least_squares' (the least-squares losses are what "
                f"LSGAN is), got {config['loss']['name']!r}; drop the key and pick the targets "
                f"with loss.coding ('0-1' or '-1-1-0'), or use 'dcgan' for another loss.")
