"""Learning-rate schedules of the papers, as callbacks."""

import keras



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
