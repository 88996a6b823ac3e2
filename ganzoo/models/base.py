"""The base class every noise-to-sample variant extends.

A variant supplies its two networks (``build_generator``,
``build_discriminator``) and, where its paper differs, the loss of each
player. The base class owns the training algorithm (k discriminator updates
per generator update), distribution-safe loss scaling and noise, and
``generate``; :class:`~ganzoo.models.zoo_model.ZooModel` owns the config,
optimizers and their saving, metrics and ``fit``.
"""

import keras
import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import datasets, losses, nets
from ganzoo.models.zoo_model import ZooModel, make_optimizer  # noqa: F401  (re-exported)


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(ZooModel):
    """A GAN as one ``keras.Model`` with a ``generator`` and a ``discriminator``.

    Training follows Goodfellow et al. 2014, Algorithm 1: for each batch of
    real data, update the discriminator on it and on fresh samples of G; after
    every ``training.d_steps`` discriminator updates, update the generator
    once on fresh noise. Subclasses change the networks and the two losses,
    never this loop.

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
    #: names of the scalars logged every step, in order
    metric_names = ("d_loss", "g_loss", "d_real", "d_fake")

    def build_networks(self):
        cfg = self.config
        self.data_shape = tuple(cfg.get("image_shape") or cfg["data_shape"])
        self.is_image = len(self.data_shape) == 3
        self.latent_dim = int(cfg["latent_dim"])
        self.num_classes = cfg.get("num_classes")
        self.d_steps = int(cfg["training"]["d_steps"])
        self.reuse_fakes = bool(cfg["training"].get("reuse_fakes", False))
        self.generator = self.build_generator()
        self.discriminator = self.build_discriminator()
        self.ema_decay = float(cfg["ema"]["decay"]) if cfg["ema"]["enabled"] else None
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = self.build_generator(name="ema_generator")
            self.ema_generator.set_weights(self.generator.get_weights())
        self.loss_name = cfg["loss"]["name"]
        self.d_loss_fn, self.g_loss_fn = losses.get(self.loss_name)

    @property
    def image_shape(self):
        """(H, W, C) of an image model's samples (alias of ``data_shape``)."""
        return self.data_shape

    @property
    def sampling_generator(self):
        """The generator used by ``generate``, evaluation and export (EMA copy when enabled)."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    # ------------------------------------------------------------------ config

    @classmethod
    def config_checks(cls):
        """Dotted key -> (predicate, expected) checks applied by ``ganzoo.build``."""
        c = config_lib
        checks = {
            "image_shape": c.image_shape(),
            "data_shape": c.data_shape(),
            "num_classes": c.positive_int(),
            "latent_dim": c.positive_int(),
            "latent_distribution": c.one_of("normal", "uniform"),
            "loss.name": c.one_of(*losses.names()),
            "loss.real_label": c.number_in(0.5, 1.0),
            "training.batch_size": c.positive_int(),
            "training.epochs": c.positive_int(),
            "training.d_steps": c.positive_int(),
            "training.linear_decay_from": c.optional_fraction(),
            "ema.decay": c.number_in(0.0, 1.0, hi_open=True),
            "seed": c.optional_seed(),
        }
        for net in ("generator", "discriminator"):
            table = nets.GENERATORS if net == "generator" else nets.DISCRIMINATORS
            checks[f"{net}.type"] = c.one_of(*table)
            for key in ("filters", "kernel_size", "maxout_pieces"):
                checks[f"{net}.{key}"] = c.positive_int()
            checks[f"{net}.init_std"] = c.positive_number()
            checks[f"{net}.leaky_slope"] = c.number_in(0.0, 1.0)
            checks[f"{net}.dropout"] = c.number_in(0.0, 1.0, hi_open=True)
            checks[f"{net}.hidden"] = c.list_of_positive_ints()
        checks["discriminator.norm"] = c.one_of("batch", "layer", "none")
        checks.update(cls.optimizer_checks())
        return checks

    @classmethod
    def validate_config(cls, config):
        """Checks across keys, after the per-key checks; raise ``ConfigError``."""
        if config["training"]["reuse_fakes"] and config["training"]["d_steps"] != 1:
            raise config_lib.ConfigError(
                f"training.reuse_fakes shares one generated batch between one D and one G "
                f"update, so it needs training.d_steps: 1 (got {config['training']['d_steps']}); "
                f"set reuse_fakes: false or d_steps: 1.")
        if (config["loss"]["real_label"] != 1.0
                and config["loss"]["name"] not in losses.CROSS_ENTROPY):
            raise config_lib.ConfigError(
                f"loss.real_label={config['loss']['real_label']} (one-sided label smoothing) "
                f"only applies to the cross-entropy losses {sorted(losses.CROSS_ENTROPY)}, not "
                f"{config['loss']['name']!r}; leave it at 1.0.")

    # ------------------------------------------------------------------ networks

    def build_generator(self, name="generator"):
        """The network named by ``generator.type``, built with the section's other keys."""
        return nets.build_network(nets.GENERATORS, self.config["generator"], name=name,
                                  data_shape=self.data_shape, latent_dim=self.latent_dim,
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

    def sample_latent(self, n):
        """A batch of z from the configured prior, drawn from the model's seeded stream."""
        if self.config["latent_distribution"] == "uniform":
            return self.per_replica(
                lambda shape: keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator),
                n, (self.latent_dim,))
        return self.per_replica(lambda shape: keras.random.normal(shape, seed=self.seed_generator),
                                n, (self.latent_dim,))

    def per_replica(self, draw, n, shape=()):
        """This replica's ``n`` rows of one random draw for the whole global batch.

        Under ``tf.distribute`` every replica holds the same seed state, so drawing ``n`` rows
        on each would give every replica the same noise. Drawing ``n * replicas`` rows and
        keeping replica ``r``'s slice gives distinct noise per replica, and the concatenation
        equals what one device draws for the global batch (same seed, same step).
        """
        replicas = _replicas()
        if replicas == 1:
            return draw((n,) + tuple(shape))
        rid = tf.distribute.get_replica_context().replica_id_in_sync_group
        full = draw((n * replicas,) + tuple(shape))
        return full[rid * n:(rid + 1) * n]

    def latent_numpy(self, n, seed=None):
        """``n`` latent vectors as NumPy, reproducible for a given ``seed``."""
        rng = np.random.default_rng(seed)
        if self.config["latent_distribution"] == "uniform":
            return rng.uniform(-1.0, 1.0, (n, self.latent_dim)).astype(np.float32)
        return rng.standard_normal((n, self.latent_dim)).astype(np.float32)

    def generator_inputs(self, z, labels):
        """What the generator is called on; conditional variants add the labels."""
        return z

    def discriminator_inputs(self, images, labels):
        """What the discriminator is called on; conditional variants add the labels."""
        return images

    def generate(self, n=None, z=None, seed=None, labels=None, batch_size=256):
        """Generate samples (with the EMA generator when ``ema.enabled``).

        Args:
            n: how many samples (default 64); ignored when ``z`` is given.
            z: optional latent vectors, shape (n, latent_dim).
            seed: seed for drawing z, so equal seeds give equal samples.
            labels: class of each sample, for conditional models (default:
                classes 0, 1, ..., C-1 repeated).
            batch_size: samples per forward pass.

        Returns:
            float32 NumPy array (n, *data_shape); images are in [-1, 1].
        """
        if z is None:
            if n is None:
                n = 64 if labels is None else len(labels)
            z = self.latent_numpy(int(n), seed)
        z = np.asarray(z, np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}), got {z.shape}.")
        labels = self._check_labels(labels, len(z))
        out = []
        for i in range(0, len(z), batch_size):
            lab = None if labels is None else tf.constant(labels[i:i + batch_size])
            inputs = self.generator_inputs(tf.constant(z[i:i + batch_size]), lab)
            out.append(keras.ops.convert_to_numpy(self.sampling_generator(inputs, training=False)))
        empty = np.zeros((0,) + self.data_shape, np.float32)
        return np.concatenate(out).astype(np.float32) if out else empty

    def _check_labels(self, labels, n):
        if not self.num_classes:
            if labels is not None:
                raise ValueError(f"{self.name} is unconditional: it takes no labels.")
            return None
        if labels is None:
            return (np.arange(n) % self.num_classes).astype(np.int32)
        labels = np.asarray(labels).reshape(-1)
        if len(labels) != n:
            raise ValueError(f"Got {len(labels)} labels for {n} samples; pass one per sample.")
        if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 \
                or labels.max() >= self.num_classes:
            raise ValueError(f"labels must be integers in [0, {self.num_classes}), got values "
                             f"from {labels.min()} to {labels.max()}.")
        return labels.astype(np.int32)

    # ------------------------------------------------------------------ losses

    def discriminate(self, images, labels=None):
        """D's output(s) on a batch."""
        return self.discriminator(self.discriminator_inputs(images, labels), training=True)

    def discriminator_loss(self, real, fake, real_labels=None, fake_labels=None):
        """D's loss on a real and a generated batch; returns ``(loss, logs)``."""
        return self.d_loss_from(self.discriminate(real, real_labels),
                                self.discriminate(fake, fake_labels),
                                real, fake, real_labels, fake_labels)

    def generator_loss(self, fake, labels):
        """G's loss on a generated batch; returns ``(loss, logs)``."""
        return self.g_loss_from(self.discriminate(fake, labels), labels)

    def d_loss_from(self, real_out, fake_out, real, fake, real_labels=None, fake_labels=None):
        """D's loss from its outputs on the real and the generated batch (variants override
        this, not the forward passes); ``real`` and ``fake`` are there for penalties."""
        loss = self.d_loss_fn(real_out, fake_out, **self._d_loss_kwargs())
        return loss, {"d_loss": loss, **self.discriminator_outputs(real_out, fake_out)}

    def g_loss_from(self, fake_out, labels=None):
        """G's loss from D's output on the generated batch."""
        loss = self.g_loss_fn(fake_out)
        return loss, {"g_loss": loss}

    def _d_loss_kwargs(self):
        if self.loss_name in losses.CROSS_ENTROPY:
            return {"real_label": self.config["loss"]["real_label"]}
        return {}

    def discriminator_outputs(self, real_logits, fake_logits):
        """Mean D(x) and D(G(z)): probabilities for cross-entropy losses, raw outputs otherwise."""
        squash = tf.sigmoid if self.loss_name in losses.CROSS_ENTROPY else tf.identity
        return {"d_real": tf.reduce_mean(squash(real_logits)),
                "d_fake": tf.reduce_mean(squash(fake_logits))}

    def after_discriminator_update(self):
        """Hook run after each D update (WGAN clips weights here)."""

    # ------------------------------------------------------------------ training

    def sample_labels(self, batch_size, real_labels):
        """Labels for generated samples; conditional variants override."""
        return None

    def fake_batch(self, batch, fake_labels):
        """G(z) for a fresh batch of noise (and the given labels)."""
        return self.generator(self.generator_inputs(self.sample_latent(batch), fake_labels),
                              training=True)

    def discriminator_step(self, real, labels):
        """One D update on ``real`` and a fresh generated batch (Algorithm 1, inner loop)."""
        fake_labels = self.sample_labels(tf.shape(real)[0], labels)
        fake = self.fake_batch(tf.shape(real)[0], fake_labels)
        with tf.GradientTape() as tape:
            loss, logs = self.discriminator_loss(real, fake, labels, fake_labels)
        self._apply(self.d_optimizer, loss, tape, self.discriminator.trainable_variables)
        self.after_discriminator_update()
        return logs

    def generator_step(self, batch, labels):
        """One G update on fresh noise (Algorithm 1, outer step)."""
        fake_labels = self.sample_labels(batch, labels)
        with tf.GradientTape() as tape:
            loss, logs = self.generator_loss(self.fake_batch(batch, fake_labels), fake_labels)
        self._apply(self.g_optimizer, loss, tape, self.generator.trainable_variables)
        if self.ema_generator is not None:
            self.update_ema()
        return logs

    def shared_step(self, real, labels):
        """Both updates from one generated batch (``training.reuse_fakes: true``).

        G runs forward once and D once on each batch; D's loss and G's loss are both
        taken from those outputs, and both players step from the same point (simultaneous
        rather than alternating updates, as in the TensorFlow DCGAN tutorial). About 17 %
        fewer FLOPs per step than :meth:`discriminator_step` + :meth:`generator_step`.
        """
        fake_labels = self.sample_labels(tf.shape(real)[0], labels)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.fake_batch(tf.shape(real)[0], fake_labels)
            real_out = self.discriminate(real, labels)
            fake_out = self.discriminate(fake, fake_labels)
            d_loss, d_logs = self.d_loss_from(real_out, fake_out, real, fake, labels, fake_labels)
            g_loss, g_logs = self.g_loss_from(fake_out, fake_labels)
        self._apply(self.d_optimizer, d_loss, d_tape, self.discriminator.trainable_variables)
        self._apply(self.g_optimizer, g_loss, g_tape, self.generator.trainable_variables)
        self.after_discriminator_update()
        if self.ema_generator is not None:
            self.update_ema()
        return {**d_logs, **g_logs}

    def update_ema(self):
        """ema <- decay * ema + (1 - decay) * weights; BatchNorm statistics are copied."""
        d = self.ema_decay
        for e, w in zip(self.ema_generator.trainable_variables, self.generator.trainable_variables):
            e.assign(d * e + (1.0 - d) * w)
        for e, w in zip(self.ema_generator.non_trainable_variables,
                        self.generator.non_trainable_variables):
            e.assign(w)

    def train_step(self, data):
        real, labels = _unpack(data)
        if self.reuse_fakes:
            self._update_trackers(self.shared_step(real, labels))
            return self.step_logs()
        self._update_trackers(self.discriminator_step(real, labels))
        batch = tf.shape(real)[0]
        if self.d_steps == 1:
            self._update_trackers(self.generator_step(batch, labels))
        else:
            def g_update():
                self._update_trackers(self.generator_step(batch, labels))
                return tf.constant(True)

            tf.cond(self.d_optimizer.iterations % self.d_steps == 0, g_update,
                    lambda: tf.constant(False))
        return self.step_logs()

    def prepare_dataset(self, x, y=None, batch_size=None):
        """Images (and labels): checked against ``image_shape``, value range and classes."""
        cfg = self.config
        dataset, _ = datasets.prepare_for_fit(
            x, y, data_shape=self.data_shape,
            batch_size=batch_size or cfg["training"]["batch_size"], seed=cfg.get("seed"),
            num_classes=self.num_classes)
        return dataset

def _unpack(data):
    if isinstance(data, (tuple, list)):
        return data[0], (data[1] if len(data) > 1 else None)
    return data, None




def _replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync
