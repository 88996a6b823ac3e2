"""The original GAN: Goodfellow et al. 2014, "Generative Adversarial Nets" (NeurIPS 2014)."""


import math

import keras
import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import layers, nets, schema
from ganzoo.models.base import GAN, NOISE_SCHEMA, unpack
from ganzoo.registry import register
from ganzoo.schema import Key

#: images the clusters of ``self_conditioning`` are learned from (a sample of the data)
CLUSTER_FIT_IMAGES = 20_000

#: Goodfellow et al.'s keys, and self-conditioning (not in the papers; off by default)
VANILLA_SCHEMA = schema.extend(NOISE_SCHEMA, self_conditioning={
    "clusters": Key(0, schema.zero_or_at_least(2),
                    "0: the paper's unconditional GAN; K: D sees each image's k-means cluster "
                    "(PCA of pixels) and z's last coordinate picks G's cluster"),
    "components": Key(50, schema.positive_int(),
                      "principal components the images are clustered in")})


@register("vanilla")
class VanillaGAN(GAN):
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

    # ------------------------------------------------------------------ self-conditioning

    def build_networks(self):
        #: K of ``self_conditioning.clusters`` (0: off)
        self.clusters = k = int(self.config["self_conditioning"]["clusters"])
        if k:  # before the networks: G's code layer and D's label input need them
            self.pixel_clusters = layers.PixelClusters(
                k, self.config["self_conditioning"]["components"], name="pixel_clusters")
            self.pixel_clusters.build((None,) + tuple(self.config["data_shape"]))
        super().build_networks()

    def build_generator(self, name="generator", latent_dim=None):
        """With self-conditioning, z's last coordinate becomes a one-hot cluster code
        (:class:`ganzoo.layers.LatentClusterCode`) in front of the configured network."""
        if not self.clusters:
            return super().build_generator(name)
        z = keras.Input((self.latent_dim,), name="z")
        code = layers.LatentClusterCode(self.clusters, self.config["latent_distribution"],
                                        name="cluster_code")
        body = super().build_generator(f"{name}_body", self.latent_dim - 1 + self.clusters)
        return keras.Model(z, body(code(z)), name=name)

    def build_discriminator(self):
        if not self.clusters:
            return super().build_discriminator()
        return nets.build_network(nets.DISCRIMINATORS, self.config["discriminator"],
                                  data_shape=self.data_shape, num_classes=self.clusters,
                                  label_input=True)

    def cluster_of_data(self, x):
        """Each real image's cluster for D's label input (``None`` without self-conditioning)."""
        return self.pixel_clusters(x) if self.clusters else None

    def cluster_of_noise(self, z):
        """The cluster each z asks G for (``None`` without self-conditioning)."""
        return self.generator.get_layer("cluster_code").cluster_of(z) if self.clusters else None

    def prepare_dataset(self, x, y=None, batch_size=None):
        """The data, and with self-conditioning the clusters learned from it once (a sample of
        :data:`CLUSTER_FIT_IMAGES` images) unless the model already has them (a resumed run)."""
        dataset = super().prepare_dataset(x, y, batch_size)
        if self.clusters and not self.pixel_clusters.is_fitted:
            images = []
            for batch in dataset.take(math.ceil(CLUSTER_FIT_IMAGES / self.config["training"]
                                                ["batch_size"])):
                images.append(np.asarray(unpack(batch)[0]))
            images = np.concatenate(images)[:CLUSTER_FIT_IMAGES]
            if len(images) < 10 * self.clusters:
                raise config_lib.ConfigError(
                    f"self_conditioning.clusters={self.clusters} needs at least "
                    f"{10 * self.clusters} images to learn the clusters from, got {len(images)}; "
                    f"lower self_conditioning.clusters or pass more data.")
            shares = self.pixel_clusters.fit(images, seed=self.config.get("seed"))
            for g in (self.generator, self.ema_generator):
                if g is not None:
                    g.get_layer("cluster_code").set_prior(shares)
        return dataset

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        if config["self_conditioning"]["clusters"] and config["latent_dim"] < 2:
            raise config_lib.ConfigError(
                f"self_conditioning needs latent_dim >= 2 (z's last coordinate picks the "
                f"cluster), got {config['latent_dim']}; raise latent_dim.")

    @classmethod
    def preset_notes(cls, config):
        return cls.objective_notes(config)

    @classmethod
    def objective_notes(cls, config):
        k = config.get("self_conditioning", {}).get("clusters", 0)
        if not k:
            return ""
        return (f"Self-conditioning (`self_conditioning.clusters: {k}`, after Liu et al. 2020, "
                f"\"Diverse Image Generation via Self-Conditioned GANs\", CVPR 2020; not in "
                f"the paper): the training images are split into {k} k-means clusters of their "
                f"first {config['self_conditioning']['components']} principal components, "
                f"learned once before training; D takes each image's cluster as one-hot input "
                f"maps, and the last coordinate of z picks G's cluster with the clusters' shares "
                f"of the data, so D(G(z)) is judged against z's cluster. No labels are used.")

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
            return self.log(d_loss=d_loss, g_loss=g_loss, **self.d_outputs(real_out, fake_out))

        # sample z^(1..m) ~ p_g(z); ascend ∇ 1/m Σ [log D(x^(i)) + log(1 - D(G(z^(i))))]
        z = self.sample_noise(m)
        fake = self.G(z)
        with tf.GradientTape() as tape:
            real_out, fake_out = self.D(x, c), self.D(fake, self.cluster_of_noise(z))
            d_loss = self.d_loss_fn(real_out, fake_out)
        self.apply_gradients(self.d_optimizer, d_loss, tape, D_vars)
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
