"""Watching a run: loss curves, Inception Score and FID every few epochs, TensorBoard scalars.

:class:`InceptionScore` and :class:`FID` add their values to the epoch's logs, so they appear in
``fit``'s History (on the epochs they run), in :class:`LossCurves` and in a
``keras.callbacks.TensorBoard`` placed *after* them in the callbacks list; with ``log_dir=`` they
also write TensorBoard scalars themselves.
"""

import os

import keras
import numpy as np

from ganzoo import images as images_lib

_WRITERS = {}


def write_summary(log_dir, kind, name, value, step):
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
        #: how the numbers are measured (judge, weights hash, sample counts, real split, seed,
        #: resize), set when training begins; also ``protocol_<metric>.json`` in ``log_dir``
        self.protocol = None

    def _record_protocol(self, metric, judge, **fields):
        self.protocol = {"metric": metric, "judge": judge.name,
                         "judge_sha256": getattr(judge, "record", {}).get("weights_sha256"),
                         "resize": getattr(judge, "resize", None), "every": self.every,
                         **fields}
        if self.log_dir:
            from ganzoo.files import write_json

            os.makedirs(self.log_dir, exist_ok=True)
            write_json(os.path.join(self.log_dir, f"protocol_{metric}.json"), self.protocol)

    def _samples(self, n, seed):
        return self.model.generate(n, seed=seed)  # conditional models: every class equally often

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        values = self.compute()
        if logs is not None:
            logs.update(values)
        if self.log_dir:
            for key, value in values.items():
                write_summary(self.log_dir, "scalar", key, value, epoch + 1)


class InceptionScore(_EveryN):
    """Log the Inception Score of ``n`` fresh samples every ``every`` epochs.

    Adds ``inception_score`` and ``inception_score_std`` to the epoch's logs (see
    :func:`ganzoo.metrics.inception_score`). Conditional models are sampled with every class
    equally often.

    Args:
        every: epochs between scores.
        n: samples per score.
        judge: a shipped judge's name (``"mnist"``), a judge folder, a
            :class:`ganzoo.classifiers.Judge` or a Keras classifier; ``None`` uses the shipped
            judge of ``dataset`` (an error for data no shipped judge knows).
        dataset: the name or path of the training data, to pick the judge when ``judge`` is
            ``None`` (``"digits"`` and MNIST get ``"mnist"``).
        splits: IS splits.
        seed: seed of the samples (the same noise every time).
        log_dir: also write TensorBoard scalars here.

    Example:

    ```python
    gan.fit(ds, callbacks=[ganzoo.callbacks.InceptionScore(every=5, n=5000, judge="mnist")])
    ```
    """

    def __init__(self, every=1, n=5000, judge=None, dataset=None, splits=10, seed=0,
                 log_dir=None):
        super().__init__(every, log_dir)
        self.n, self.judge, self.dataset, self.splits, self.seed = int(n), judge, dataset, \
            splits, seed
        self._judge = None

    def on_train_begin(self, logs=None):
        from ganzoo import judges

        self._judge = judges.resolve(self.judge, self.dataset, self.model.data_shape)
        self._record_protocol("inception_score", self._judge, generated=self.n,
                              splits=self.splits, seed=self.seed)

    def compute(self):
        from ganzoo import metrics

        probs = self._judge.probs(self._samples(self.n, self.seed))
        mean, std = metrics.inception_score(probs, splits=self.splits)
        return {"inception_score": mean, "inception_score_std": std}


class FID(_EveryN):
    """Log the Fréchet distance of ``n`` fresh samples to reference images every ``every`` epochs.

    The reference's statistics are computed once, when training begins (or read from the shipped
    ones: ``reference="mnist"`` or ``"cifar10"`` with that shipped judge needs no real images),
    and each evaluation is one pass of the judge's compiled forward function over the samples.
    Adds ``fid`` to the epoch's logs (see :func:`ganzoo.metrics.fid`).

    Args:
        reference: real images (array, uint8 or [-1, 1]), or a dataset name or path that
            :func:`ganzoo.datasets.load_arrays` reads (e.g. ``"digits"``); ``"mnist"`` and
            ``"cifar10"`` use the shipped statistics of their train splits.
        every: epochs between scores.
        n: generated samples per score (and at most this many reference images).
        judge: as for :class:`InceptionScore`; ``None`` uses the shipped judge of
            ``reference`` when it is that judge's dataset by name, else an error.
        seed: seed of the samples.
        log_dir: also write TensorBoard scalars here.

    Example:

    ```python
    gan.fit(ds, callbacks=[ganzoo.callbacks.FID(reference="digits", every=5)])
    ```
    """

    def __init__(self, reference, every=1, n=5000, judge=None, seed=0, log_dir=None):
        super().__init__(every, log_dir)
        self.reference, self.n, self.judge, self.seed = reference, int(n), judge, seed
        self._judge = self._stats = None

    def on_train_begin(self, logs=None):
        from ganzoo import datasets, judges, metrics

        self._judge = judges.resolve(self.judge, self.reference, self.model.data_shape)
        ref = self.reference
        shipped = judges.shipped_statistics(self._judge, ref) if isinstance(ref, str) else None
        if shipped is not None:
            self._stats, real, split = shipped[:2], shipped[2], "train split, shipped statistics"
        else:
            if isinstance(ref, (str, os.PathLike)):
                ref = datasets.load_arrays(ref, split="train")[0]
            ref = np.asarray(ref)[:self.n]
            if tuple(ref.shape[1:]) != tuple(self.model.data_shape):
                raise ValueError(f"FID reference images are {tuple(ref.shape[1:])} but the "
                                 f"model makes {tuple(self.model.data_shape)}; pass references "
                                 "of the model's size.")
            self._stats = metrics.feature_statistics(self._judge.features(ref))
            real, split = len(ref), "train" if isinstance(self.reference, (str, os.PathLike)) \
                else "given array"
        self._record_protocol("fid", self._judge, generated=self.n, real=int(real),
                              real_split=split, seed=self.seed)

    def compute(self):
        from ganzoo import metrics

        feats = self._judge.features(self._samples(self.n, self.seed))
        metrics.warn_few_samples(len(feats), feats.shape[1])
        return {"fid": metrics.frechet_distance_from_statistics(
            *metrics.feature_statistics(feats), *self._stats)}


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
        images_lib.plot_history(self.history, self.path)
