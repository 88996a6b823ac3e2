"""The base class every ganzoo variant extends.

A variant supplies its two networks (``build_generator``,
``build_discriminator``) and, where its paper differs, the loss of each
player. The base class owns everything else: optimizers and their saving,
the training algorithm (k discriminator updates per generator update),
distribution-safe loss scaling, metrics, input validation and ``generate``.
"""

import json
import os
import shutil
import sys

import keras
import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import datasets, losses, nets

_OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop,
               "sgd": keras.optimizers.SGD}


def make_optimizer(spec):
    """A Keras optimizer from a config section like ``{name: adam, learning_rate: 2.0e-4, ...}``."""
    spec = dict(spec)
    name = spec.pop("name")
    if name not in _OPTIMIZERS:
        raise config_lib.ConfigError(f"Unknown optimizer {name!r}; choose one of "
                                     f"{', '.join(sorted(_OPTIMIZERS))}.")
    return _OPTIMIZERS[name](**spec)


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(keras.Model):
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

    registry_name = None
    #: citation of the variant's paper, and what it does (shown in model cards)
    paper = ""
    task = "image generation"
    #: names of the scalars logged every step, in order
    metric_names = ("d_loss", "g_loss", "d_real", "d_fake")

    def __init__(self, config, **kwargs):
        kwargs.setdefault("name", config.get("model", "gan"))
        super().__init__(**kwargs)
        # Stored as JSON so Keras' attribute tracking never wraps or mutates it.
        self._config_json = json.dumps(config_lib.to_plain(config))
        cfg = self.config
        self.data_shape = tuple(cfg.get("image_shape") or cfg["data_shape"])
        self.is_image = len(self.data_shape) == 3
        self.latent_dim = int(cfg["latent_dim"])
        self.num_classes = cfg.get("num_classes")
        self.d_steps = int(cfg["training"]["d_steps"])
        if cfg.get("seed") is not None:
            # Seeds Python, NumPy and TensorFlow (weight initialisers, dropout) so that two CPU
            # runs with the same seed end with identical weights.
            keras.utils.set_random_seed(int(cfg["seed"]))
        self.generator = self.build_generator()
        self.discriminator = self.build_discriminator()
        self.ema_decay = float(cfg["ema"]["decay"]) if cfg["ema"]["enabled"] else None
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = self.build_generator(name="ema_generator")
            self.ema_generator.set_weights(self.generator.get_weights())
        self.loss_name = cfg["loss"]["name"]
        self.d_loss_fn, self.g_loss_fn = losses.get(self.loss_name)
        self.seed_generator = keras.random.SeedGenerator(cfg.get("seed"))
        self.trackers = [keras.metrics.Mean(name=n) for n in self.metric_names]
        self.g_optimizer = None
        self.d_optimizer = None
        self.built = True  # sub-models exist: needed by save_weights, tf.distribute, BackupAndRestore

    @property
    def image_shape(self):
        """(H, W, C) of an image model's samples (alias of ``data_shape``)."""
        return self.data_shape

    @property
    def sampling_generator(self):
        """The generator used by ``generate``, evaluation and export (EMA copy when enabled)."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    # ------------------------------------------------------------------ config

    @property
    def config(self):
        """A copy of the resolved config this model was built from."""
        return json.loads(self._config_json)

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
        for player in ("generator", "discriminator"):
            p = f"optimizer.{player}"
            checks[f"{p}.name"] = c.one_of(*sorted(_OPTIMIZERS))
            checks[f"{p}.learning_rate"] = c.positive_number()
            checks[f"{p}.beta_1"] = c.number_in(0.0, 1.0, hi_open=True)
            checks[f"{p}.beta_2"] = c.number_in(0.0, 1.0, hi_open=True)
        return checks

    @classmethod
    def validate_config(cls, config):
        """Checks across keys, after the per-key checks; raise ``ConfigError``."""
        if (config["loss"]["real_label"] != 1.0
                and config["loss"]["name"] not in losses.CROSS_ENTROPY):
            raise config_lib.ConfigError(
                f"loss.real_label={config['loss']['real_label']} (one-sided label smoothing) "
                f"only applies to the cross-entropy losses {sorted(losses.CROSS_ENTROPY)}, not "
                f"{config['loss']['name']!r}; leave it at 1.0.")

    def get_config(self):
        return {"name": self.name, "config": self.config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

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

    # ------------------------------------------------------------------ compile / save

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Configure both optimizers (from the config unless given) and Keras' compile options.

        Args:
            g_optimizer: generator optimizer; default from ``optimizer.generator``.
            d_optimizer: discriminator optimizer; default from ``optimizer.discriminator``.
            **kwargs: passed to ``keras.Model.compile`` (``steps_per_execution``,
                ``run_eagerly``, ``jit_compile``; XLA is off by default, it measured
                slower on CPU).
        """
        cfg = self.config["optimizer"]
        self.g_optimizer = g_optimizer or make_optimizer(cfg["generator"])
        self.d_optimizer = d_optimizer or make_optimizer(cfg["discriminator"])
        kwargs.setdefault("jit_compile", False)
        kwargs.setdefault("auto_scale_loss", False)
        # Keras' own `optimizer` slot holds the generator's: its iterations count G updates.
        super().compile(optimizer=self.g_optimizer, **kwargs)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def get_compile_config(self):
        if self.g_optimizer is None:
            return None
        return {
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "steps_per_execution": self.steps_per_execution,
            "run_eagerly": self.run_eagerly,
            "jit_compile": self.jit_compile,
        }

    def compile_from_config(self, config):
        config = dict(config)
        g = keras.saving.deserialize_keras_object(config.pop("g_optimizer"))
        d = keras.saving.deserialize_keras_object(config.pop("d_optimizer"))
        self.compile(g_optimizer=g, d_optimizer=d, **config)

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

    def discriminator_loss(self, real, fake, real_labels=None, fake_labels=None):
        """D's loss on a real and a generated batch; returns ``(loss, logs)``."""
        real_logits = self.discriminator(self.discriminator_inputs(real, real_labels),
                                         training=True)
        fake_logits = self.discriminator(self.discriminator_inputs(fake, fake_labels),
                                         training=True)
        loss = self.d_loss_fn(real_logits, fake_logits, **self._d_loss_kwargs())
        return loss, {"d_loss": loss, **self.discriminator_outputs(real_logits, fake_logits)}

    def _d_loss_kwargs(self):
        if self.loss_name in losses.CROSS_ENTROPY:
            return {"real_label": self.config["loss"]["real_label"]}
        return {}

    def discriminator_outputs(self, real_logits, fake_logits):
        """Mean D(x) and D(G(z)): probabilities for cross-entropy losses, raw outputs otherwise."""
        squash = tf.sigmoid if self.loss_name in losses.CROSS_ENTROPY else tf.identity
        return {"d_real": tf.reduce_mean(squash(real_logits)),
                "d_fake": tf.reduce_mean(squash(fake_logits))}

    def generator_loss(self, fake, labels):
        """G's loss on a generated batch; returns ``(loss, logs)``."""
        fake_logits = self.discriminator(self.discriminator_inputs(fake, labels), training=True)
        loss = self.g_loss_fn(fake_logits)
        return loss, {"g_loss": loss}

    def after_discriminator_update(self):
        """Hook run after each D update (WGAN clips weights here)."""

    # ------------------------------------------------------------------ training

    def sample_labels(self, batch_size, real_labels):
        """Labels for generated samples; conditional variants override."""
        return None

    def discriminator_step(self, real, labels):
        batch = tf.shape(real)[0]
        fake_labels = self.sample_labels(batch, labels)
        fake = self.generator(self.generator_inputs(self.sample_latent(batch), fake_labels),
                              training=True)
        with tf.GradientTape() as tape:
            loss, logs = self.discriminator_loss(real, fake, labels, fake_labels)
            scaled = loss / _replicas()
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        self.after_discriminator_update()
        return logs

    def generator_step(self, batch, labels):
        fake_labels = self.sample_labels(batch, labels)
        with tf.GradientTape() as tape:
            fake = self.generator(self.generator_inputs(self.sample_latent(batch), fake_labels),
                                  training=True)
            loss, logs = self.generator_loss(fake, fake_labels)
            scaled = loss / _replicas()
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        if self.ema_generator is not None:
            self.update_ema()
        return logs

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
        logs = {m.name: m.result() for m in self.metrics}
        if _multi_worker():
            # Keras 3.15.1 reduces step outputs across workers with strategy.reduce(MEAN, axis=0),
            # which fails on scalars ("Invalid reduction dimension 0 for input with 0
            # dimensions"); shape (1,) reduces to the same mean.
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    def _update_trackers(self, logs):
        for tracker in self.trackers:
            if tracker.name in logs:
                tracker.update_state(logs[tracker.name])

    @property
    def metrics(self):
        return list(self.trackers)

    # ------------------------------------------------------------------ fit

    def fit(self, x=None, y=None, batch_size=None, epochs=None, **kwargs):
        """Train on images (and labels): a ``tf.data.Dataset`` or NumPy arrays.

        Data is validated (shape against ``image_shape``, value range) before
        training starts, converted to float32 [-1, 1] once in the input
        pipeline, and batched with ``training.batch_size`` when it is not
        batched already. ``epochs`` defaults to the config's
        ``training.epochs`` (the recipe of the zoo config).

        Args:
            x: dataset of images or ``(images, labels)``, or an image array.
            y: labels when ``x`` is an array.
            batch_size: overrides ``training.batch_size`` for unbatched data.
            epochs: number of epochs; default ``training.epochs``.
            **kwargs: passed to ``keras.Model.fit`` (``callbacks``, ``verbose``...).

        Returns:
            The Keras ``History``.
        """
        cfg = self.config
        dataset, _ = datasets.prepare_for_fit(
            x, y, data_shape=self.data_shape,
            batch_size=batch_size or cfg["training"]["batch_size"], seed=cfg.get("seed"),
            num_classes=self.num_classes)
        epochs = int(epochs or cfg["training"]["epochs"])
        callbacks = list(kwargs.pop("callbacks", None) or [])
        kwargs.setdefault("shuffle", False)  # the pipeline shuffles; Keras would only warn
        steps = kwargs.get("steps_per_epoch") or _known_length(dataset)
        backup = next((c for c in callbacks
                       if isinstance(c, keras.callbacks.BackupAndRestore)), None)
        start_step, initial_epoch, skip = self.train_steps, kwargs.pop("initial_epoch", 0), 0
        if backup is not None and steps:
            start_step, initial_epoch, skip = _resume_point(self, backup, steps, epochs)
        decay_from = cfg["training"].get("linear_decay_from")
        if decay_from is not None:
            from ganzoo.callbacks import LinearDecay

            callbacks.append(LinearDecay(decay_from, total_steps=steps * epochs if steps else None,
                                         start_step=start_step))
        first = None
        if backup is not None and steps:
            # Restored above; Keras' own on_train_begin would reload the file (stale after a
            # partial epoch) and move the start epoch, so it is switched off for this call.
            backup.on_train_begin = _no_op
        try:
            if skip:  # finish the interrupted epoch from where the checkpoint left it
                keep, backup.delete_checkpoint = backup.delete_checkpoint, False
                first = super().fit(dataset.skip(skip), epochs=initial_epoch + 1,
                                    initial_epoch=initial_epoch, callbacks=callbacks, **kwargs)
                backup.delete_checkpoint = keep
                initial_epoch += 1
                if initial_epoch >= epochs or self.stop_training:
                    if keep:
                        shutil.rmtree(backup.backup_dir, ignore_errors=True)
                    return first
            history = super().fit(dataset, epochs=epochs, initial_epoch=initial_epoch,
                                  callbacks=callbacks, **kwargs)
        finally:
            if backup is not None:
                backup.__dict__.pop("on_train_begin", None)
        if first is not None:  # one History for the whole call
            for key, values in first.history.items():
                history.history[key] = values + history.history.get(key, [])
            history.epoch = first.epoch + history.epoch
        return history

    @property
    def _initial_epoch(self):
        # Keras' BackupAndRestore sets model._initial_epoch and Keras never resets it, so a
        # later fit would start late; ganzoo's fit computes where to resume itself.
        return None

    @_initial_epoch.setter
    def _initial_epoch(self, value):
        pass

    @property
    def train_steps(self):
        """Training steps taken so far (one discriminator update each), across ``fit`` calls."""
        return int(self.d_optimizer.iterations.numpy()) if self.d_optimizer is not None else 0


