"""CycleGAN: Zhu, Park, Isola & Efros 2017, "Unpaired Image-to-Image Translation using
Cycle-Consistent Adversarial Networks" (ICCV 2017, arXiv:1703.10593)."""

import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import image_nets, losses, schema
from ganzoo.image_pool import ImagePool
from ganzoo.models.translation import TRANSLATOR_SCHEMA, Translator
from ganzoo.registry import register
from ganzoo.schema import Key

#: CycleGAN's keys: the image-to-image keys, residual blocks, cycle/identity weights, the pool
CYCLEGAN_SCHEMA = schema.extend(
    TRANSLATOR_SCHEMA,
    generator={**TRANSLATOR_SCHEMA["generator"],
               "blocks": Key(None, schema.optional_positive_int(),
                             "residual blocks; null: 6 up to 128 px, 9 above")},
    loss={"cycle_weight": Key(10.0, schema.number_in(0.0, 1e6), "λ: weight of the cycle loss"),
          "identity_weight": Key(0.5, schema.number_in(0.0, 1e6),
                                 "weight of the identity loss, in units of λ")},
    pool={"capacity": Key(50, schema.number_in(0, 10_000),
                          "past fakes each discriminator samples from (0: no pool)"),
          "swap_probability": Key(0.5, schema.number_in(0.0, 1.0),
                                  "chance a new fake is swapped for a stored one")},
)


