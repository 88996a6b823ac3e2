"""Checkpoints that are never half-written (Keras' BackupAndRestore, made safe)."""

import json
import os
import sys

import keras
import numpy as np

from ganzoo.callbacks.guard import is_finite_state, training_state



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
