"""Keras callbacks for watching a GAN train: sample grids, loss curves, IS and FID.

:class:`InceptionScore` and :class:`FID` add their values to the epoch's logs, so they appear in
``fit``'s History (on the epochs they run), in :class:`LossCurves` and in a
``keras.callbacks.TensorBoard`` placed *after* them in the callbacks list; with ``log_dir=`` they
also write TensorBoard scalars themselves.
"""

import json
import os
import sys
import warnings

import keras
import numpy as np

from ganzoo import images as images_lib
from ganzoo import losses


class SampleGrid(keras.callbacks.Callback):
    """Write a PNG of samples from fixed noise after every ``every`` epochs.

    The same latent vectors are used each time, so the grids show how the
    generator's mapping evolves. Conditional models get one row per class.
    Vector data (2-D points) is drawn as a scatter plot. Files are
    ``<directory>/epoch_001.png``... and ``<directory>/final.png`` when
    training ends.

    Args:
        directory: where the PNGs go (created if missing).
        n: number of samples (images: rounded to whole class rows for
            conditional models; points: 2,500 is a good choice).
        seed: seed of the fixed noise.
        every: write every this many epochs.
        scale: enlarge image grids by this integer factor.
        log_dir: also log each grid as a TensorBoard image (``samples``) in this directory.
        examples: for image-to-image models, fixed ``(a, b)`` example images; the grid shows
            input | output | target rows (pix2pix) or A -> B -> A' rows (CycleGAN).

    Example:

    ```python
    gan.fit(ds, epochs=10, callbacks=[ganzoo.callbacks.SampleGrid("samples")])
    ```
    """

    def __init__(self, directory, n=64, seed=0, every=1, scale=2, log_dir=None, examples=None):
        super().__init__()
        self.directory, self.n, self.seed, self.every, self.scale = directory, n, seed, every, scale
        self.log_dir, self.examples = log_dir, examples
        self.z = self.labels = self.ncols = None

    def on_train_begin(self, logs=None):
        os.makedirs(self.directory, exist_ok=True)
        if _is_translator(self.model):
            if self.examples is None:
                raise ValueError("SampleGrid for an image-to-image model needs examples=(a, b): "
                                 "a few input images and their targets (or B images).")
            return
        self.labels, self.ncols = sample_layout(self.model, self.n)
        n = self.n if self.labels is None else len(self.labels)
        self.z = self.model.latent_numpy(n, self.seed)

    def _samples(self):
        if _is_translator(self.model):
            samples, self.ncols = self.model.sample_panel(*self.examples)
            return samples
        return self.model.generate(z=self.z, labels=self.labels)

    def _write(self, name, step=None):
        samples = self._samples()
        path = images_lib.save_samples(samples, os.path.join(self.directory, name),
                                       ncols=self.ncols, scale=self.scale)
        if self.log_dir and step is not None and samples.ndim == 4:
            grid = images_lib.make_grid(samples, self.ncols)
            _summary(self.log_dir, "image", "samples", grid[None], step)
        return path

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._write(f"epoch_{epoch + 1:03d}.png", step=epoch + 1)

    def on_train_end(self, logs=None):
        self._write("final.png")


def _is_translator(model):
    from ganzoo.models.translation import Translator

    return isinstance(model, Translator)


_WRITERS = {}


def _summary(log_dir, kind, name, value, step):
    """Write one TensorBoard scalar or image to ``log_dir`` (one writer per directory)."""
    import tensorflow as tf

    writer = _WRITERS.get(log_dir)
    if writer is None:
        writer = _WRITERS[log_dir] = tf.summary.create_file_writer(log_dir)
    with writer.as_default(step=int(step)):
        if kind == "image":
            tf.summary.image(name, value)
        else:
            tf.summary.scalar(name, value)
    writer.flush()


class _EveryN(keras.callbacks.Callback):
    """Base of the metric callbacks: run :meth:`compute` every ``every`` epochs and log it."""

    def __init__(self, every, log_dir):
        super().__init__()
        if int(every) < 1:
            raise ValueError(f"every must be a positive number of epochs, got {every}.")
        self.every, self.log_dir = int(every), log_dir

    def _samples(self, n, seed):
        labels = None
        if getattr(self.model, "num_classes", None):  # every class equally often
            labels = np.arange(n, dtype=np.int32) % self.model.num_classes
        return self.model.generate(n, seed=seed, labels=labels)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        values = self.compute()
        if logs is not None:
            logs.update(values)
        if self.log_dir:
            for key, value in values.items():
                _summary(self.log_dir, "scalar", key, value, epoch + 1)


