"""Wasserstein GANs: weight clipping (Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN")
and gradient penalty (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs")."""

import keras
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import losses, schema
from ganzoo.models import self_conditioning
from ganzoo.models.base import NOISE_SCHEMA, GAN, unpack
from ganzoo.models.self_conditioning import SelfConditioned
from ganzoo.registry import register
from ganzoo.schema import Key

_CRITIC = schema.extend(
    NOISE_SCHEMA,
    # the critic's loss is the Wasserstein estimate, fixed by the algorithm
    loss={"name": Key("wasserstein", None,
                      "the critic's loss: E[D(G(z))] - E[D(x)] (fixed; see validate_config)")},
    training={k: v for k, v in NOISE_SCHEMA["training"].items() if k != "reuse_fakes"},
    self_conditioning=self_conditioning.SCHEMA)
_CRITIC["training"]["d_steps"] = Key(5, schema.positive_int(),
                                     "critic updates per generator update (n_critic)")

#: WGAN's keys: the noise-to-sample keys, a fixed loss, and the clipping constant
WGAN_SCHEMA = schema.extend(_CRITIC, critic={
    "clip_value": Key(0.01, schema.positive_number(),
                      "c: every critic weight is clipped to [-c, c] after each update")})
#: WGAN-GP's keys: the penalty weight instead of clipping
WGAN_GP_SCHEMA = schema.extend(_CRITIC, critic={
    "gp_weight": Key(10.0, schema.positive_number(),
                     "λ: weight of the gradient penalty E[(‖∇D(x̂)‖₂ - 1)²]")})


@register("wgan")
class WGAN(SelfConditioned, GAN):
    """WGAN with weight clipping (Arjovsky et al. 2017, Algorithm 1).

    The critic has no sigmoid and minimises E[D(G(z))] - E[D(x)]; after every
    critic update all its weights are clipped to [-c, c] (c = 0.01).
    ``training.d_steps`` = n_critic = 5; RMSprop(5e-5); batch 64. Logs
    ``w_distance`` = E[D(x)] - E[D(G(z))], the critic's estimate of the
    Wasserstein-1 distance (up to the Lipschitz constant).

    Example:

    ```python
    gan = ganzoo.build("wgan")
    gan.fit(ganzoo.datasets.load("digits"), epochs=10)
    ```
    """

    paper = ('Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN", ICML 2017, arXiv:1701.07875')
    task = 'unconditional image generation'

    metric_names = GAN.metric_names + ("w_distance",)

    config_schema = WGAN_SCHEMA

    @classmethod
    def objective_notes(cls, config):
        clip = config["critic"]["clip_value"]
        return " ".join(n for n in (
            f"After each critic update every critic weight is clipped to [-{clip}, {clip}].",
            cls.self_conditioning_notes(config)) if n)

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        if config["loss"]["name"] != "wasserstein":
            raise config_lib.ConfigError(
                f"{cls.__name__.lower()}: loss.name must be 'wasserstein' (the critic's loss is "
                f"fixed by the algorithm), got {config['loss']['name']!r}; drop the key, or use "
                "'dcgan' for another adversarial loss.")

    def train_step(self, data):
        """One critic iteration of Arjovsky et al. 2017, Algorithm 1 (n_critic =
        ``training.d_steps``; c = ``critic.clip_value``), and the generator update after every
        n_critic-th. With ``self_conditioning`` the critic also sees each sample's cluster
        (``k`` below; ``None`` without it)."""
        x, _ = unpack(data)
        m = tf.shape(x)[0]
        k = self.cluster_of_data(x)
        critic = self.discriminator.trainable_variables
        # sample {x^(i)} (this batch) and {z^(i)} ~ p(z); g_w <- ∇_w [1/m Σ f(G(z)) - 1/m Σ f(x)]
        z = self.sample_noise(m)
        fake = self.G(z)
        with tf.GradientTape() as tape:
            real_out, fake_out = self.D(x, k), self.D(fake, self.cluster_of_noise(z))
            d_loss = losses.wasserstein_discriminator_loss(real_out, fake_out)
        self.apply_gradients(self.d_optimizer, d_loss, tape, critic)   # RMSprop(α)
        self.adapt_augmentation(real_out)  # augment.ada: p follows E[sign(D(x))]
        c = self.config["critic"]["clip_value"]
        for w in critic:                                                # w <- clip(w, -c, c)
            w.assign(tf.clip_by_value(w, -c, c))
        outs = self.d_outputs(real_out, fake_out)
        self.log(d_loss=d_loss, w_distance=outs["d_real"] - outs["d_fake"], **outs)
        self.generator_update(m)
        return self.step_logs()

    def generator_update(self, m):
        """After every n_critic-th critic update: fresh {z^(i)}; θ <- θ - α ∇_θ -1/m Σ f(G(z))."""
        def update():
            with tf.GradientTape() as tape:
                z = self.sample_noise(m)
                g_loss = losses.wasserstein_generator_loss(
                    self.D(self.G(z), self.cluster_of_noise(z)))
            self.apply_gradients(self.g_optimizer, g_loss, tape,
                                 self.generator.trainable_variables)
            self.update_ema()
            self.log(g_loss=g_loss)

        self.every_k_d_steps(update)


