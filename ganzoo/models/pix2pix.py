"""pix2pix: Isola, Zhu, Zhou & Efros 2017, "Image-to-Image Translation with Conditional
Adversarial Networks" (CVPR 2017, arXiv:1611.07004)."""

import numpy as np
import tensorflow as tf

from ganzoo import image_nets, losses, schema
from ganzoo.models.translation import TRANSLATOR_SCHEMA, Translator
from ganzoo.registry import register
from ganzoo.schema import ConfigError, Key

#: pix2pix's keys: the image-to-image keys, direction, U-Net dropout, the L1 term, jitter
PIX2PIX_SCHEMA = schema.extend(
    TRANSLATOR_SCHEMA,
    direction=Key("a2b", schema.one_of("a2b", "b2a"),
                  "data yields (a, b); a2b trains a -> b, b2a trains b -> a"),
    generator={**TRANSLATOR_SCHEMA["generator"],
               "max_filters": Key(512, schema.positive_int(),
                                  "cap on the U-Net's channels as they double per level"),
               "dropout": Key(0.5, schema.number_in(0.0, 1.0, hi_open=True),
                              "dropout in the first three decoder blocks (G's only noise)")},
    loss={"l1_weight": Key(100.0, schema.number_in(0.0, 1e6), "λ: weight of the L1 term"),
          "gan_weight": Key(1.0, schema.number_in(0.0, 1e6),
                            "weight of the adversarial term; 0 trains L1 alone (no D)")},
    data={"jitter": Key(True, None, "resize to 286/256 of the size, random crop back, mirror")},
)


#: the card's objective and training algorithm (Markdown)
OBJECTIVE = (
    r"$$L_D = \tfrac12\big(-\mathbb{E}_{x,y}[\log D(x, y)] "
    r"- \mathbb{E}_{x}[\log(1 - D(x, G(x)))]\big)$$"
    "\n\n"
    r"$$L_G = -\mathbb{E}_{x}[\log D(x, G(x))] "
    r"+ \lambda\,\mathbb{E}_{x,y}\lVert y - G(x)\rVert_1,\quad \lambda = 100$$"
    "\n\nD judges (input, output) pairs patch by patch; D's loss is halved (Isola et al. 2017, "
    "§3.1, eq. 4, §3.3). Each step: one D update on a real and a generated pair, then one G "
    "update on the same generated batch (the generator runs once per step).")


