"""The base class every noise-to-sample variant extends: networks, sampling and the small
helpers a ``train_step`` calls.

The base holds no training algorithm. Each variant writes its own ``train_step`` in its module,
top to bottom like its paper's algorithm box, from these helpers: :meth:`GAN.sample_noise`,
:meth:`GAN.sample_labels`, :meth:`GAN.G`, :meth:`GAN.D`, :meth:`ZooModel.apply_gradients`,
:meth:`GAN.update_ema`, :meth:`ZooModel.log` and the pure functions of :mod:`ganzoo.losses`.
:class:`~ganzoo.models.zoo_model.ZooModel` owns the config, optimizers and their saving, metrics
and ``fit``.
"""

import functools

import keras
import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import augment, blocks, datasets, losses, nets, sampling, schema
from ganzoo.models.zoo_model import (BASE_SCHEMA, ZooModel, make_optimizer,  # noqa: F401
                                     replicas_in_sync)
from ganzoo.schema import Key


def _valid_policy(value):
    try:
        return isinstance(value, str) and augment.parse_policy(value) is not None
    except ValueError:
        return False


#: the keys of every noise-to-sample variant (each extends it with its own)
NOISE_SCHEMA = schema.extend(
    BASE_SCHEMA,
    latent_dim=Key(100, schema.positive_int(), "size of z"),
    latent_distribution=Key("normal", schema.one_of("normal", "uniform"),
                            "prior of z: N(0, I) or U[-1, 1]"),
    generator=nets.GENERATOR_SCHEMA,
    discriminator=nets.DISCRIMINATOR_SCHEMA,
    loss={"name": Key("non_saturating", schema.one_of(*losses.names()),
                      "adversarial loss pair (ganzoo.losses)"),
          "real_label": Key(1.0, schema.number_in(0.5, 1.0),
                            "target for real data; < 1 is one-sided label smoothing "
                            "(cross-entropy losses only)"),
          "coding": Key("0-1", schema.one_of(*losses.LEAST_SQUARES_CODINGS),
                        "least_squares targets a-b-c: '0-1' (fake 0, real 1, G aims at 1; Mao "
                        "et al. 2017, eq. 9) or '-1-1-0' (fake -1, real 1, G aims at 0; eq. 8)")},
    training={**BASE_SCHEMA["training"],
              "d_steps": Key(1, schema.positive_int(),
                             "discriminator updates per generator update (k)"),
              "reuse_fakes": Key(False, None,
                                 "false: the paper's alternating updates with fresh z; true: "
                                 "one generated batch feeds both updates (d_steps 1)")},
    augment={"policy": Key("", (_valid_policy, "a comma-separated list of DiffAugment operations: "
                                "color, translation, cutout, brightness, saturation, contrast "
                                "('' for none)"),
                           "DiffAugment (Zhao et al. 2020): operations applied, differentiably, "
                           "to every image D sees, real and generated, in both updates"),
             "ada": {
                 "enabled": Key(False, None, "ADA (Karras et al. 2020): flips, 90-degree "
                                "rotations, integer translations and colour changes, each with "
                                "a probability p adjusted during training"),
                 "target": Key(0.6, schema.number_in(0.0, 1.0), "the target of the "
                               "overfitting heuristic r_t = E[sign(D(x_real))] (the paper's 0.6)"),
                 "images_to_one": Key(500000, schema.positive_int(), "images over which p can "
                                      "rise from 0 to 1 (the paper's 500k)"),
                 "interval": Key(4, schema.positive_int(), "D updates between adjustments of "
                                 "p (the paper's 4)")}},
    ema={"enabled": Key(False, None, "keep an exponential moving average of G's weights for "
                                     "generate (BatchNorm statistics copied)"),
         "decay": Key(0.999, schema.number_in(0.0, 1.0, hi_open=True),
                     "EMA decay per step (reached after a warm-up: min(decay, (1+t)/(10+t)))")},
)


