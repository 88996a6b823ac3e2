"""The machinery every zoo model shares: its config, two optimizers, logged metrics, and a
``fit`` that validates data first and resumes exactly from checkpoints.

:class:`ZooModel` holds no training algorithm: :class:`ganzoo.models.base.GAN` (noise to
samples) and :class:`ganzoo.models.translation.Translator` (image to image) define theirs in
``train_step``.
"""

import json
import os
import shutil
import sys
import warnings

import keras

import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import schema
from ganzoo.schema import Choice, Key

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



#: ``training.precision`` values: Keras dtype policies (variables stay float32 in the mixed
#: ones), or ``auto`` (see :func:`resolve_precision`)
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16", "auto")


def resolve_precision(precision):
    """The dtype policy a ``training.precision`` value stands for on this machine.

    ``auto`` is ``mixed_float16`` with a GPU of compute capability 7.0 or newer (tensor cores),
    ``mixed_bfloat16`` on a CPU with bfloat16 instructions (``avx512_bf16`` or ``amx_bf16``
    in ``/proc/cpuinfo``), else ``float32``: low precision only where it is fast.
    """
    if precision == "mixed_bfloat16" and not _bf16_units() \
            and not tf.config.list_physical_devices("GPU"):
        _warn_once("training.precision mixed_bfloat16 on a CPU without bfloat16 instructions "
                   "(avx512_bf16 or amx_bf16) emulates them: measured 8.4x slower than float32 "
                   "for DCGAN on an AVX2-only CPU. Use precision 'auto' (bf16 only where it is "
                   "fast) or 'float32'.")
    if precision != "auto":
        return precision
    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability and capability >= (7, 0):
            return "mixed_float16"
    if _bf16_units():
        return "mixed_bfloat16"
    return "float32"


def _bf16_units():
    """Whether this CPU has bfloat16 instructions."""
    return bool({"avx512_bf16", "amx_bf16"} & _cpu_flags())


_WARNED = set()


def _warn_once(message):
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, stacklevel=3)


def _cpu_flags():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def optimizer_schema():
    """Schema of one ``optimizer.<player>`` section: ``name`` picks the Keras optimizer, whose
    arguments are the other keys (defaults as in Keras)."""
    lr = Key(1.0e-3, schema.positive_number(), "learning rate")
    return Choice("name", {
        "adam": {"learning_rate": lr,
                 "beta_1": Key(0.9, schema.number_in(0.0, 1.0, hi_open=True),
                               "decay of the first-moment average"),
                 "beta_2": Key(0.999, schema.number_in(0.0, 1.0, hi_open=True),
                               "decay of the second-moment average")},
        "rmsprop": {"learning_rate": lr},
        "sgd": {"learning_rate": Key(1.0e-2, schema.positive_number(), "learning rate"),
                "momentum": Key(0.0, schema.number_in(0.0, 1.0, hi_open=True), "momentum")},
    }, default="adam", doc="the Keras optimizer: 'adam', 'rmsprop' or 'sgd'")


#: the keys every zoo model has; the families extend it
BASE_SCHEMA = {
    "data_shape": Key([28, 28, 1], schema.sample_shape(),
                      "shape of one sample: [height, width, channels], or [D] for vectors "
                      "(alias: image_shape)"),
    "optimizer": {"generator": optimizer_schema(), "discriminator": optimizer_schema()},
    "training": {
        "batch_size": Key(64, schema.positive_int(), "examples per step"),
        "epochs": Key(25, schema.positive_int(), "what fit uses when epochs= is not given"),
        "linear_decay_from": Key(None, schema.optional_fraction(),
                                 "null, or the fraction of fit after which both learning rates "
                                 "fall linearly to 0"),
        "precision": Key("float32", schema.one_of(*PRECISIONS),
                         "dtype policy: float32, mixed_bfloat16 (CPUs with bf16 units), "
                         "mixed_float16 (GPUs) or auto"),
        "steps_per_execution": Key(1, schema.positive_int(),
                                   "train steps per tf.function call (Keras compile option)"),
    },
    "seed": Key(None, schema.optional_seed(),
                "an integer seeds Python, NumPy and TensorFlow when the model is built; null "
                "leaves them unseeded"),
}