RESUME_FILE = "ganzoo_fit.json"


def _resume_point(model, backup, steps, epochs):
    """Restore ``backup`` now and say where training continues.

    The checkpoint holds both optimizers, so the restored discriminator step count says
    exactly how far the interrupted ``fit`` got; ``ganzoo_fit.json`` in the backup folder
    records the step count the original call started from.

    Returns:
        ``(start_step, initial_epoch, batches_to_skip)``.
    """
    backup.set_model(model)
    backup.on_train_begin()  # loads the latest checkpoint, if any
    path = os.path.join(backup.backup_dir, RESUME_FILE)
    restored = os.path.exists(os.path.join(backup.backup_dir, "latest.weights.h5"))
    record = None
    if restored and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    if record is None or record.get("steps_per_epoch") != steps:
        record = {"start_step": model.train_steps, "steps_per_epoch": steps}
        os.makedirs(backup.backup_dir, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(record, f)
    done = model.train_steps - record["start_step"]
    epoch, skip = divmod(max(done, 0), steps)
    if epoch >= epochs:
        epoch, skip = epochs, 0
    if restored:
        print(f"ganzoo: restored the checkpoint in {backup.backup_dir} at step {done} "
              f"(epoch {epoch + 1}, batch {skip})", file=sys.stderr)
    return record["start_step"], epoch, skip


def _no_op(*args, **kwargs):
    return None


def _known_length(dataset):
    n = int(dataset.cardinality())
    return n if n > 0 else None


def _unpack(data):
    if isinstance(data, (tuple, list)):
        return data[0], (data[1] if len(data) > 1 else None)
    return data, None


def _replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync


def _multi_worker():
    """True under a MultiWorkerMirroredStrategy that spans more than one worker."""
    strategy = tf.distribute.get_strategy()
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return False
    in_multi_worker_mode = getattr(strategy.extended, "_in_multi_worker_mode", None)
    return bool(in_multi_worker_mode()) if in_multi_worker_mode else True