def run_every(counter, interval, update):
    """Run ``update()`` inside the graph when ``counter`` (an integer variable or tensor) is a
    multiple of ``interval``; every time when ``interval`` <= 1. Returns whether it ran.

    Example:

    ```python
    run_every(self.d_optimizer.iterations, 5, generator_update)   # WGAN's n_critic = 5
    ```
    """
    def run():
        update()
        return tf.constant(True)

    if interval <= 1:
        return run()
    return tf.cond(tf.cast(counter, tf.int64) % interval == 0, run, lambda: tf.constant(False))


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(ZooModel):
    """A GAN as one ``keras.Model`` with a ``generator`` and a ``discriminator``.

    The base of every noise-to-sample variant: the networks named by the config, the latent
    prior, labels for conditional models, the EMA generator, ``generate``, and the helpers a
    variant's ``train_step`` is written with. The variants' steps:
    :class:`~ganzoo.models.vanilla.VanillaGAN` (Goodfellow et al. 2014, Algorithm 1; DCGAN
    trains with it too), :class:`~ganzoo.models.cgan.ConditionalGAN`,
    :class:`~ganzoo.models.wgan.WGAN` and :class:`~ganzoo.models.wgan.WGANGP`.

    Args:
        config: a resolved config dict (use ``ganzoo.build`` to get one from
            the shipped YAML with your overrides).

    Example:

    ```python
    gan = ganzoo.build("dcgan")
    gan.fit(ganzoo.datasets.load("digits"), epochs=1)
    images = gan.generate(16, seed=0)   # (16, 28, 28, 1) float32 in [-1, 1]
    ```
    """

    task = "image generation"
    config_schema = NOISE_SCHEMA
    #: names of the scalars logged every step, in order
    metric_names = ("d_loss", "g_loss", "d_real", "d_fake")

    def build_networks(self):
        cfg = self.config
        self.data_shape = tuple(cfg["data_shape"])
        self.is_image = len(self.data_shape) == 3
        self.latent_dim = int(cfg["latent_dim"])
        self.num_classes = cfg.get("num_classes")
        self.d_steps = int(cfg["training"]["d_steps"])
        self.reuse_fakes = bool(cfg["training"].get("reuse_fakes", False))
        self.generator = self.build_generator()
        self.discriminator = self.build_discriminator()
        # (variants with another EMA schedule, e.g. StyleGAN2's half-life, have no ema.decay)
        self.ema_decay = float(cfg["ema"].get("decay", 0.0)) if cfg["ema"]["enabled"] else None
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = self.build_generator(name="ema_generator")
            self.ema_generator.set_weights(self.generator.get_weights())
        policy = cfg.get("augment", {}).get("policy", "")
        self.augment = augment.policy_fn(policy, uniform=self.uniform) if policy else None
        ada = cfg.get("augment", {}).get("ada", {})
        self.ada = dict(ada) if ada.get("enabled") else None
        if self.ada is not None:  # p and r_t's running sums: saved with the weights, so resumed
            self.ada_p = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                         name="ada_p", aggregation="mean")
            self.ada_signs = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                             name="ada_signs", aggregation="mean")
            self.ada_count = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                             name="ada_count", aggregation="mean")
            self.extra_metric_names = ("ada_p",)
        self.loss_name = cfg["loss"]["name"]
        d_loss, self.g_loss_fn = losses.get(self.loss_name)
        if self.loss_name in losses.CROSS_ENTROPY:  # one-sided label smoothing (real_label)
            d_loss = functools.partial(d_loss, real_label=cfg["loss"]["real_label"])
        if self.loss_name == "least_squares":  # LSGAN's targets a (fake), b (real), c (G's aim)
            a, b, c = losses.LEAST_SQUARES_CODINGS[cfg["loss"].get("coding", "0-1")]
            d_loss = functools.partial(d_loss, a=a, b=b)
            self.g_loss_fn = functools.partial(self.g_loss_fn, c=c)
        self.d_loss_fn = d_loss

    @property
    def sampling_generator(self):
        """The generator used by ``generate``, evaluation and export (EMA copy when enabled)."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def sampling_networks(self):
        return ("ema_generator",) if self.ema_generator is not None else ("generator",)

    # ------------------------------------------------------------------ config

    @classmethod
    def validate_config(cls, config):
        """Checks across keys, after the per-key checks; raise ``ConfigError``."""
        if config["training"].get("reuse_fakes") and config["training"]["d_steps"] != 1:
            raise config_lib.ConfigError(
                f"training.reuse_fakes shares one generated batch between one D and one G "
                f"update, so it needs training.d_steps: 1 (got {config['training']['d_steps']}); "
                f"set training.reuse_fakes: false (dcgan's default is true) or d_steps: 1.")
        for net in ("generator", "discriminator"):
            if config[net]["type"] == "dcgan" and len(config["data_shape"]) != 3:
                raise config_lib.ConfigError(
                    f"{net}.type 'dcgan' makes images, but data_shape is {config['data_shape']} "
                    f"(vectors); set {net}.type: mlp, or give an image data_shape [H, W, C].")
        if (config["loss"].get("real_label", 1.0) != 1.0
                and config["loss"]["name"] not in losses.CROSS_ENTROPY):
            raise config_lib.ConfigError(
                f"loss.real_label={config['loss']['real_label']} (one-sided label smoothing) "
                f"only applies to the cross-entropy losses {sorted(losses.CROSS_ENTROPY)}, not "
                f"{config['loss']['name']!r}; leave it at 1.0.")
        if config.get("augment", {}).get("policy") and len(config["data_shape"]) != 3:
            raise config_lib.ConfigError(
                f"augment.policy={config['augment']['policy']!r} augments images, but data_shape "
                f"is {config['data_shape']} (vectors); set augment.policy: '' for vector data.")
        coding = config["loss"].get("coding", "0-1")
        if coding != "0-1" and config["loss"]["name"] != "least_squares":
            raise config_lib.ConfigError(
                f"loss.coding={config['loss']['coding']!r} sets the least-squares targets, but "
                f"loss.name is {config['loss']['name']!r}; set loss.name: least_squares, or "
                f"drop loss.coding.")

    @classmethod
    def require_networks(cls, config, network_type, why):
        """For variants that need their own networks: both ``generator.type`` and
        ``discriminator.type`` must be ``network_type`` (``why`` says what they have), and the
        data images; raise ``ConfigError`` otherwise."""
        name = cls.registry_name
        for net in ("generator", "discriminator"):
            if config[net]["type"] != network_type:
                raise config_lib.ConfigError(
                    f"{name}: {net}.type must be {network_type!r} ({why}), got "
                    f"{config[net]['type']!r}.")
        if len(config["data_shape"]) != 3:
            raise config_lib.ConfigError(
                f"{name} makes images, but data_shape is {config['data_shape']}; give an image "
                "data_shape [H, W, C] (e.g. [32, 32, 3]).")

    # ------------------------------------------------------------------ networks

    def build_generator(self, name="generator", latent_dim=None):
        """The network named by ``generator.type``, built with the section's other keys (on
        inputs of ``latent_dim``, default the config's)."""
        return nets.build_network(nets.GENERATORS, self.config["generator"], name=name,
                                  data_shape=self.data_shape,
                                  latent_dim=latent_dim or self.latent_dim,
                                  num_classes=self.num_classes)

    def build_discriminator(self):
        """The network named by ``discriminator.type``; variants add heads via
        :meth:`discriminator_heads`."""
        return nets.build_network(nets.DISCRIMINATORS, self.config["discriminator"],
                                  data_shape=self.data_shape, num_classes=self.num_classes,
                                  **self.discriminator_heads())

    def discriminator_heads(self):
        """Extra builder arguments for the discriminator (label input, output heads)."""
        return {}

    def call(self, z, training=False):
        """The generator: ``model(z)`` returns images in [-1, 1]."""
        return self.generator(z, training=training)

    # ------------------------------------------------------------------ sampling

    def sample_noise(self, n):
        """A batch of z from the configured prior, drawn from the model's seeded stream."""
        if self.config["latent_distribution"] == "uniform":
            return self.per_replica(
                lambda shape: keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator),
                n, (self.latent_dim,))
        return self.per_replica(lambda shape: keras.random.normal(shape, seed=self.seed_generator),
                                n, (self.latent_dim,))

    def uniform(self, shape):
        """U[0, 1) draws of ``shape`` (first axis: this replica's batch) from the seeded stream."""
        return self.per_replica(lambda s: keras.random.uniform(s, seed=self.seed_generator),
                                shape[0], tuple(shape[1:]))

    def sample_labels(self, n):
        """``n`` class labels drawn uniformly (conditional models), from the seeded stream."""
        return self.per_replica(
            lambda shape: keras.random.randint(shape, 0, self.num_classes,
                                               seed=self.seed_generator, dtype="int32"), n)

    def per_replica(self, draw, n, shape=()):
        """This replica's ``n`` rows of one random draw for the whole global batch.

        Under ``tf.distribute`` every replica holds the same seed state, so drawing ``n`` rows
        on each would give every replica the same noise. Drawing ``n * replicas`` rows and
        keeping replica ``r``'s slice gives distinct noise per replica, and the concatenation
        equals what one device draws for the global batch (same seed, same step).
        """
        return blocks.replica_rows(draw, n, shape)

    def latent_numpy(self, n, seed=None, truncation=None):
        """``n`` latent vectors as NumPy, reproducible for a given ``seed``; with
        ``truncation`` ψ, entries above ψ in magnitude are drawn again
        (:func:`ganzoo.sampling.truncated`)."""
        rng = np.random.default_rng(seed)
        if self.config["latent_distribution"] == "uniform":
            z = rng.uniform(-1.0, 1.0, (n, self.latent_dim)).astype(np.float32)
        else:
            z = rng.standard_normal((n, self.latent_dim)).astype(np.float32)
        if truncation is None:
            return z
        body = z[:, :-1] if self.cluster_coordinate else z    # the cluster code stays as drawn
        body = sampling.truncated(body, truncation, self.config["latent_distribution"],
                                  seed=None if seed is None else seed + 1)
        return np.concatenate([body, z[:, -1:]], axis=1) if self.cluster_coordinate else body

    @property
    def cluster_coordinate(self):
        """Whether z's last coordinate picks a self-conditioning cluster rather than being
        noise (truncation and latent walks leave it alone)."""
        return bool(getattr(self, "clusters", 0))

    def G(self, z, labels=None, training=True):
        """The generator on noise ``z`` (and, for conditional models, ``labels``)."""
        return self.generator(z if labels is None else [z, labels], training=training)

    def D(self, x, labels=None, training=True):
        """The discriminator on ``x`` (and ``labels`` where it takes them as an input); in
        training, on ``x`` augmented by ``augment.policy`` first (DiffAugment: every image D
        sees, real or generated, in the D and the G update alike)."""
        if training and self.augment is not None:
            x = self.augment(x)
        if training and self.ada is not None:
            x = augment.ada(x, self.ada_p, self.uniform)
        return self.discriminator(x if labels is None else [x, labels], training=training)

    def adapt_augmentation(self, real_out, step=None):
        """ADA (Karras et al. 2020, §3), after a D update: add this batch's sign(D(x_real)) to
        r_t's running sums and, every ``augment.ada.interval`` D updates (or values of
        ``step``, a counter advanced once per call, where extra D updates such as lazy R1
        steps would make D's count irregular), move p towards r_t = ``augment.ada.target``
        (:func:`ganzoo.augment.ada_adjust`). Nothing without ``augment.ada.enabled``."""
        if self.ada is None:
            return
        real = real_out[0] if isinstance(real_out, (list, tuple)) else real_out
        # summed over replicas: every replica then holds the global sums and the same p
        batch = blocks.replica_sum(tf.stack([tf.reduce_sum(tf.sign(tf.cast(real, tf.float32))),
                                             tf.cast(tf.size(real), tf.float32)]))
        signs, count = self.ada_signs + batch[0], self.ada_count + batch[1]
        # no tf.cond: a cross-replica assignment may not sit inside control flow
        step = self.d_optimizer.iterations if step is None else tf.cast(step, tf.int64)
        due = step % self.ada["interval"] == 0
        self.ada_p.assign(tf.where(due, augment.ada_adjust(
            self.ada_p, signs, count, self.ada["target"], self.ada["images_to_one"]),
            self.ada_p))
        self.ada_signs.assign(tf.where(due, 0.0, signs))
        self.ada_count.assign(tf.where(due, 0.0, count))
        self.log(ada_p=self.ada_p)

    def d_outputs(self, real_out, fake_out):
        """Mean D(x) and D(G(z)) for the logs: probabilities for cross-entropy losses, raw
        outputs otherwise."""
        squash = tf.sigmoid if self.loss_name in losses.CROSS_ENTROPY else tf.identity
        return {"d_real": tf.reduce_mean(squash(real_out)),
                "d_fake": tf.reduce_mean(squash(fake_out))}

    def every_k_d_steps(self, update):
        """Run ``update()`` once every k-th discriminator update (k = ``training.d_steps``): the
        outer loop of Goodfellow et al.'s and the WGAN papers' Algorithm 1, inside the graph."""
        return run_every(self.d_optimizer.iterations, self.d_steps, update)

    def update_ema(self, decay=None):
        """ema <- d * ema + (1 - d) * weights, with d = ``decay`` if given, else
        min(ema.decay, (1 + t) / (10 + t)) after t generator updates (the warm-up of
        ``tf.train.ExponentialMovingAverage(num_updates=t)``: without it a 0.999 average still
        holds 39 % of the initial weights after 936 steps); non-trainable weights (BatchNorm
        statistics) are copied. Nothing without ``ema.enabled``."""
        if self.ema_generator is None:
            return
        if decay is None:
            t = tf.cast(self.g_optimizer.iterations, tf.float32)
            decay = tf.minimum(self.ema_decay, (1.0 + t) / (10.0 + t))
        d = decay
        for e, w in zip(self.ema_generator.trainable_variables, self.generator.trainable_variables):
            e.assign(d * e + (1.0 - d) * w)
        for e, w in zip(self.ema_generator.non_trainable_variables,
                        self.generator.non_trainable_variables):
            e.assign(w)

    def generate(self, n=None, z=None, seed=None, labels=None, batch_size=256, truncation=None):
        """Generate samples (with the EMA generator when ``ema.enabled``).

        Args:
            n: how many samples (default 64); ignored when ``z`` is given.
            z: optional latent vectors, shape (n, latent_dim).
            seed: seed for drawing z, so equal seeds give equal samples.
            labels: class of each sample, for conditional models (default:
                classes 0, 1, ..., C-1 repeated).
            batch_size: samples per forward pass.
            truncation: ψ > 0 for the truncation trick (Brock et al. 2019, §3.1): entries of
                z above ψ in magnitude are drawn again, trading variety for typical samples
                (ignored when ``z`` is given).

        Returns:
            float32 NumPy array (n, *data_shape); images are in [-1, 1].
        """
        if z is None:
            if n is None:
                n = 64 if labels is None else len(labels)
            z = self.latent_numpy(int(n), seed, truncation=truncation)
        z = np.asarray(z, np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}), got {z.shape}.")
        labels = self._check_labels(labels, len(z))
        out = []
        for i in range(0, len(z), batch_size):
            inputs = tf.constant(z[i:i + batch_size])
            if labels is not None:
                inputs = [inputs, tf.constant(labels[i:i + batch_size])]
            out.append(keras.ops.convert_to_numpy(self.sampling_generator(inputs, training=False)))
        empty = np.zeros((0,) + self.data_shape, np.float32)
        return np.concatenate(out).astype(np.float32) if out else empty

    def default_labels(self, n):
        """The labels ``generate`` uses when none are given: classes 0, 1, ..., C-1 repeated,
        so every class appears equally often (``None`` for unconditional models)."""
        if not self.num_classes:
            return None
        return (np.arange(n) % self.num_classes).astype(np.int32)

    def _check_labels(self, labels, n):
        if not self.num_classes:
            if labels is not None:
                raise ValueError(f"{self.name} is unconditional: it takes no labels.")
            return None
        if labels is None:
            return self.default_labels(n)
        labels = np.asarray(labels).reshape(-1)
        if len(labels) != n:
            raise ValueError(f"Got {len(labels)} labels for {n} samples; pass one per sample.")
        if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 \
                or labels.max() >= self.num_classes:
            raise ValueError(f"labels must be integers in [0, {self.num_classes}), got values "
                             f"from {labels.min()} to {labels.max()}.")
        return labels.astype(np.int32)

    @classmethod
    def card_objective(cls, config):
        """The card's objective and training algorithm (Markdown) for ``config``: the loss's
        equations (:data:`ganzoo.losses.EQUATIONS`), what :meth:`objective_notes` adds, and the
        update schedule."""
        k = config["training"]["d_steps"]
        head = cls.card_loss(config)
        tail = cls.CARD_LOSS_MEANS
        if config["training"].get("reuse_fakes"):
            return head + (
                "Each training step generates one batch G(z) and takes both players' losses "
                "from it: the discriminator is updated on a real batch and G(z), and the "
                "generator against the discriminator as it was before that update, so both "
                "step from the same point (`training.reuse_fakes: true`, what the DCGAN "
                "authors' own code, dcgan.torch, does). `reuse_fakes: false` gives Goodfellow "
                "et al. 2014's Algorithm 1 (fresh noise for the generator's update, against the "
                "updated discriminator); see [Training faster](../performance.md). " + tail)
        return head + (
            f"Each training step updates the discriminator once on a real batch and a fresh "
            f"generated batch; every {k} discriminator update{'s' if k > 1 else ''} the "
            "generator is updated once on fresh noise (Goodfellow et al. 2014, Algorithm 1, "
            f"k = {k}). " + tail
            + (" With `training.reuse_fakes: true` (not the paper's algorithm) one generated "
               "batch feeds both updates instead, and both players step from the same point; see "
               "[Training faster](../performance.md)." if "reuse_fakes" in config["training"]
               and k == 1 else ""))

    #: the card's sentence on how losses are averaged
    CARD_LOSS_MEANS = ("Losses are batch means, divided by the number of replicas under "
                       "`tf.distribute`.")

    @classmethod
    def card_loss(cls, config):
        """The card's loss equations (:data:`ganzoo.losses.EQUATIONS`) and what
        :meth:`objective_notes` adds, as Markdown paragraphs."""
        loss = config["loss"]["name"]
        d_eq, g_eq, loss_name = losses.EQUATIONS[loss]
        notes = cls.objective_notes(config)
        return (f"Default loss `{loss}`, the {loss_name}:\n\n$${d_eq}$$\n\n$${g_eq}$$\n\n"
                + (notes + "\n\n" if notes else ""))

    @classmethod
    def objective_notes(cls, config):
        """What a variant adds to its loss in the card (a penalty, clipping); Markdown."""
        return ""

    def train_step(self, data):
        """Each variant writes its own, like its paper's algorithm box (e.g.
        :meth:`ganzoo.models.vanilla.VanillaGAN.train_step`, Goodfellow et al.'s Algorithm 1)."""
        raise NotImplementedError(f"{type(self).__name__} has no train_step; write one in its "
                                  "module, or extend ganzoo.models.VanillaGAN for Goodfellow et "
                                  "al.'s Algorithm 1.")

    def prepare_dataset(self, x, y=None, batch_size=None):
        """Images (and labels): checked against ``data_shape``, value range and classes."""
        cfg = self.config
        dataset, _ = datasets.prepare_for_fit(
            x, y, data_shape=self.data_shape,
            batch_size=batch_size or cfg["training"]["batch_size"], seed=cfg.get("seed"),
            num_classes=self.num_classes)
        return dataset

def unpack(data):
    """``(images, labels or None)`` of a training batch."""
    if isinstance(data, (tuple, list)):
        return data[0], (data[1] if len(data) > 1 else None)
    return data, None