class InceptionScore(_EveryN):
    """Log the Inception Score of ``n`` fresh samples every ``every`` epochs.

    Adds ``inception_score`` and ``inception_score_std`` to the epoch's logs (see
    :func:`ganzoo.metrics.inception_score`). Conditional models are sampled with every class
    equally often.

    Args:
        every: epochs between scores.
        n: samples per score.
        classifier: a :class:`ganzoo.classifiers.Judge` or Keras classifier; ``None`` uses the
            default for the model's image size (the shipped MNIST classifier for 28x28x1).
        splits: IS splits.
        seed: seed of the samples (the same noise every time).
        log_dir: also write TensorBoard scalars here.

    Example:

    ```python
    gan.fit(ds, callbacks=[ganzoo.callbacks.InceptionScore(every=5, n=5000)])
    ```
    """

    def __init__(self, every=1, n=5000, classifier=None, splits=10, seed=0, log_dir=None):
        super().__init__(every, log_dir)
        self.n, self.classifier, self.splits, self.seed = int(n), classifier, splits, seed
        self._judge = None

    def compute(self):
        from ganzoo import classifiers, metrics

        if self._judge is None:
            self._judge = classifiers.as_judge(self.classifier, self.model.data_shape)
        probs = self._judge.probs(self._samples(self.n, self.seed))
        mean, std = metrics.inception_score(probs, splits=self.splits)
        return {"inception_score": mean, "inception_score_std": std}


class FID(_EveryN):
    """Log the Fréchet distance of ``n`` fresh samples to reference images every ``every`` epochs.

    The reference's features are computed once, when training begins. Adds ``fid`` to the
    epoch's logs (see :func:`ganzoo.metrics.fid`).

    Args:
        reference: real images (array, uint8 or [-1, 1]), or a dataset name or path that
            :func:`ganzoo.datasets.load_arrays` reads (e.g. ``"digits"``).
        every: epochs between scores.
        n: generated samples per score (and at most this many reference images).
        extractor: a :class:`ganzoo.classifiers.Judge` or Keras model; ``None`` uses the default
            for the image size.
        seed: seed of the samples.
        log_dir: also write TensorBoard scalars here.

    Example:

    ```python
    gan.fit(ds, callbacks=[ganzoo.callbacks.FID(reference="digits", every=5)])
    ```
    """

    def __init__(self, reference, every=1, n=5000, extractor=None, seed=0, log_dir=None):
        super().__init__(every, log_dir)
        self.reference, self.n, self.extractor, self.seed = reference, int(n), extractor, seed
        self._judge = self._stats = None

    def on_train_begin(self, logs=None):
        from ganzoo import classifiers, datasets, metrics

        ref = self.reference
        if isinstance(ref, (str, os.PathLike)):
            ref = datasets.load_arrays(ref, split="train")[0]
        ref = np.asarray(ref)[:self.n]
        if tuple(ref.shape[1:]) != tuple(self.model.data_shape):
            raise ValueError(f"FID reference images are {tuple(ref.shape[1:])} but the model "
                             f"makes {tuple(self.model.data_shape)}; pass references of the "
                             "model's size.")
        self._judge = classifiers.as_judge(self.extractor, self.model.data_shape)
        self._stats = metrics.feature_statistics(self._judge.features(ref))

    def compute(self):
        from ganzoo import metrics

        feats = self._judge.features(self._samples(self.n, self.seed))
        return {"fid": metrics.frechet_distance_from_statistics(
            *metrics.feature_statistics(feats), *self._stats)}


