"""Wasserstein GANs: weight clipping (Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN")
and gradient penalty (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs")."""

import keras
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import losses
from ganzoo.models.base import GAN
from ganzoo.registry import register


@register("wgan")
class WGAN(GAN):
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

    @classmethod
    def config_checks(cls):
        checks = super().config_checks()
        checks["critic.clip_value"] = config_lib.positive_number()
        checks["critic.gp_weight"] = config_lib.positive_number()
        return checks

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        if config["loss"]["name"] != "wasserstein":
            raise config_lib.ConfigError(
                f"{cls.registry_name} trains a Wasserstein critic; loss.name must be "
                f"'wasserstein', got {config['loss']['name']!r} (use dcgan for other losses).")

    def d_loss_from(self, real_out, fake_out, real, fake, real_labels=None, fake_labels=None):
        loss, logs = super().d_loss_from(real_out, fake_out, real, fake, real_labels, fake_labels)
        logs["w_distance"] = logs["d_real"] - logs["d_fake"]
        return loss, logs

    def after_discriminator_update(self):
        clip = self.config["critic"].get("clip_value")
        if clip:
            for v in self.discriminator.trainable_variables:
                v.assign(tf.clip_by_value(v, -clip, clip))


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

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        if config["discriminator"].get("norm") == "batch":
            raise config_lib.ConfigError(
                "wgan_gp penalises the critic's gradient per sample, which BatchNorm breaks; "
                "set discriminator.norm to 'layer' or 'none' (Gulrajani et al. 2017, §4).")

    def d_loss_from(self, real_out, fake_out, real, fake, real_labels=None, fake_labels=None):
        loss, logs = super().d_loss_from(real_out, fake_out, real, fake, real_labels, fake_labels)
        alpha = self.per_replica(
            lambda shape: keras.random.uniform(shape, 0.0, 1.0, seed=self.seed_generator),
            tf.shape(real)[0])
        critic = lambda x: self.discriminate(x, real_labels)  # noqa: E731
        gp = losses.gradient_penalty(critic, real, fake, alpha=alpha)
        logs["gp"] = gp
        total = loss + self.config["critic"]["gp_weight"] * gp
        logs["d_loss"] = total
        return total, logs
