"""The base of the image-to-image variants (pix2pix, CycleGAN): images in, images out.

:class:`Translator` adds to :class:`~ganzoo.models.zoo_model.ZooModel` what both share: the
input and output image shapes, the config checks of their networks, data validation for
``(a, b)`` pairs, ``translate`` and the sample panels. Each variant writes its own
``train_step``.
"""

import numpy as np

from ganzoo import config as config_lib
from ganzoo import datasets, schema
from ganzoo.models.zoo_model import BASE_SCHEMA, ZooModel
from ganzoo.schema import Key

_NORM = schema.one_of("batch", "instance", "none")

#: the keys of every image-to-image variant (each extends it with its own)
TRANSLATOR_SCHEMA = schema.extend(
    BASE_SCHEMA,
    data_shape=Key([256, 256, 3], schema.image_shape(),
                   "shape of the input images [height, width, channels], square (alias: "
                   "image_shape)"),
    target_channels=Key(None, schema.optional_positive_int(),
                        "channels of the output images; null: as many as the input"),
    generator={"filters": Key(64, schema.positive_int(), "channels of the first convolution"),
               "norm": Key("batch", _NORM, "normalisation: batch, instance or none")},
    discriminator={
        "receptive_field": Key(70, schema.one_of(1, 16, 70, 286),
                               "PatchGAN patch size: 1 (PixelGAN), 16, 70 or 286"),
        "filters": Key(64, schema.positive_int(), "channels of the first convolution"),
        "norm": Key("batch", _NORM, "normalisation: batch, instance or none"),
        "spectral_norm": Key(False, None, "wrap every convolution in "
                             "keras.layers.SpectralNormalization (Miyato et al. 2018)")},
)


class Translator(ZooModel):
    """Base of the image-to-image models; see :class:`ganzoo.models.pix2pix.Pix2Pix` and
    :class:`ganzoo.models.cyclegan.CycleGAN`."""

    task = "image-to-image translation"
    #: paired (pix2pix) or unpaired (CycleGAN) data
    paired = True
    #: the directions ``translate`` (and export) take: ``"a2b"``, and ``"b2a"`` for CycleGAN
    directions = ("a2b",)
    num_classes = None
    is_image = True
    #: how the card titles each network of :meth:`networks` (attribute name -> title)
    network_titles = {}
    #: what the test suite measures on the embedded demo, for the card (Markdown)
    card_test = ""

    def network_for(self, direction):
        """The network that translates in ``direction`` (one of :attr:`directions`)."""
        raise NotImplementedError

    def sampling_networks(self):
        wanted = [self.network_for(d) for d in self.directions]
        return tuple(attr for attr, net in self.networks().items()
                     if any(net is w for w in wanted))

    @property
    def patch_grid(self):
        """Side of the discriminators' grid of patch logits."""
        from ganzoo import image_nets

        return image_nets.patch_grid(self.data_shape[0],
                                     self.config["discriminator"]["receptive_field"])

    def build_networks(self):
        cfg = self.config
        self.data_shape = tuple(int(d) for d in cfg["data_shape"])
        channels = cfg.get("target_channels") or self.data_shape[-1]
        self.target_shape = self.data_shape[:2] + (int(channels),)
        self.build_translation_networks()

    config_schema = TRANSLATOR_SCHEMA

    @classmethod
    def validate_config(cls, config):
        from ganzoo import image_nets

        size = config["data_shape"][0]
        if config["data_shape"][0] != config["data_shape"][1]:
            raise config_lib.ConfigError(f"{cls.__name__} needs square images; data_shape is "
                                         f"{config['data_shape']}.")
        try:
            rf = config["discriminator"]["receptive_field"]
            if image_nets.patch_grid(size, rf) < 1:
                raise ValueError(f"a {rf}x{rf} PatchGAN needs images larger than {size} px")
        except ValueError as e:
            raise config_lib.ConfigError(f"{cls.__name__} with data_shape "
                                         f"{config['data_shape']}: {e}.") from None

    @classmethod
    def load_data(cls, source, split="train", config=None, seed=None):
        """The training data for ``ganzoo train``: ``(a, b)`` pairs from ``source``."""
        if cls.paired:
            direction = (config or {}).get("direction", "a2b")
            return datasets.load_paired(source, split, direction=direction, seed=seed)
        return datasets.load_unpaired(source, split, seed=seed)

    def prepare_dataset(self, x, y=None, batch_size=None):
        cfg = self.config
        return datasets.prepare_pairs(
            x, y, input_shape=self.data_shape, target_channels=self.target_shape[-1],
            batch_size=batch_size or cfg["training"]["batch_size"], seed=cfg.get("seed"),
            augment=bool(cfg.get("data", {}).get("jitter", False)), paired=self.paired)

    # ------------------------------------------------------------------ inference

    def _run(self, network, images, batch_size):
        x = self.as_float(images)
        if x.shape[1:] != tuple(network.input_shape[1:]):
            raise ValueError(f"Images are {x.shape[1:]} but {network.name} takes "
                             f"{tuple(network.input_shape[1:])}.")
        out = [network(x[i:i + batch_size], training=False).numpy()
               for i in range(0, len(x), batch_size)]
        return np.concatenate(out) if out else np.zeros((0,) + network.output_shape[1:], np.float32)

    @staticmethod
    def as_float(images):
        """uint8 or [-1, 1] images -> float32 [-1, 1] NumPy, with a channel axis."""
        images = np.asarray(images)
        if images.ndim == 3:
            images = images[..., None]
        return datasets.to_float_images(images).numpy()

    def oriented(self, a, b):
        """The ``(a, b)`` pairs a dataset yields as ``(inputs, targets)`` of this model: a
        pix2pix with ``direction: b2a`` swaps them; an unpaired model takes both as they are."""
        if self.paired and self.config.get("direction") == "b2a":
            return b, a
        return a, b

    def sample_panel(self, a, b):
        """Images for a sample grid and its column count; see the subclasses."""
        raise NotImplementedError
