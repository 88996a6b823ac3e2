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


#: the card's objective and training algorithm (Markdown)
OBJECTIVE = (
    r"$$L_{D_Y} = \tfrac12\big(\mathbb{E}_y[(D_Y(y) - 1)^2] "
    r"+ \mathbb{E}_x[D_Y(\mathrm{pool}(G(x)))^2]\big)$$"
    " (and the same for $D_X$ with $F$)\n\n"
    r"$$L_{G,F} = \mathbb{E}_x[(D_Y(G(x)) - 1)^2] + \mathbb{E}_y[(D_X(F(y)) - 1)^2] "
    r"+ \lambda\,(\lVert F(G(x)) - x\rVert_1 + \lVert G(F(y)) - y\rVert_1) "
    r"+ 0.5\lambda\,(\lVert G(y) - y\rVert_1 + \lVert F(x) - x\rVert_1)$$"
    "\n\nLeast-squares adversarial losses, cycle consistency with λ = 10 and the identity loss "
    "(Zhu et al. 2017, eq. 1-3, §4, §5.2). Each step: one update of both generators, then one "
    "of both discriminators on fakes drawn through a pool of 50 past images.")


@register("cyclegan")
class CycleGAN(Translator):
    """Unpaired translation between domains X and Y with cycle consistency (Zhu et al. 2017).

    The paper's networks, by the paper's names: two ResNet generators, ``G``: X -> Y and
    ``F``: Y -> X (c7s1-64, d128, d256, 6 residual blocks at <= 128 px (9 above), u128, u64,
    c7s1-C, reflection padding, instance norm, §7.2), and two 70x70 PatchGAN discriminators,
    ``D_Y`` (judges Y: real y against G(x)) and ``D_X`` (judges X), with instance norm.
    Least-squares adversarial losses (§4); cycle loss λ (|F(G(x)) - x| + |G(F(y)) - y|) with
    λ = 10; identity loss 0.5 λ (|G(y) - y| + |F(x) - x|); each discriminator sees a pool of 50
    past fakes and its loss is halved. Adam(2e-4, 0.5), batch 1, constant learning rate for the
    first half of training, then linear decay to 0. Data yields unpaired ``(x, y)`` batches
    (domains A = X and B = Y of the datasets' ``trainA``/``trainB``; ``direction="a2b"`` is G).

    Models saved by earlier ganzoo versions named the networks ``generator`` (G),
    ``generator_ba`` (F), ``discriminator`` (D_Y) and ``discriminator_a`` (D_X);
    ``ganzoo.load`` renames them (:attr:`legacy_network_names`).

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
    #: names of the networks in ``.keras`` files saved by earlier versions -> today's names
    legacy_network_names = {"generator": "G", "generator_ba": "F", "discriminator": "D_Y",
                            "discriminator_a": "D_X"}
    @classmethod
    def card_objective(cls, config):
        return OBJECTIVE

    #: what the test suite measures on the embedded demo (for the card)
    card_test = ("`tests/models/test_translation.py` trains CycleGAN on the embedded "
                 "`digits_thickness` for 400 steps (8 filters, 2 residual blocks) and requires the "
                 "cycle L1 |F(G(x)) - x| to fall below half its starting value.")
    #: how the card titles each network
    network_titles = {"G": "Generator G: X → Y", "F": "Generator F: Y → X",
                      "D_X": "Discriminator D_X (judges X)", "D_Y": "Discriminator D_Y (judges Y)"}

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
        self.G = image_nets.resnet_generator(self.data_shape, name="G", **gen)
        self.F = image_nets.resnet_generator(self.data_shape, name="F", **gen)
        dis = dict(receptive_field=d["receptive_field"], filters=d["filters"], norm=d["norm"],
                   spectral_norm=d.get("spectral_norm", False))
        self.D_Y = image_nets.patch_discriminator(self.data_shape, name="D_Y", **dis)
        self.D_X = image_nets.patch_discriminator(self.data_shape, name="D_X", **dis)
        p = cfg["pool"]
        seed = cfg.get("seed")
        # pools of past fakes: of F(y) for D_X, of G(x) for D_Y
        self.pool_x = ImagePool(int(p["capacity"]), self.data_shape, p["swap_probability"],
                                seed=seed, name="pool_x")
        self.pool_y = ImagePool(int(p["capacity"]), self.data_shape, p["swap_probability"],
                                seed=None if seed is None else seed + 1, name="pool_y")
        self.cycle_weight = float(cfg["loss"]["cycle_weight"])
        self.identity_weight = float(cfg["loss"]["identity_weight"]) * self.cycle_weight

    def prepare_dataset(self, x, y=None, batch_size=None):
        if self.distribute_strategy.num_replicas_in_sync > 1 and self.pool_x.capacity:
            raise config_lib.ConfigError(
                "cyclegan's image pool keeps one history per process and cannot run on several "
                "replicas; set pool.capacity=0 to train under tf.distribute (the discriminators "
                "then see only the newest fakes).")
        return super().prepare_dataset(x, y, batch_size)

    def generator_variables(self):
        return self.G.trainable_variables + self.F.trainable_variables

    def discriminator_variables(self):
        return self.D_Y.trainable_variables + self.D_X.trainable_variables

    def network_for(self, direction):
        return {"a2b": self.G, "b2a": self.F}[direction]

    def call(self, inputs, training=False):
        return self.G(inputs, training=training)

    def train_step(self, data):
        """One step of Zhu et al. 2017 (§3-4, §7.1): both generators, then both
        discriminators on pooled fakes."""
        x, y = data
        G, F, D_X, D_Y = self.G, self.F, self.D_X, self.D_Y
        with tf.GradientTape() as g_tape:
            fake_y, fake_x = G(x, training=True), F(y, training=True)
            # L_cyc = |F(G(x)) - x| + |G(F(y)) - y|
            cycle = losses.cycle_consistency_loss(x, F(fake_y, training=True),
                                                  y, G(fake_x, training=True))
            identity = tf.constant(0.0)
            if self.identity_weight:  # L_identity = |G(y) - y| + |F(x) - x|
                identity = losses.identity_loss(y, G(y, training=True), x, F(x, training=True))
            # (D(G(x)) - 1)^2, without LSGAN's 1/2 on the generator side, as in the authors' code
            g_gan = 2.0 * (losses.least_squares_generator_loss(D_Y(fake_y, training=True))
                           + losses.least_squares_generator_loss(D_X(fake_x, training=True)))
            g_loss = g_gan + self.cycle_weight * cycle + self.identity_weight * identity
        self.apply_gradients(self.g_optimizer, g_loss, g_tape, self.generator_variables())

        pooled_y = self.pool_y(tf.stop_gradient(fake_y))
        pooled_x = self.pool_x(tf.stop_gradient(fake_x))
        with tf.GradientTape() as d_tape:
            real_y_out, real_x_out = D_Y(y, training=True), D_X(x, training=True)
            # least_squares_discriminator_loss is 1/2 [(D(x)-1)^2 + D(G(z))^2]: the halved D loss
            d_loss = (losses.least_squares_discriminator_loss(real_y_out,
                                                              D_Y(pooled_y, training=True))
                      + losses.least_squares_discriminator_loss(real_x_out,
                                                                D_X(pooled_x, training=True)))
        self.apply_gradients(self.d_optimizer, d_loss, d_tape, self.discriminator_variables())
        return self.log(
            d_loss=d_loss, g_loss=g_loss, g_gan=g_gan, cycle=cycle, identity=identity,
            d_real=0.5 * (tf.reduce_mean(real_y_out) + tf.reduce_mean(real_x_out)),
            d_fake=0.5 * (tf.reduce_mean(D_Y(fake_y)) + tf.reduce_mean(D_X(fake_x))))

    def translate(self, images, direction="a2b", batch_size=16):
        """Translate images (uint8 or [-1, 1]) from X to Y with G (``"a2b"``) or from Y to X
        with F (``"b2a"``)."""
        if direction not in self.directions:
            raise ValueError(f"direction must be 'a2b' or 'b2a', not {direction!r}.")
        return self._run(self.network_for(direction), images, batch_size)

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