class ZooModel(keras.Model):
    """Base of every registered model: a resolved config, a generator optimizer and a
    discriminator optimizer, metric trackers named in ``metric_names``, and ``fit``.

    Subclasses build their networks in :meth:`build_networks`, say which variables each
    optimizer trains (:meth:`generator_variables`, :meth:`discriminator_variables`),
    validate data in :meth:`prepare_dataset` and write ``train_step``.
    """

    registry_name = None
    #: every key of the variant's config: default, check, doc (see :mod:`ganzoo.schema`)
    config_schema = BASE_SCHEMA
    #: citation of the variant's paper, and what it does (shown in model cards)
    paper = ""
    task = ""
    #: names of the scalars logged every step, in order
    metric_names = ()

    def __init__(self, config, **kwargs):
        kwargs.setdefault("name", config.get("model", "gan"))
        super().__init__(**kwargs)
        # Stored as JSON so Keras' attribute tracking never wraps or mutates it.
        self._config_json = json.dumps(config_lib.to_plain(config))
        cfg = self.config
        if cfg.get("seed") is not None:
            # Seeds Python, NumPy and TensorFlow (weight initialisers, dropout) so that two CPU
            # runs with the same seed end with identical weights.
            keras.utils.set_random_seed(int(cfg["seed"]))
        self.seed_generator = keras.random.SeedGenerator(cfg.get("seed"))
        #: the dtype policy the networks were built with (``training.precision``, resolved)
        self.precision = resolve_precision(cfg.get("training", {}).get("precision", "float32"))
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(self.precision)  # the networks' layers take it up
        try:
            self.build_networks()
        finally:
            keras.config.set_dtype_policy(previous)
        if self.precision != "float32":
            self._float32_outputs()
        # metric_names, and what build_networks adds for options in use (e.g. augment.ada's p)
        names = tuple(self.metric_names) + tuple(getattr(self, "extra_metric_names", ()))
        self.trackers = [keras.metrics.Mean(name=n) for n in names]
        self.g_optimizer = None
        self.d_optimizer = None
        # sub-models exist: needed by save_weights, tf.distribute, BackupAndRestore
        self.built = True

    def build_networks(self):
        """Create the sub-models (``self.generator``, ``self.discriminator``...)."""
        raise NotImplementedError

    def _float32_outputs(self):
        """Give every network a float32 output layer under a mixed policy, as Keras' mixed
        precision guide advises: losses, samples and exported signatures stay float32."""
        for attr, net in self.networks().items():
            if net.outputs:
                outputs = [keras.layers.Activation("linear", dtype="float32",
                                                   name=f"{net.name}_float32_{i}")(t)
                           for i, t in enumerate(net.outputs)]
                if len(outputs) == 1:
                    outputs = outputs[0]
                inputs = net.inputs[0] if len(net.inputs) == 1 else net.inputs
                setattr(self, attr, keras.Model(inputs, outputs, name=net.name))

    def networks(self):
        """Every network of the model by attribute name (generators, discriminators, EMA
        copies), in creation order: what the divergence guard restores, ``as_float32`` copies,
        and :meth:`check_finite` checks."""
        return {attr: net for attr, net in vars(self).items()
                if isinstance(net, keras.Model) and not attr.startswith("_")}

    def sampling_networks(self):
        """Names (from :meth:`networks`) of the networks that sampling needs: what a preset's
        ``model.weights.h5`` stores."""
        raise NotImplementedError

    def check_finite(self, networks=None):
        """Raise :class:`~ganzoo.errors.ModelError` when a network holds NaN or infinite
        weights (a run that diverged): its samples, scores and exports would be meaningless.

        Args:
            networks: names from :meth:`networks` to check; default all.
        """
        from ganzoo.errors import ModelError

        for name, net in self.networks().items():
            if networks is not None and name not in networks:
                continue
            for w in net.weights:
                value = keras.ops.convert_to_numpy(w)
                if value.dtype.kind == "f" and not np.isfinite(value).all():
                    raise ModelError(
                        f"{self.name}'s {name} holds NaN or infinite weights ({w.path}): the model "
                        "diverged in training and its outputs are meaningless. Retrain it (a lower "
                        "learning rate, or the run's last checkpoint with --resume).")

    def as_float32(self):
        """This model with float32 compute and the same weights (itself when it is float32).

        Export uses it: TFLite has no bfloat16 kernels, and a float32 artifact is what mobile
        runtimes expect. Optimizer state is not copied.
        """
        if self.precision == "float32":
            return self
        config = self.config
        config["training"]["precision"] = "float32"
        config["seed"] = None  # a seed would re-seed the global RNGs on construction
        twin = type(self)(config=config, name=self.name)
        for attr, net in self.networks().items():
            getattr(twin, attr).set_weights(net.get_weights())
        return twin

    def generator_variables(self):
        return self.generator.trainable_variables

    def discriminator_variables(self):
        return self.discriminator.trainable_variables

    @classmethod
    def preset_notes(cls, config):
        """Where a trained ``config`` departs from the variant's paper, for a preset's card
        (Markdown; empty when it does not): every setting that differs from the variant's YAML,
        which holds the paper's values (each cited there). Variants add what needs words."""
        from ganzoo import registry

        name = config.get("model")
        if not name or name not in registry.list_models():
            return ""
        paper = schema.flatten(registry.resolve_config(name))
        changed = [(key, value, paper[key]) for key, value in schema.flatten(config).items()
                   if key not in ("model", "seed") and key in paper and paper[key] != value]
        if not changed:
            return ""
        return (f"Settings that differ from `zoo_configs/{name}.yaml` (the paper's values, each "
                f"cited there, and ganzoo's where the paper gives none; the default in "
                f"brackets): " + ", ".join(f"`{key}` {json.dumps(value)} ({json.dumps(default)})"
                                        for key, value, default in changed) + ".")

    @classmethod
    def validate_config(cls, config):
        """Rules across keys, checked after every key's own check; raise ``ConfigError``."""

    @classmethod
    def upgrade_config(cls, config):
        """A config saved by an earlier ganzoo, in today's keys: aliases renamed (``image_shape``
        is ``data_shape``), keys since removed as unused dropped, new keys at their defaults.
        ``from_config`` applies it, so older ``.keras`` files load."""
        return schema.resolve(cls.config_schema, [("the saved model's config", config)],
                              config.get("model", cls.registry_name), drop_unknown=True)

    @property
    def config(self):
        """A copy of the resolved config this model was built from."""
        return json.loads(self._config_json)

    def get_config(self):
        return {"name": self.name, "config": self.config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["config"] = cls.upgrade_config(config["config"])
        return cls(**config)

    # ------------------------------------------------------------------ compile / save

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Configure both optimizers (from the config unless given) and Keras' compile options.

        Args:
            g_optimizer: generator optimizer; default from ``optimizer.generator``.
            d_optimizer: discriminator optimizer; default from ``optimizer.discriminator``.
            **kwargs: passed to ``keras.Model.compile`` (``steps_per_execution``, default
                ``training.steps_per_execution``; ``run_eagerly``; ``jit_compile``, off by
                default: XLA measured 17-39 % slower on CPU, docs/performance.md).

        Under ``training.precision: mixed_float16`` both optimizers are wrapped in a
        ``keras.optimizers.LossScaleOptimizer`` (Keras would wrap only ``self.optimizer``).
        """
        cfg = self.config["optimizer"]
        self.g_optimizer = g_optimizer or make_optimizer(cfg["generator"])
        self.d_optimizer = d_optimizer or make_optimizer(cfg["discriminator"])
        if self.precision == "mixed_float16":
            # Keras wraps only `self.optimizer` in a LossScaleOptimizer; a GAN needs both.
            self.g_optimizer, self.d_optimizer = (
                o if isinstance(o, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(o)
                for o in (self.g_optimizer, self.d_optimizer))
        kwargs.setdefault("jit_compile", False)
        kwargs.setdefault("auto_scale_loss", False)
        kwargs.setdefault("steps_per_execution",
                          int(self.config.get("training", {}).get("steps_per_execution", 1)))
        # Keras' own `optimizer` slot holds the generator's: its iterations count G updates.
        super().compile(optimizer=self.g_optimizer, **kwargs)
        self.g_optimizer.build(self.generator_variables())
        self.d_optimizer.build(self.discriminator_variables())

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

    def apply_gradients(self, optimizer, loss, tape, variables, unconnected=False):
        """One update of ``variables`` from ``loss`` recorded on ``tape``: gradients divided by
        the replica count (so the summed gradients under tf.distribute are those of the
        global-batch mean), scaled and unscaled under ``mixed_float16``. ``unconnected``: some
        variables do not reach ``loss`` by design (a regulariser of gradients, whose biases
        drop out); they are left alone without Keras' warning."""
        replicas = replicas_in_sync()
        scale = None
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            # d(scale * loss) without re-entering the tape; apply_gradients unscales and skips
            # the update (halving the scale) when a gradient is not finite.
            scale = tf.cast(optimizer.dynamic_scale, loss.dtype)
        grads = tape.gradient(loss, variables, output_gradients=scale)
        if replicas > 1:
            grads = [None if g is None else _divide(g, replicas) for g in grads]
        pairs = list(zip(grads, variables))
        if unconnected:
            pairs = [(g, v) for g, v in pairs if g is not None]
        optimizer.apply_gradients(pairs)

    def step_logs(self):
        """The running means of every tracker, as ``train_step`` returns them."""
        logs = {m.name: m.result() for m in self.metrics}
        if _multi_worker():
            # Keras 3.15.1 reduces step outputs across workers with strategy.reduce(MEAN, axis=0),
            # which fails on scalars ("Invalid reduction dimension 0 for input with 0
            # dimensions"); shape (1,) reduces to the same mean.
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    def log(self, **values):
        """Add this step's scalars to their running means; returns what ``train_step``
        returns."""
        for tracker in self.trackers:
            if tracker.name in values:
                tracker.update_state(values[tracker.name])
        return self.step_logs()

    @property
    def metrics(self):
        return list(self.trackers)

    # ------------------------------------------------------------------ fit

    def prepare_dataset(self, x, y=None, batch_size=None):
        """Validate the data and return a batched ``tf.data.Dataset`` for ``fit``."""
        raise NotImplementedError

    def prepare(self, x, y=None, batch_size=None):
        """:meth:`prepare_dataset` once: ``fit`` takes what this returns without checking it
        again, so ``ganzoo.train`` can validate the data before it writes anything."""
        if getattr(x, "_ganzoo_prepared", False):
            return x
        dataset = self.prepare_dataset(x, y, batch_size)
        dataset._ganzoo_prepared = True
        return dataset

    def fit(self, x=None, y=None, batch_size=None, epochs=None, **kwargs):
        """Train on a ``tf.data.Dataset`` or NumPy arrays.

        Data is validated (shapes, value ranges, labels) before training starts
        (:meth:`prepare_dataset`), converted to float32 [-1, 1] once in the input
        pipeline, and batched with ``training.batch_size`` when it is not batched
        already. ``epochs`` defaults to the config's ``training.epochs`` (the
        recipe of the zoo config). With a ``keras.callbacks.BackupAndRestore`` among
        the callbacks, an interrupted call resumes from its checkpoint and ends with
        exactly the planned epochs and steps.

        Args:
            x: a dataset, or an array of images (or of inputs, for translation models).
            y: labels (or targets) when ``x`` is an array.
            batch_size: overrides ``training.batch_size`` for unbatched data.
            epochs: number of epochs; default ``training.epochs``.
            **kwargs: passed to ``keras.Model.fit`` (``callbacks``, ``verbose``...).

        Returns:
            The Keras ``History``.
        """
        cfg = self.config
        dataset = self.prepare(x, y, batch_size)
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
        except tf.errors.InvalidArgumentError as e:
            from ganzoo.data import data_error_from

            error = data_error_from(e)
            if error is None:
                raise
            raise error from None
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
    restored = getattr(backup, "restored", None) is not None or (
        not hasattr(backup, "restored")
        and os.path.exists(os.path.join(backup.backup_dir, "latest.weights.h5")))
    record = None
    if restored and os.path.exists(path):
        from ganzoo.files import read_json

        record = read_json(path, "checkpoint record")
    if record is None or record.get("steps_per_epoch") != steps:
        record = {"start_step": model.train_steps, "steps_per_epoch": steps}
        from ganzoo.files import write_json

        write_json(path, record)
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


def replicas_in_sync():
    """Replicas of the current ``tf.distribute`` strategy (1 without one)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def _multi_worker():
    """True under a MultiWorkerMirroredStrategy that spans more than one worker."""
    strategy = tf.distribute.get_strategy()
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return False
    in_multi_worker_mode = getattr(strategy.extended, "_in_multi_worker_mode", None)
    return bool(in_multi_worker_mode()) if in_multi_worker_mode else True


def _divide(gradient, n):
    """``gradient / n``, for dense gradients and the ``IndexedSlices`` of embedding lookups."""
    if isinstance(gradient, tf.IndexedSlices):
        return tf.IndexedSlices(gradient.values / n, gradient.indices, gradient.dense_shape)
    return gradient / n