@register("cyclegan")
class CycleGAN(Translator):
    """Unpaired translation between domains A and B with cycle consistency (Zhu et al. 2017).

    Two ResNet generators, G: A -> B (``generator``) and F: B -> A (``generator_ba``): c7s1-64,
    d128, d256, 6 residual blocks at <= 128 px (9 above), u128, u64, c7s1-C, reflection padding,
    instance norm (§7.2). Two 70x70 PatchGAN discriminators, D_B (``discriminator``) and D_A
    (``discriminator_a``), with instance norm. Least-squares adversarial losses (§4); cycle loss
    λ (|F(G(a)) - a| + |G(F(b)) - b|) with λ = 10; identity loss 0.5 λ (|G(b) - b| + |F(a) - a|);
    each discriminator sees a pool of 50 past fakes and its loss is halved. Adam(2e-4, 0.5),
    batch 1, constant learning rate for the first half of training, then linear decay to 0.
    Data yields unpaired ``(a, b)`` batches.

    Example:

    ```python
    gan = ganzoo.build("cyclegan", data_shape=(64, 64, 3))
    gan.fit(ganzoo.datasets.load_unpaired("path/to/horse2zebra"))
    zebras = gan.translate(horses, direction="a2b")
    ```
    """

    paper = ('Zhu, Park, Isola & Efros 2017, "Unpaired Image-to-Image Translation using '
             'Cycle-Consistent Adversarial Networks", ICCV 2017, arXiv:1703.10593')
    task = "unpaired image-to-image translation"
    paired = False
    directions = ("a2b", "b2a")
    metric_names = ("d_loss", "g_loss", "g_gan", "cycle", "identity", "d_real", "d_fake")

    config_schema = CYCLEGAN_SCHEMA

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        if config["target_channels"] not in (None, config["data_shape"][-1]):
            raise config_lib.ConfigError("cyclegan maps A to B and back, so both domains need "
                                         "the same channels; leave target_channels null.")

    def build_translation_networks(self):
        cfg = self.config
        g, d = cfg["generator"], cfg["discriminator"]
        gen = dict(filters=g["filters"], blocks=g.get("blocks"), norm=g["norm"])
        self.generator = image_nets.resnet_generator(self.data_shape, name="generator", **gen)
        self.generator_ba = image_nets.resnet_generator(self.data_shape, name="generator_ba", **gen)
        dis = dict(receptive_field=d["receptive_field"], filters=d["filters"], norm=d["norm"])
        self.discriminator = image_nets.patch_discriminator(self.data_shape, name="discriminator",
                                                            **dis)
        self.discriminator_a = image_nets.patch_discriminator(self.data_shape,
                                                              name="discriminator_a", **dis)
        p = cfg["pool"]
        seed = cfg.get("seed")
        self.pool_a = ImagePool(int(p["capacity"]), self.data_shape, p["swap_probability"],
                                seed=seed, name="pool_a")
        self.pool_b = ImagePool(int(p["capacity"]), self.data_shape, p["swap_probability"],
                                seed=None if seed is None else seed + 1, name="pool_b")
        self.cycle_weight = float(cfg["loss"]["cycle_weight"])
        self.identity_weight = float(cfg["loss"]["identity_weight"]) * self.cycle_weight

    def prepare_dataset(self, x, y=None, batch_size=None):
        if self.distribute_strategy.num_replicas_in_sync > 1 and self.pool_a.capacity:
            raise config_lib.ConfigError(
                "cyclegan's image pool keeps one history per process and cannot run on several "
                "replicas; set pool.capacity=0 to train under tf.distribute (the discriminators "
                "then see only the newest fakes).")
        return super().prepare_dataset(x, y, batch_size)

    def generator_variables(self):
        return self.generator.trainable_variables + self.generator_ba.trainable_variables

    def discriminator_variables(self):
        return self.discriminator.trainable_variables + self.discriminator_a.trainable_variables

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, data):
        a, b = data
        G, F, D_b, D_a = self.generator, self.generator_ba, self.discriminator, self.discriminator_a
        with tf.GradientTape() as g_tape:
            fake_b, fake_a = G(a, training=True), F(b, training=True)
            cycle = losses.cycle_consistency_loss(a, F(fake_b, training=True),
                                                  b, G(fake_a, training=True))
            identity = tf.constant(0.0)
            if self.identity_weight:
                identity = losses.identity_loss(b, G(b, training=True), a, F(a, training=True))
            # (D(G(a)) - 1)^2, without LSGAN's 1/2 on the generator side, as in the authors' code
            g_gan = 2.0 * (losses.least_squares_generator_loss(D_b(fake_b, training=True))
                           + losses.least_squares_generator_loss(D_a(fake_a, training=True)))
            g_loss = g_gan + self.cycle_weight * cycle + self.identity_weight * identity
        self.apply_gradients(self.g_optimizer, g_loss, g_tape, self.generator_variables())

        pooled_b = self.pool_b(tf.stop_gradient(fake_b))
        pooled_a = self.pool_a(tf.stop_gradient(fake_a))
        with tf.GradientTape() as d_tape:
            real_b_out, real_a_out = D_b(b, training=True), D_a(a, training=True)
            # least_squares_discriminator_loss is 1/2 [(D(x)-1)^2 + D(G(z))^2]: the halved D loss
            d_loss = (losses.least_squares_discriminator_loss(real_b_out,
                                                              D_b(pooled_b, training=True))
                      + losses.least_squares_discriminator_loss(real_a_out,
                                                                D_a(pooled_a, training=True)))
        self.apply_gradients(self.d_optimizer, d_loss, d_tape, self.discriminator_variables())
        return self.log(
            d_loss=d_loss, g_loss=g_loss, g_gan=g_gan, cycle=cycle, identity=identity,
            d_real=0.5 * (tf.reduce_mean(real_b_out) + tf.reduce_mean(real_a_out)),
            d_fake=0.5 * (tf.reduce_mean(D_b(fake_b)) + tf.reduce_mean(D_a(fake_a))))

    def translate(self, images, direction="a2b", batch_size=16):
        """Translate images (uint8 or [-1, 1]) from A to B (``"a2b"``) or B to A (``"b2a"``)."""
        if direction not in ("a2b", "b2a"):
            raise ValueError(f"direction must be 'a2b' or 'b2a', not {direction!r}.")
        return self._run(self.generator if direction == "a2b" else self.generator_ba, images,
                         batch_size)

    def sample_panel(self, a, b):
        """Rows of A -> G(A) -> F(G(A)) and B -> F(B) -> G(F(B)): three images per example."""
        a, b = self.as_float(a), self.as_float(b)
        fake_b = self.translate(a)
        rec_a = self.translate(fake_b, direction="b2a")
        fake_a = self.translate(b, direction="b2a")
        rec_b = self.translate(fake_a)
        rows = []
        for i in range(len(a)):
            rows += [a[i], fake_b[i], rec_a[i]]
        for i in range(len(b)):
            rows += [b[i], fake_a[i], rec_b[i]]
        return np.stack(rows).astype(np.float32), 3