@register("wgan_gp")
class WGANGP(WGAN):
    """WGAN-GP (Gulrajani et al. 2017, Algorithm 1).

    The Wasserstein critic loss plus λ·E[(‖∇D(x̂)‖₂ - 1)²] at random
    interpolates x̂ = αx + (1-α)G(z), α ~ U[0, 1] per sample; λ = 10,
    n_critic = 5, Adam(1e-4, β = (0, 0.9)); no BatchNorm in the critic
    (the penalty is per sample; LayerNorm is the paper's suggested
    replacement, §4). No weight clipping. Logs ``w_distance`` and ``gp``.

    Example:

    ```python
    gan = ganzoo.build("wgan_gp", config="ring")
    gan.fit(ganzoo.datasets.load("ring"), epochs=2)
    ```
    """

    paper = ('Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville 2017, "Improved Training of '
             'Wasserstein GANs", NeurIPS 2017, arXiv:1704.00028')

    metric_names = WGAN.metric_names + ("gp",)

    config_schema = WGAN_GP_SCHEMA

    @classmethod
    def objective_notes(cls, config):
        return " ".join(n for n in (
            r"$$L_D \mathrel{+}= \lambda\,\mathbb{E}_{\hat x}[(\lVert\nabla_{\hat x} "
            r"D(\hat x)\rVert_2 - 1)^2],\quad \hat x = \alpha x + (1-\alpha)G(z),\ "
            r"\alpha\sim U[0,1]$$",
            cls.self_conditioning_notes(config)) if n)

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        if config["discriminator"].get("norm") == "batch":
            raise config_lib.ConfigError(
                "wgan_gp penalises the critic's gradient per sample, which BatchNorm breaks; "
                "set discriminator.norm to 'layer' or 'none' (Gulrajani et al. 2017, §4).")

    def train_step(self, data):
        """One critic iteration of Gulrajani et al. 2017, Algorithm 1 (n_critic =
        ``training.d_steps``, λ = ``critic.gp_weight``), and the generator update after every
        n_critic-th. With ``self_conditioning`` the critic also sees each sample's cluster
        (``k``; ``None`` without it), and each x̃ is drawn from its real x's cluster, so the
        interpolate x̂ between them is judged by D(·, k) of the cluster both ends belong to
        (as conditional WGAN-GPs pair real and fake by label); with x̃ from other clusters the
        penalty never reaches D(·, k) near G's samples of cluster k."""
        x, _ = unpack(data)
        m = tf.shape(x)[0]
        k = self.cluster_of_data(x)
        critic = self.discriminator.trainable_variables
        z = self.noise_of_clusters(self.sample_noise(m), k)
        fake = self.G(z)                                          # x̃ <- G_θ(z), z ~ p(z)
        with tf.GradientTape() as tape:
            real_out, fake_out = self.D(x, k), self.D(fake, k)
            w_loss = losses.wasserstein_discriminator_loss(real_out, fake_out)  # D(x̃) - D(x)
            # x̂ <- εx + (1 - ε)x̃, ε ~ U[0, 1] per sample; penalty (‖∇_x̂ D(x̂)‖₂ - 1)²
            eps = self.per_replica(
                lambda shape: keras.random.uniform(shape, 0.0, 1.0, seed=self.seed_generator), m)
            gp = losses.gradient_penalty(lambda v: self.D(v, k), x, fake, alpha=eps)
            d_loss = w_loss + self.config["critic"]["gp_weight"] * gp    # L = ... + λ gp
        self.apply_gradients(self.d_optimizer, d_loss, tape, critic)   # Adam(α, β1, β2)
        self.adapt_augmentation(real_out)  # augment.ada: p follows E[sign(D(x))]
        outs = self.d_outputs(real_out, fake_out)
        self.log(d_loss=d_loss, gp=gp, w_distance=outs["d_real"] - outs["d_fake"], **outs)
        self.generator_update(m)
        return self.step_logs()
