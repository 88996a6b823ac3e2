"""Training time across resumed pieces."""

import json
import os
import time

import keras


class TrainingClock(keras.callbacks.Callback):
    """Wall time of training across resumed pieces: the seconds of completed epochs are kept in
    ``folder/elapsed.json`` beside the checkpoints, so a run split into several sessions
    records its whole training time.

    Args:
        folder: where ``elapsed.json`` lives (the checkpoint folder); ``None`` keeps nothing.
        save_on_epoch_end: write ``elapsed.json`` after every epoch. Pass ``False`` and call
            :meth:`save` when each checkpoint is written instead, so the recorded time always
            belongs to the state a resumed piece starts from (what ``ganzoo.train`` does).

    Example:

    ```python
    clock = ganzoo.callbacks.TrainingClock("runs/x/backup")
    gan.fit(data, callbacks=[clock])
    clock.seconds()
    ```
    """

    def __init__(self, folder=None, save_on_epoch_end=True):
        super().__init__()
        self.path = os.path.join(folder, "elapsed.json") if folder else None
        self.save_on_epoch_end = save_on_epoch_end
        self.before = 0.0
        if self.path and os.path.isfile(self.path):
            with open(self.path) as f:
                self.before = float(json.load(f)["seconds"])
        self.start = time.perf_counter()

    def seconds(self):
        """Seconds of training so far, earlier pieces included."""
        return self.before + time.perf_counter() - self.start

    def save(self, **extra):
        """Record the training time so far (and ``extra`` keys) in ``elapsed.json``."""
        if self.path:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"seconds": self.seconds(), **extra}, f)
            os.replace(tmp, self.path)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_on_epoch_end:
            self.save(epochs_done=epoch + 1)


class TimeBudget(keras.callbacks.Callback):
    """Stop ``fit`` once ``minutes`` of wall time have passed (checked after every step): a
    training budget, e.g. ``ganzoo reproduce --budget-minutes`` or ``ganzoo train --minutes``.

    Args:
        minutes: the budget.
        clock: a :class:`TrainingClock` whose time counts against the budget, earlier
            resumed pieces included (default: the time since this ``fit`` began).

    Example:

    ```python
    gan.fit(data, epochs=100, callbacks=[ganzoo.callbacks.TimeBudget(10)])
    ```
    """

    def __init__(self, minutes, clock=None):
        super().__init__()
        if not minutes > 0:
            raise ValueError(f"The time budget must be positive, got {minutes} minutes.")
        self.seconds = float(minutes) * 60
        self.clock = clock
        self.start = None
        self.stopped = False

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def elapsed(self):
        """Seconds counted against the budget so far."""
        if self.clock is not None:
            return self.clock.seconds()
        return time.perf_counter() - self.start

    def on_train_batch_end(self, batch, logs=None):
        if self.elapsed() >= self.seconds:
            self.model.stop_training = True
            self.stopped = True
