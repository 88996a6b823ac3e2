"""Keras callbacks for watching a GAN train: sample grids and loss curves."""

import json
import os

import keras
import numpy as np

from ganzoo import images as images_lib


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

    Example:

    ```python
    gan.fit(ds, epochs=10, callbacks=[ganzoo.callbacks.SampleGrid("samples")])
    ```
    """

    def __init__(self, directory, n=64, seed=0, every=1, scale=2):
        super().__init__()
        self.directory, self.n, self.seed, self.every, self.scale = directory, n, seed, every, scale
        self.z = self.labels = self.ncols = None

    def on_train_begin(self, logs=None):
        os.makedirs(self.directory, exist_ok=True)
        self.labels, self.ncols = sample_layout(self.model, self.n)
        n = self.n if self.labels is None else len(self.labels)
        self.z = self.model.latent_numpy(n, self.seed)

    def _write(self, name):
        samples = self.model.generate(z=self.z, labels=self.labels)
        return images_lib.save_samples(samples, os.path.join(self.directory, name),
                                       ncols=self.ncols, scale=self.scale)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._write(f"epoch_{epoch + 1:03d}.png")

    def on_train_end(self, logs=None):
        self._write("final.png")


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

    Args:
        start: fraction of the ``fit`` call's steps after which decay begins.

    Example:

    ```python
    gan.fit(ds, epochs=200, callbacks=[ganzoo.callbacks.LinearDecay(start=0.5)])
    ```
    """

    def __init__(self, start=0.5):
        super().__init__()
        if not 0.0 <= start < 1.0:
            raise ValueError(f"start must be in [0, 1), got {start}.")
        self.start = start
        self.base = self.total = None
        self.step = 0

    def _optimizers(self):
        return [o for o in (self.model.g_optimizer, self.model.d_optimizer) if o is not None]

    def on_train_begin(self, logs=None):
        steps, epochs = self.params.get("steps"), self.params.get("epochs")
        if not steps:
            raise ValueError("LinearDecay needs to know the number of steps per epoch; use a "
                             "dataset of known size or pass steps_per_epoch to fit.")
        self.total = steps * epochs
        self.step = 0
        self.base = [float(keras.ops.convert_to_numpy(o.learning_rate)) for o in self._optimizers()]

    def factor(self, step):
        """Learning-rate multiplier at a given step of this ``fit`` call."""
        begin = self.start * self.total
        if step <= begin:
            return 1.0
        return max(0.0, (self.total - step) / (self.total - begin))

    def on_train_batch_begin(self, batch, logs=None):
        f = self.factor(self.step)
        for opt, base in zip(self._optimizers(), self.base):
            opt.learning_rate = base * f
        self.step += 1

    def on_train_end(self, logs=None):
        for opt, base in zip(self._optimizers(), self.base):  # leave the model as configured
            opt.learning_rate = base


class LossCurves(keras.callbacks.Callback):
    """Record every logged metric per epoch and redraw a PNG of the curves after each epoch.

    Also writes the numbers as JSON (``history_path``) so nothing is lost if
    training is interrupted.

    Args:
        path: the PNG to write (e.g. ``run/losses.png``).
        history_path: optional JSON file for the per-epoch values.
    """

    def __init__(self, path, history_path=None):
        super().__init__()
        self.path, self.history_path = path, history_path
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if self.history_path:
            with open(self.history_path, "w", encoding="utf-8") as f:
                json.dump(self.history, f, indent=1)
        plot_history(self.history, self.path)


def plot_history(history, path):
    """Plot ``{metric: [value per epoch]}`` to a PNG: losses on one axis, D outputs on another."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    losses = {k: v for k, v in history.items() if "loss" in k}
    others = {k: v for k, v in history.items() if "loss" not in k}
    panels = [p for p in (losses, others) if p]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.6), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        for key, values in panel.items():
            ax.plot(range(1, len(values) + 1), values, marker="." if len(values) < 40 else None,
                    label=key)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0][0].set_title("losses")
    if len(panels) > 1:
        axes[0][1].set_title("discriminator outputs")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
