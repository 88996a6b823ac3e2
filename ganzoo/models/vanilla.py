"""The original GAN: Goodfellow et al. 2014, "Generative Adversarial Nets" (NeurIPS 2014)."""


from ganzoo.models.base import GAN
from ganzoo.registry import register


@register("vanilla")
class VanillaGAN(GAN):
    """Goodfellow et al. 2014: fully connected generator and discriminator.

    Algorithm 1 of the paper is the base class's loop: ``training.d_steps`` (k)
    discriminator updates, then one generator update. G is an MLP with ReLU
    units; D an MLP of maxout units with dropout (§5). Works on images
    (flattened) and on plain vectors such as 2-D points (``data_shape: [2]``,
    see the ``ring`` preset). ``loss.name`` is ``non_saturating`` by default
    (the paper's own recommendation in §3, since log(1 - D(G(z))) saturates
    early in training) or ``minimax``; ``loss.real_label < 1`` gives one-sided
    label smoothing.

    Example:

    ```python
    gan = ganzoo.build("vanilla", config="ring")
    gan.fit(ganzoo.datasets.load("ring"), epochs=2)
    points = gan.generate(2500, seed=0)       # (2500, 2)
    ```
    """

    paper = ('Goodfellow et al. 2014, "Generative Adversarial Nets", NeurIPS 2014, arXiv:1406.2661')
    task = 'unconditional generation of images or vectors'
