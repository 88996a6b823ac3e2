"""The original GAN: Goodfellow et al. 2014, "Generative Adversarial Nets" (NeurIPS 2014)."""


import tensorflow as tf

from ganzoo import schema
from ganzoo.models import self_conditioning
from ganzoo.models.base import GAN, NOISE_SCHEMA, unpack
from ganzoo.models.self_conditioning import SelfConditioned
from ganzoo.registry import register

#: Goodfellow et al.'s keys, and self-conditioning (not in the papers; off by default)
VANILLA_SCHEMA = schema.extend(NOISE_SCHEMA, self_conditioning=self_conditioning.SCHEMA)


@register("vanilla")
class VanillaGAN(SelfConditioned, GAN):
    """Goodfellow et al. 2014: fully connected generator and discriminator.

    ``train_step`` is Algorithm 1 of the paper: ``training.d_steps`` (k) discriminator
    updates, then one generator update. G is an MLP with ReLU
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
    config_schema = VANILLA_SCHEMA

    def train_step(self, data):
        """One minibatch of Goodfellow et al. 2014, Algorithm 1 (``training.d_steps`` = k).

        With ``self_conditioning`` D also sees a cluster: the real image's, and for G(z) the
        one z's last coordinate picks (``c`` below; ``None`` without it)."""
        x, _ = unpack(data)
        m = tf.shape(x)[0]
        c = self.cluster_of_data(x)
        D_vars, G_vars = self.discriminator.trainable_variables, self.generator.trainable_variables
        if self.reuse_fakes:  # training.reuse_fakes, as dcgan.torch: one G(z) for both updates
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                z = self.sample_noise(m)
                fake = self.G(z)
                real_out, fake_out = self.D(x, c), self.D(fake, self.cluster_of_noise(z))
                d_loss = self.d_loss_fn(real_out, fake_out)
                g_loss = self.g_loss_fn(fake_out)
            self.apply_gradients(self.d_optimizer, d_loss, d_tape, D_vars)
            self.apply_gradients(self.g_optimizer, g_loss, g_tape, G_vars)
            self.update_ema()
            self.adapt_augmentation(real_out)  # augment.ada: p follows E[sign(D(x))]
            return self.log(d_loss=d_loss, g_loss=g_loss, **self.d_outputs(real_out, fake_out))

        # sample z^(1..m) ~ p_g(z); ascend ∇ 1/m Σ [log D(x^(i)) + log(1 - D(G(z^(i))))]
        z = self.sample_noise(m)
        fake = self.G(z)
        with tf.GradientTape() as tape:
            real_out, fake_out = self.D(x, c), self.D(fake, self.cluster_of_noise(z))
            d_loss = self.d_loss_fn(real_out, fake_out)
        self.apply_gradients(self.d_optimizer, d_loss, tape, D_vars)
        self.adapt_augmentation(real_out)  # augment.ada: p follows E[sign(D(x))]
        self.log(d_loss=d_loss, **self.d_outputs(real_out, fake_out))

        def generator_update():  # fresh z^(1..m); descend ∇ 1/m Σ -log D(G(z^(i))) (§3)
            with tf.GradientTape() as tape:
                z = self.sample_noise(m)
                g_loss = self.g_loss_fn(self.D(self.G(z), self.cluster_of_noise(z)))
            self.apply_gradients(self.g_optimizer, g_loss, tape, G_vars)
            self.update_ema()
            self.log(g_loss=g_loss)

        self.every_k_d_steps(generator_update)  # after every k-th discriminator update
        return self.step_logs()