@register("pix2pix")
class Pix2Pix(Translator):
    """Paired image-to-image translation with a conditional GAN and an L1 term (Isola et al. 2017).

    Generator: a U-Net (encoder C64-C128-C256-C512-..., decoder with skip concatenations
    between layer i and n - i, dropout 0.5 in the first three decoder blocks), depth from
    ``data_shape``. Discriminator: a PatchGAN on concat(input, target) with receptive field
    ``discriminator.receptive_field`` (70 by default: a 30x30 grid of logits at 256 px).
    Objective (§3.1): G* = arg min_G max_D L_cGAN(G, D) + λ L_L1(G) with λ = 100; D's loss is
    halved (§3.3). Each step updates D once, then G once on the same generated batch.
    Data yields ``(input, target)``; ``direction`` in the config says which of a/b is which.

    Example:

    ```python
    gan = ganzoo.build("pix2pix", data_shape=(256, 256, 3))
    gan.fit(ganzoo.datasets.load_paired("path/to/facades", direction="b2a"))
    photos = gan.translate(label_maps)
    ```
    """

    paper = ('Isola, Zhu, Zhou & Efros 2017, "Image-to-Image Translation with Conditional '
             'Adversarial Networks", CVPR 2017, arXiv:1611.07004')
    task = "paired image-to-image translation"
    paired = True
    metric_names = ("d_loss", "g_loss", "g_gan", "g_l1", "d_real", "d_fake")

    config_schema = PIX2PIX_SCHEMA
    #: how the card titles each network
    network_titles = {"generator": "Generator G (U-Net)",
                      "discriminator": "Discriminator D (PatchGAN on concat(input, target))"}
    @classmethod
    def card_objective(cls, config):
        return OBJECTIVE

    #: what the test suite measures on the embedded demo (for the card)
    card_test = ("`tests/models/test_translation.py` trains pix2pix on the embedded "
                 "`digits_edges` for 2 epochs (8 filters, batch 16) and requires test L1 < 0.10; "
                 "measured 0.069, against 0.237 for always answering the mean digit.")

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        try:
            image_nets.unet_depth(config["data_shape"][0])
        except ValueError as e:
            raise ConfigError(f"pix2pix with data_shape {config['data_shape']}: {e}.") from None

    def build_translation_networks(self):
        cfg = self.config
        g, d = cfg["generator"], cfg["discriminator"]
        self.generator = image_nets.unet_generator(
            self.data_shape, out_channels=self.target_shape[-1], filters=g["filters"],
            max_filters=g["max_filters"], norm=g["norm"], dropout=g["dropout"])
        self.discriminator = image_nets.patch_discriminator(
            self.target_shape, receptive_field=d["receptive_field"], filters=d["filters"],
            norm=d["norm"], condition_channels=self.data_shape[-1],
            spectral_norm=d.get("spectral_norm", False))
        self.l1_weight = float(cfg["loss"]["l1_weight"])
        self.gan_weight = float(cfg["loss"]["gan_weight"])

    def network_for(self, direction):
        return {"a2b": self.generator}[direction]

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, data):
        x, y = data
        if not self.gan_weight:
            return self._l1_only_step(x, y)
        with tf.GradientTape() as g_tape:
            fake = self.generator(x, training=True)
            with tf.GradientTape() as d_tape:
                real_logits = self.discriminator(tf.concat([x, y], -1), training=True)
                fake_logits = self.discriminator(tf.concat([x, tf.stop_gradient(fake)], -1),
                                                 training=True)
                d_loss = 0.5 * losses.cross_entropy_discriminator_loss(real_logits,  # §3.3
                                                                       fake_logits)
            self.apply_gradients(self.d_optimizer, d_loss, d_tape, self.discriminator_variables())
            g_gan = losses.non_saturating_generator_loss(
                self.discriminator(tf.concat([x, fake], -1), training=True))
            g_l1 = losses.l1(y, fake)
            g_loss = self.gan_weight * g_gan + self.l1_weight * g_l1                 # eq. 4
        self.apply_gradients(self.g_optimizer, g_loss, g_tape, self.generator_variables())
        return self.log(d_loss=d_loss, g_loss=g_loss, g_gan=g_gan, g_l1=g_l1,
                        d_real=tf.reduce_mean(tf.sigmoid(real_logits)),
                        d_fake=tf.reduce_mean(tf.sigmoid(fake_logits)))

    def _l1_only_step(self, x, y):
        """``loss.gan_weight: 0``: the paper's "L1 alone" ablation (§4.2): no discriminator."""
        with tf.GradientTape() as tape:
            g_l1 = losses.l1(y, self.generator(x, training=True))
            g_loss = self.l1_weight * g_l1
        self.apply_gradients(self.g_optimizer, g_loss, tape, self.generator_variables())
        self.d_optimizer.iterations.assign_add(1)  # the step counter resume and schedules use
        return self.log(g_loss=g_loss, g_l1=g_l1)

    def translate(self, images, batch_size=16):
        """Translate input images (uint8 or [-1, 1]) into the target domain, in [-1, 1]."""
        return self._run(self.generator, images, batch_size)

    def sample_panel(self, a, b):
        """Rows of input | output | target, three images per example (all in [-1, 1])."""
        a, b = self.as_float(a), self.as_float(b)
        out = self.translate(a)
        rows = []
        for i in range(len(a)):
            rows += [_as_channels(a[i], out.shape[-1]), out[i], b[i]]
        return np.stack(rows), 3


def _as_channels(image, channels):
    """Grey -> RGB (or back) so that inputs and outputs tile into one grid."""
    image = np.asarray(image, np.float32)
    if image.shape[-1] == channels:
        return image
    if image.shape[-1] == 1:
        return np.repeat(image, channels, -1)
    return image.mean(-1, keepdims=True)
