"""Self-conditioning: D is told which mode of the data an image is from, without labels.

After Liu et al. 2020, "Diverse Image Generation via Self-Conditioned GANs" (CVPR 2020): the
training images are clustered once (k-means on the first principal components of the pixels,
:class:`ganzoo.layers.PixelClusters`), D takes each image's cluster as a one-hot label input,
and the last coordinate of z picks the cluster G is asked for
(:class:`ganzoo.layers.LatentClusterCode`, drawn with the clusters' shares of the data), so
z keeps its plain prior and ``generate`` and export are unchanged. Where it departs from Liu et
al.: they re-cluster D's features during training; here the clusters are learned once, from
pixels. Off by default (``self_conditioning.clusters: 0``); the unconditional variants whose
``train_step`` passes :meth:`SelfConditioned.cluster_of_data` and
:meth:`SelfConditioned.cluster_of_noise` to ``D`` take it (vanilla, dcgan, wgan, wgan_gp).

Example:

```python
gan = ganzoo.build("dcgan", self_conditioning={"clusters": 50})
gan.fit(ganzoo.datasets.load("digits"), epochs=1)  # learns the 50 clusters first
```
"""

import math

import keras
import numpy as np

from ganzoo import config as config_lib
from ganzoo import layers, nets, schema
from ganzoo.schema import Key

#: images the clusters are learned from (a sample of the data)
CLUSTER_FIT_IMAGES = 20_000

#: the ``self_conditioning`` section (not in the papers; off by default)
SCHEMA = {
    "clusters": Key(0, schema.zero_or_at_least(2),
                    "0: the paper's unconditional GAN; K: D sees each image's k-means cluster "
                    "(PCA of pixels) and z's last coordinate picks G's cluster"),
    "components": Key(50, schema.positive_int(),
                      "principal components the images are clustered in")}


class SelfConditioned:
    """The networks, data preparation and card text of ``self_conditioning`` for a
    noise-to-sample :class:`ganzoo.models.base.GAN`; the variant's ``train_step`` calls
    ``self.D(x, self.cluster_of_data(x))`` and ``self.D(G(z), self.cluster_of_noise(z))``
    (both clusters are ``None`` when it is off, so the same step serves the paper's GAN)."""

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

    def noise_of_clusters(self, z, k):
        """``z`` changed to ask G for the clusters ``k`` (``z`` itself without
        self-conditioning): :meth:`ganzoo.layers.LatentClusterCode.with_clusters`."""
        if not self.clusters:
            return z
        return self.generator.get_layer("cluster_code").with_clusters(z, k)

    def prepare_dataset(self, x, y=None, batch_size=None):
        """The data, and with self-conditioning the clusters learned from it once (a sample of
        :data:`CLUSTER_FIT_IMAGES` images) unless the model already has them (a resumed run)."""
        from ganzoo.models.base import unpack

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
        return " ".join(n for n in (super().preset_notes(config),
                                    cls.self_conditioning_notes(config)) if n)

    @classmethod
    def objective_notes(cls, config):
        return " ".join(n for n in (super().objective_notes(config),
                                    cls.self_conditioning_notes(config)) if n)

    @staticmethod
    def self_conditioning_notes(config):
        """The card's paragraph on ``self_conditioning`` (empty when it is off)."""
        k = config.get("self_conditioning", {}).get("clusters", 0)
        if not k:
            return ""
        joined = ("one-hot input maps"
                  if config.get("discriminator", {}).get("type") != "mlp"
                  else "a one-hot vector joined to its flattened input")
        return (f"Self-conditioning (`self_conditioning.clusters: {k}`, after Liu et al. 2020, "
                f"\"Diverse Image Generation via Self-Conditioned GANs\", CVPR 2020; not in "
                f"the paper): the training images are split into {k} k-means clusters of their "
                f"first {config['self_conditioning']['components']} principal components, "
                f"learned once before training; D takes each image's cluster as {joined}, "
                f"and the last coordinate of z picks G's cluster with the clusters' shares "
                f"of the data, so D(G(z)) is judged against z's cluster. No labels are used.")
