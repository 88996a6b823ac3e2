"""Keras callbacks for watching a GAN train: sample grids and loss curves."""

import json
import os

import keras

from ganzoo import images as images_lib


class SampleGrid(keras.callbacks.Callback):
    """Write a PNG grid of samples from fixed noise after every ``every`` epochs.

    The same latent vectors are used each time, so the grids show how the
    generator's mapping evolves. Files are ``<directory>/epoch_001.png``... and
    ``<directory>/final.png`` when training ends.

    Args:
        directory: where the PNGs go (created if missing).
        n: number of samples in the grid.
        seed: seed of the fixed noise.
        every: write every this many epochs.
        scale: enlarge the grid by this integer factor (small images are hard to see).

    Example:

    ```python
    gan.fit(ds, epochs=10, callbacks=[ganzoo.callbacks.SampleGrid("samples")])
    ```
    """

    def __init__(self, directory, n=64, seed=0, every=1, scale=2):
        super().__init__()
        self.directory, self.n, self.seed, self.every, self.scale = directory, n, seed, every, scale
        self.z = None

    def on_train_begin(self, logs=None):
        os.makedirs(self.directory, exist_ok=True)
        self.z = self.model.latent_numpy(self.n, self.seed)

    def _write(self, name):
        images = self.model.generate(z=self.z)
        return images_lib.save_grid(images, os.path.join(self.directory, name), scale=self.scale)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._write(f"epoch_{epoch + 1:03d}.png")

    def on_train_end(self, logs=None):
        self._write("final.png")


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
