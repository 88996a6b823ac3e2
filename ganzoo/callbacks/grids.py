"""Sample grids: a PNG of samples from fixed noise (or fixed example inputs) as training goes."""

import os

import keras
import numpy as np

from ganzoo import images as images_lib
from ganzoo.callbacks.monitoring import write_summary
from ganzoo.models.translation import Translator


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
        if isinstance(self.model, Translator):
            if self.examples is None:
                raise ValueError("SampleGrid for an image-to-image model needs examples=(a, b): "
                                 "a few input images and their targets (or B images).")
            return
        self.labels, self.ncols = sample_layout(self.model, self.n)
        n = self.n if self.labels is None else len(self.labels)
        self.z = self.model.latent_numpy(n, self.seed)

    def _samples(self):
        if isinstance(self.model, Translator):
            samples, self.ncols = self.model.sample_panel(*self.examples)
            return samples
        return self.model.generate(z=self.z, labels=self.labels)

    def _write(self, name, step=None):
        samples = self._samples()
        path = images_lib.save_samples(samples, os.path.join(self.directory, name),
                                       ncols=self.ncols, scale=self.scale)
        if self.log_dir and step is not None and samples.ndim == 4:
            grid = images_lib.make_grid(samples, self.ncols)
            write_summary(self.log_dir, "image", "samples", grid[None], step)
        return path

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._write(f"epoch_{epoch + 1:03d}.png", step=epoch + 1)

    def on_train_end(self, logs=None):
        self._write("final.png")


def sample_layout(model, n):
    """``(labels, ncols)`` for a grid of about ``n`` samples: one row per class if conditional."""
    classes = getattr(model, "num_classes", None)
    if not classes:
        return None, None
    per_row = max(1, n // classes)
    return np.repeat(np.arange(classes, dtype=np.int32), per_row), per_row