def sample_layout(model, n):
    """``(labels, ncols)`` for a grid of about ``n`` samples: one row per class if conditional."""
    classes = getattr(model, "num_classes", None)
    if not classes:
        return None, None
    per_row = max(1, n // classes)
    return np.repeat(np.arange(classes, dtype=np.int32), per_row), per_row


class LinearDecay(keras.callbacks.Callback):
    """Hold both learning rates, then decay them linearly to 0 by the end of ``fit``.

    The schedule of CycleGAN (Zhu et al. 2017, §4: constant for the first
    half, linear decay to zero over the second; ``start=0.5``) and of the
    WGAN-GP authors' released training code (``start=0``). Applies to the
    generator's and the discriminator's optimizers alike. ``fit`` adds it
    when the config sets ``training.linear_decay_from``.

    The position is read from the model's training-step counter (its discriminator
    optimizer's iterations), so a run resumed from a checkpoint continues the schedule
    where it stopped.

    Args:
        start: fraction of the training steps after which decay begins.
        total_steps: steps of the whole schedule; default: this ``fit`` call's
            steps (``steps per epoch * epochs``).
        start_step: the step count at which the schedule began; default: the
            count when this ``fit`` call starts.

    Example:

    ```python
    gan.fit(ds, epochs=200, callbacks=[ganzoo.callbacks.LinearDecay(start=0.5)])
    ```
    """

    def __init__(self, start=0.5, total_steps=None, start_step=None):
        super().__init__()
        if not 0.0 <= start < 1.0:
            raise ValueError(f"start must be in [0, 1), got {start}.")
        self.start = start
        self.base = None
        self.total, self.start_step = total_steps, start_step

    def _optimizers(self):
        return [o for o in (self.model.g_optimizer, self.model.d_optimizer) if o is not None]

    def on_train_begin(self, logs=None):
        if self.total is None:
            steps, epochs = self.params.get("steps"), self.params.get("epochs")
            if not steps:
                raise ValueError("LinearDecay needs to know the number of steps per epoch; use "
                                 "a dataset of known size or pass steps_per_epoch to fit.")
            self.total = steps * epochs
        if self.start_step is None:
            self.start_step = self.model.train_steps
        self.base = [float(keras.ops.convert_to_numpy(o.learning_rate)) for o in self._optimizers()]

    def factor(self, step):
        """Learning-rate multiplier at a given step of this ``fit`` call."""
        begin = self.start * self.total
        if step <= begin:
            return 1.0
        return max(0.0, (self.total - step) / (self.total - begin))

    def on_train_batch_begin(self, batch, logs=None):
        f = self.factor(self.model.train_steps - self.start_step)
        for opt, base in zip(self._optimizers(), self.base):
            opt.learning_rate = base * f

    def on_train_end(self, logs=None):
        for opt, base in zip(self._optimizers(), self.base):  # leave the model as configured
            opt.learning_rate = base


class LossCurves(keras.callbacks.Callback):
    """Record every logged metric per epoch and redraw a PNG of the curves after each epoch.

    Also writes the numbers as JSON (``history_path``) so nothing is lost if
    training is interrupted. Entries are indexed by epoch number, so a resumed
    run (``resume=True``) continues the curves of the interrupted one.

    Args:
        path: the PNG to write (e.g. ``run/losses.png``).
        history_path: optional JSON file for the per-epoch values.
        resume: start from the values already in ``history_path``.
    """

    def __init__(self, path, history_path=None, resume=False):
        super().__init__()
        self.path, self.history_path, self.resume = path, history_path, resume
        self.history = {}

    def on_train_begin(self, logs=None):
        if self.resume and self.history_path and os.path.exists(self.history_path):
            from ganzoo.files import read_json

            self.history = read_json(self.history_path, "loss history")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for key in list(self.history) + [k for k in logs if k not in self.history]:
            values = self.history.setdefault(key, [])
            del values[epoch:]                              # a resumed epoch replaces its entry
            values.extend([None] * (epoch - len(values)))   # metrics logged every N epochs
            values.append(float(logs[key]) if key in logs else None)
        if self.history_path:
            from ganzoo.files import write_json

            write_json(self.history_path, self.history)
        plot_history(self.history, self.path)


#: keys plotted on the sample-quality panel of :func:`plot_history`
QUALITY_KEYS = ("inception_score", "fid", "kid")


def plot_history(history, path):
    """Plot ``{metric: [value per epoch]}`` to a PNG, one panel each for losses, sample quality
    (IS, FID) and the rest (discriminator outputs, accuracies). ``None`` marks epochs without
    a value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def group(key):
        if "loss" in key:
            return "losses"
        if key.startswith(QUALITY_KEYS) and not key.endswith("_std"):
            return "sample quality"
        return None if key.endswith("_std") else "discriminator outputs and other metrics"

    panels = {}
    for key, values in history.items():
        if group(key):
            panels.setdefault(group(key), {})[key] = values
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.6), squeeze=False)
    for ax, (title, panel) in zip(axes[0], panels.items()):
        for key, values in panel.items():
            y = np.array([np.nan if v is None else v for v in values], float)
            x = np.arange(1, len(y) + 1)
            keep = ~np.isnan(y)
            ax.plot(x[keep], y[keep], marker="." if keep.sum() < 40 else None, label=key)
        ax.set_xlabel("epoch")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    from ganzoo.files import atomic_path

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=100)
    finally:
        plt.close(fig)
    return path


#: :class:`DivergenceGuard` warns once when a logged loss's magnitude passes this. Healthy runs
#: of every zoo config stay below 100 (cross-entropy and hinge are O(1), WGAN critics O(10-100),
#: least squares O(1)); CycleGAN at learning rate 10 reaches 6e8 before it turns NaN.
LOSS_BOUND = 1e4


def training_state(model):
    """Every variable a training step changes: the weights of every network in
    ``model.networks()`` (EMA copies included), other model state (CycleGAN's image pools) and
    both optimizers' variables."""
    variables, seen = [], set()

    def add(vs):
        for v in vs:
            if id(v) not in seen:
                seen.add(id(v))
                variables.append(v)

    for net in model.networks().values():
        add(net.weights)
    add(model.weights)
    for opt in (model.g_optimizer, model.d_optimizer):
        if opt is not None:
            add(opt.variables)
    return variables


def is_finite_state(model):
    """True when every float variable of :func:`training_state` is finite."""
    return all(np.isfinite(v).all() for v in (np.asarray(x.numpy()) for x in training_state(model))
               if v.dtype.kind == "f")


class DivergenceGuard(keras.callbacks.Callback):
    """Stop on NaN/Inf, restore the last good weights, and warn about signs of collapse.

    - After every step it checks the logged losses; every ``every`` steps it checks that all
      weights are finite and, if they are, keeps them (every network in ``model.networks()``,
      EMA copies included, and both optimizers) as the last good state, in memory and in
      ``checkpoint`` if given. A non-finite state is never kept. On a NaN or infinite loss
      or weight it stops training, puts the last good state back into the model and says what
      happened (``self.diverged`` holds the details).
    - Discriminator winning: with a cross-entropy loss, D(x) above ``d_real_high`` and D(G(z))
      below ``d_fake_low`` (the logged running means ``d_real``/``d_fake``) for ``patience``
      steps in a row gives one warning: the generator is getting almost no gradient.
    - Runaway losses: a logged loss beyond ``loss_bound`` in magnitude gives one warning.
    - Diversity: after each epoch, the mean distance between samples from ``n`` fixed noise
      vectors; a fall below ``diversity_drop`` times its best value gives one warning (samples
      are becoming alike: mode collapse).

    Args:
        every: steps between weight checks and good-state snapshots.
        checkpoint: optional ``.weights.h5`` path for the last good state.
        patience: consecutive steps of a winning discriminator before warning.
        d_real_high, d_fake_low: thresholds of that warning.
        diversity_drop: fraction of the best diversity below which to warn.
        n: samples for the diversity measure.
        loss_bound: magnitude of a logged loss that gives the runaway-loss warning
            (:data:`LOSS_BOUND`).

    Example:

    ```python
    gan.fit(ds, callbacks=[ganzoo.callbacks.DivergenceGuard(every=100)])
    ```
    """

    def __init__(self, every=100, checkpoint=None, patience=200, d_real_high=0.99,
                 d_fake_low=0.01, diversity_drop=0.5, n=128, loss_bound=LOSS_BOUND):
        super().__init__()
        self.loss_bound = float(loss_bound)
        if int(every) < 1:
            raise ValueError(f"every must be a positive number of steps, got {every}.")
        self.every, self.checkpoint, self.patience = int(every), checkpoint, int(patience)
        self.d_real_high, self.d_fake_low = d_real_high, d_fake_low
        self.diversity_drop, self.n = diversity_drop, int(n)
        self.diverged = None
        self.warnings = []
        self._good = self._good_step = None
        self._checked = 0  # step of the last weight check (on_train_begin sets it)
        self._winning = 0
        self._best_diversity = None
        self._z = None
        self._warned = set()

    # ---------------------------------------------------------------- state

    def _state(self):
        return training_state(self.model)

    def _snapshot(self, step):
        values = [np.asarray(v.numpy()) for v in self._state()]
        if not all(np.isfinite(v).all() for v in values if v.dtype.kind == "f"):
            return False
        self._good, self._good_step = values, step
        if self.checkpoint:
            from ganzoo.files import atomic_path

            with atomic_path(self.checkpoint) as tmp:
                self.model.save_weights(tmp)
        return True

    def on_train_begin(self, logs=None):
        self.diverged = None
        self._checked = self.model.train_steps
        if not self._snapshot(self._checked):
            self._good = self._good_step = None

    # ---------------------------------------------------------------- checks

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        step = self.model.train_steps
        bad = [k for k, v in logs.items() if not np.isfinite(np.asarray(v, dtype=float)).all()]
        if not bad:
            self._check_loss_bound(logs, step)
        # steps since the last check, not step % every: with steps_per_execution > 1 Keras
        # calls back every N steps, which may never land on a multiple of `every`
        if not bad and step - self._checked >= self.every:
            self._checked = step
            if not self._snapshot(step):
                bad = ["weights"]
        if bad:
            return self._stop(step, bad)
        self._check_winning(logs, step)

    def _stop(self, step, bad):
        what = ", ".join(bad)
        if self._good is not None:
            for v, value in zip(self._state(), self._good):
                v.assign(value)
            outcome = f"Stopped and restored the last good weights (step {self._good_step})."
        else:
            outcome = ("Stopped; no finite state was ever seen (not even the starting one), so "
                       "there is nothing to restore.")
        self.diverged = {"step": step, "non_finite": bad, "restored_step": self._good_step}
        message = (f"ganzoo: training diverged at step {step}: {what} became NaN or infinite. "
                   f"{outcome} Try a lower learning rate, gradient penalty instead of clipping, "
                   "or check the data.")
        print(message, file=sys.stderr)
        self.model.stop_training = True

    def _check_loss_bound(self, logs, step):
        big = {k: float(np.max(np.abs(np.asarray(v, dtype=float)))) for k, v in logs.items()
               if "loss" in k}
        big = {k: v for k, v in big.items() if v > self.loss_bound}
        if big:
            key, value = max(big.items(), key=lambda kv: kv[1])
            self._warn("loss_bound", f"{key} reached {value:.3g} at step {step}, beyond "
                       f"{self.loss_bound:g}: training is probably diverging (least-squares and "
                       "Wasserstein losses grow without bound before they become NaN). Try a "
                       "lower learning rate.")

    def _check_winning(self, logs, step):
        if getattr(self.model, "loss_name", None) not in losses.CROSS_ENTROPY:
            return  # critic values, not probabilities
        if "d_real" not in logs or "d_fake" not in logs:
            return
        if float(logs["d_real"]) > self.d_real_high and float(logs["d_fake"]) < self.d_fake_low:
            self._winning += 1
        else:
            self._winning = 0
        if self._winning == self.patience:
            self._warn("winning", f"the discriminator has been winning for {self.patience} "
                       f"steps (D(x) > {self.d_real_high}, D(G(z)) < {self.d_fake_low}) at step "
                       f"{step}: the "
                       "generator gets almost no gradient. Try label smoothing (loss.real_label "
                       "0.9), a lower discriminator learning rate or more generator capacity.")

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged is not None or not getattr(self.model, "is_image", True) \
                or _is_translator(self.model):
            return  # vectors, or image-to-image models (their samples follow their inputs)
        if self._z is None:
            self._z = self.model.latent_numpy(self.n, seed=12345)
        labels = None
        if getattr(self.model, "num_classes", None):
            labels = np.arange(self.n, dtype=np.int32) % self.model.num_classes
        samples = np.asarray(self.model.generate(z=self._z, labels=labels)).reshape(self.n, -1)
        from ganzoo import metrics

        d = metrics.pairwise_distances(samples, samples)
        diversity = float(d[np.triu_indices(self.n, 1)].mean())
        if logs is not None:
            logs["sample_diversity"] = diversity
        if self._best_diversity is None or diversity > self._best_diversity:
            self._best_diversity = diversity
        elif diversity < self.diversity_drop * self._best_diversity:
            share = diversity / self._best_diversity
            self._warn("diversity", f"sample diversity fell to {share:.0%} of its "
                       f"best after epoch {epoch + 1}: samples from different noise are becoming "
                       "alike (mode collapse). Look at the sample grids.")

    def _warn(self, kind, message):
        if kind in self._warned:
            return  # once per kind and fit
        self._warned.add(kind)
        self.warnings.append(message)
        warnings.warn(message, stacklevel=2)


#: the checkpoint files :class:`Checkpoint` keeps: the newest and the one before it
LATEST_CHECKPOINT, PREVIOUS_CHECKPOINT = "latest.weights.h5", "previous.weights.h5"


class Checkpoint(keras.callbacks.BackupAndRestore):
    """Keras' ``BackupAndRestore`` with checkpoints that are never half-written.

    Every ``save_freq`` steps the whole training state (every network, both optimizers) is
    written to a temporary file and renamed into place, after the previous checkpoint has been
    renamed to ``previous.weights.h5``: a kill or a full disk at any moment leaves at least
    one complete checkpoint. Only finite states are saved. Free space is checked before
    writing; a write that fails anyway stops training with a
    :class:`~ganzoo.errors.WriteError` naming the file (HDF5 cannot be trusted to write again
    in a process where a write failed: it segfaults). Resuming falls back to the previous
    checkpoint when the latest is unreadable, and says so clearly when both are.

    Args:
        backup_dir: the checkpoint folder.
        save_freq: steps between checkpoints.
        on_saved: optional function called with this callback after each checkpoint.
        delete_checkpoint: remove the folder when training ends (``ganzoo.train`` keeps it
            until the final ``model.keras`` is in place).

    Example:

    ```python
    gan.fit(ds, epochs=20, callbacks=[ganzoo.callbacks.Checkpoint("run/backup", save_freq=100)])
    ```
    """

    def __init__(self, backup_dir, save_freq=100, on_saved=None, delete_checkpoint=True):
        super().__init__(backup_dir, save_freq=save_freq, double_checkpoint=True,
                         delete_checkpoint=delete_checkpoint)
        # Keras names the previous generation latest.weights.h5.bkp, which its own
        # load_weights refuses (it wants a .weights.h5 ending): a fallback that cannot work.
        self._prev_weights_path = os.path.join(backup_dir, PREVIOUS_CHECKPOINT)
        self._prev_training_metadata_path = os.path.join(backup_dir,
                                                         "previous_training_metadata.json")
        self.on_saved = on_saved
        self.saved_step = None   # training step of the newest checkpoint written by this callback
        self.restored = None     # path of the checkpoint restored by on_train_begin, if any

    def _save_model(self):
        from ganzoo import files

        if not is_finite_state(self.model):
            return  # the guard stops the run; a NaN state is never a checkpoint
        os.makedirs(self.backup_dir, exist_ok=True)
        needed = 2 * sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize
                         for v in training_state(self.model))
        free = shutil_disk_free(self.backup_dir)
        if free is not None and free < needed + (1 << 20):
            import errno

            raise files.write_error(self._weights_path, OSError(errno.ENOSPC, "disk full"))
        pairs = ((self._weights_path, self._prev_weights_path),
                 (self._training_metadata_path, self._prev_training_metadata_path))
        tmps = [files.temporary_name(p) for p, _ in pairs]
        try:
            self.model.save_weights(tmps[0])
            with open(tmps[1], "w", encoding="utf-8") as f:
                json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, f)
            for tmp in tmps:
                files.fsync(tmp)
        except BaseException as e:
            for tmp in tmps:
                files.remove(tmp)
            if isinstance(e, OSError):
                raise files.write_error(self._weights_path, e) from e
            raise
        for (path, previous), tmp in zip(pairs, tmps):
            if os.path.exists(path):
                os.replace(path, previous)
            os.replace(tmp, path)
        self.saved_step = self.model.train_steps
        if self.on_saved is not None:
            self.on_saved(self)

    def on_train_begin(self, logs=None):
        from ganzoo import files
        from ganzoo.errors import RunError

        if os.path.isdir(self.backup_dir):  # temporaries of a killed save
            for name in os.listdir(self.backup_dir):
                if name.startswith(files.TMP_PREFIX):
                    files.remove(os.path.join(self.backup_dir, name))
        failures = []
        for path in (self._weights_path, self._prev_weights_path):
            if not os.path.exists(path):
                continue
            try:
                self.model.load_weights(path)
            except Exception as e:  # h5py and Keras raise many types for a damaged file
                failures.append(f"{os.path.basename(path)}: {str(e).splitlines()[0][:120]}")
                continue
            self.restored = path
            if failures:
                print(f"ganzoo: the latest checkpoint is unreadable ({failures[0]}); resumed from "
                      f"the previous one, {path}.", file=sys.stderr)
            return
        if failures:
            raise RunError(f"Both checkpoints in {self.backup_dir!r} are unreadable "
                           f"({'; '.join(failures)}); this run cannot be resumed. Start it again "
                           "with --force (or choose another --out).")


def shutil_disk_free(folder):
    """Free bytes on ``folder``'s file system, or ``None`` when it cannot be told."""
    import shutil

    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
