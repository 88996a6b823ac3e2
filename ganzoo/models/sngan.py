"""SNGAN: Miyato, Kataoka, Koyama & Yoshida 2018, "Spectral Normalization for Generative
Adversarial Networks" (ICLR 2018, arXiv:1802.05957)."""

import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo.models.base import unpack
from ganzoo.models.vanilla import VanillaGAN
from ganzoo.registry import register


@register("sngan")
class SNGAN(VanillaGAN):
    """GAN with a spectrally normalised discriminator (Miyato et al. 2018).

    Every layer of D is divided by its largest singular value (one power iteration per
    training call; ``keras.layers.SpectralNormalization``), which bounds D's Lipschitz constant
    without a penalty term. The default networks are the paper's ResNets for 32x32 images
    (Appendix B, Table 4: G of three up-sampling residual blocks of 256 channels, D of four
    residual blocks of 128 with a global sum pooling). Hinge loss, n_dis = 5, Adam(2e-4,
    beta = (0, 0.9)), learning rates decaying linearly to 0, as the authors' CIFAR-10 config.
    ``config="cnn"`` is the paper's standard CNN (Table 3: ``sngan_cnn`` networks, the
    non-saturating loss and Adam setting B of Table 1); ``discriminator.type: dcgan`` (with
    ``norm: none``) or ``mlp`` swap in other networks; the ``ring`` config is the 2-D toy.

    Example:

    ```python
    gan = ganzoo.build("sngan")                          # 32x32 colour images
    gan.fit(images, epochs=1)
    samples = gan.generate(16, seed=0)
    ```
    """

    paper = ('Miyato, Kataoka, Koyama & Yoshida 2018, "Spectral Normalization for Generative '
             'Adversarial Networks", ICLR 2018, arXiv:1802.05957')
    task = 'unconditional image generation'

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        if not config["discriminator"].get("spectral_norm"):
            raise config_lib.ConfigError(
                "sngan: discriminator.spectral_norm must be true (spectral normalization of D "
                "is what SNGAN is); drop the key, or use 'dcgan' with the same networks "
                "without it.")
        if config["training"].get("reuse_fakes"):
            raise config_lib.ConfigError(
                "sngan: training.reuse_fakes does not apply: G updates once per n_dis D "
                "updates on its own samples (the released updater); set it to false.")

    @classmethod
    def objective_notes(cls, config):
        return " ".join(n for n in (
            "Every convolution and dense layer of D is divided by its largest singular value "
            "(one power iteration per training call, `keras.layers.SpectralNormalization`; "
            "[configs](../configs.md#spectral-normalization) says how Keras' layer differs "
            "from the paper's gradient).", cls.self_conditioning_notes(config)) if n)

    @classmethod
    def card_objective(cls, config):
        k = config["training"]["d_steps"]
        return cls.card_loss(config) + (
            f"Each training step updates D once on a real batch of m and m fresh samples; the "
            f"generator's update opens every round of {k} D update{'s' if k > 1 else ''} and "
            "draws 2m samples, as the authors' released updater (pfnet-research/"
            "sngan_projection, n_gen_samples 128 at batch 64). " + cls.CARD_LOSS_MEANS)

    def train_step(self, data):
        """One discriminator update of the authors' released updater (pfnet-research/
        sngan_projection, ``Updater.update_core``), preceded by the generator update on every
        n_dis-th (``training.d_steps``). G's update draws 2m samples, as the updater's
        ``n_gen_samples`` (128 at batch 64). With ``self_conditioning`` D also sees a cluster
        (``c`` below; ``None`` without it)."""
        x, _ = unpack(data)
        m = tf.shape(x)[0]
        c = self.cluster_of_data(x)
        D_vars, G_vars = self.discriminator.trainable_variables, self.generator.trainable_variables

        def generator_update():  # first of each n_dis round: descend the G loss (hinge: -D(G(z)))
            with tf.GradientTape() as tape:
                z = self.sample_noise(2 * m)
                g_loss = self.g_loss_fn(self.D(self.G(z), self.cluster_of_noise(z)))
            self.apply_gradients(self.g_optimizer, g_loss, tape, G_vars)
            self.update_ema()
            self.log(g_loss=g_loss)

        self.every_k_d_steps(generator_update)   # before this round's first D update
        # a real batch and m fresh samples; descend D's loss (hinge: relu(1-D(x)) + relu(1+D(G(z))))
        z = self.sample_noise(m)
        fake = self.G(z)
        with tf.GradientTape() as tape:
            real_out, fake_out = self.D(x, c), self.D(fake, self.cluster_of_noise(z))
            d_loss = self.d_loss_fn(real_out, fake_out)
        self.apply_gradients(self.d_optimizer, d_loss, tape, D_vars)
        self.adapt_augmentation(real_out)  # augment.ada: p follows E[sign(D(x))]
        self.log(d_loss=d_loss, **self.d_outputs(real_out, fake_out))
        return self.step_logs()
