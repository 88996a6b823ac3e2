"""Run folders: :func:`train` writes one, :class:`Run` opens one.

A run folder holds ``model.keras`` (written last), ``config.yaml``, ``run.json`` (model,
dataset, split, data checksum), ``history.json``, ``losses.png``, ``samples/``, ``backup/``
(checkpoints, while training) and ``evaluation/`` (from ``ganzoo evaluate``), plus the lock
file ``.ganzoo.lock``. What :func:`train` promises:

- **Checks first.** The config is resolved and the whole dataset validated before anything is
  created or replaced; then the folder is locked (one writer at a time; the lock dies with its
  process).
- **Nothing half-written.** Every file goes to a temporary name and is renamed into place; a
  checkpoint keeps its previous generation; the final ``model.keras`` is in place before the
  checkpoint is removed. A kill at any moment leaves the earlier state or the new one.
- **Nothing lost.** ``force=True`` sets the earlier run aside (``.ganzoo-previous/``) and
  deletes it only once the new run has written its first checkpoint (or its model); if the new
  run fails before that, the earlier run is put back, now or by the next command that opens
  the folder. Files ganzoo did not write are never touched.
"""

import hashlib
import os
import signal
import sys
import threading

import numpy as np

from ganzoo import files
from ganzoo.errors import GanzooError, ModelError, RunError

#: what ganzoo writes in a run folder; ``force=True`` replaces these and nothing else
RUN_FILES = ("model.keras", "config.yaml", "run.json", "history.json", "losses.png", "samples",
             "backup", "evaluation")
BACKUP_DIR = "backup"
#: an earlier run set aside by ``force=True`` until the new run has a checkpoint
PREVIOUS_DIR = ".ganzoo-previous"


class Terminated(BaseException):
    """SIGTERM arrived while :func:`train` was running (cleaned up like Ctrl-C)."""


# ----------------------------------------------------------------------------- folder state


def has_checkpoint(folder):
    from ganzoo.callbacks import LATEST_CHECKPOINT, PREVIOUS_CHECKPOINT

    backup = os.path.join(folder, BACKUP_DIR)
    return any(os.path.exists(os.path.join(backup, name))
               for name in (LATEST_CHECKPOINT, PREVIOUS_CHECKPOINT))


def run_state(folder):
    """What ``folder`` holds: ``"absent"``, ``"empty"`` (no run files), ``"finished"``
    (``model.keras``), ``"interrupted"`` (a checkpoint to resume) or ``"started"`` (run files
    but neither: stopped before its first checkpoint)."""
    folder = os.fspath(folder)
    if not os.path.lexists(folder):
        return "absent"
    if not os.path.isdir(folder):
        raise RunError(f"--out {folder!r} is a file, not a folder; choose a folder.")
    if os.path.lexists(os.path.join(folder, "model.keras")):
        return "finished"
    if has_checkpoint(folder):
        return "interrupted"
    if any(os.path.lexists(os.path.join(folder, name)) for name in RUN_FILES):
        return "started"
    return "empty"


def describe(folder, state):
    """One sentence on what a run folder holds and what to do with it."""
    return {
        "finished": f"{folder!r} holds a finished run (model.keras)",
        "interrupted": f"{folder!r} holds an interrupted run (a checkpoint in {BACKUP_DIR}/)",
        "started": f"{folder!r} holds a run that stopped before its first checkpoint (nothing "
                   "to resume)",
        "empty": f"{folder!r} holds no run",
        "absent": f"{folder!r} does not exist",
    }[state]


def _check_state(folder, state, resume, force):
    if resume:
        if state == "interrupted":
            return
        fix = ("pass --force to train it again" if state in ("finished", "started") else
               "drop --resume to start a new run, or check the --out path")
        raise RunError(f"Nothing to resume: {describe(folder, state)}; {fix}.")
    if force or state in ("absent", "empty"):
        return
    fix = {"interrupted": "pass --resume to continue it, --force to start again, or choose "
                          "another --out",
           "finished": "pass --force to replace it, or choose another --out",
           "started": "pass --force to start again, or choose another --out"}[state]
    raise RunError(f"{describe(folder, state)}; {fix}.")


def check_writable(out, option="--out"):
    """The nearest existing folder above ``out`` must be a writable directory."""
    parent = os.path.abspath(out)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise RunError(f"Cannot create {option} {out!r}: {parent!r} is a file, not a folder; "
                       "choose another path.")
    if not os.access(parent, os.W_OK):
        raise RunError(f"Cannot write to {parent!r}; choose a writable {option}.")


def recover(folder):
    """Finish what a killed run left: remove its half-written temporaries, and after a killed
    ``force=True`` put the earlier run back if the new one never checkpointed (else delete
    it). Call with the folder's lock held."""
    for name in os.listdir(folder):
        if name.startswith(files.TMP_PREFIX):
            files.remove(os.path.join(folder, name))
    previous = os.path.join(folder, PREVIOUS_DIR)
    if not os.path.isdir(previous):
        return None
    if run_state(folder) in ("finished", "interrupted"):
        files.remove(previous)
        return "replaced"
    _put_back(folder, previous)
    print(f"ganzoo: put back the earlier run in {folder} (a replacement started with --force "
          "stopped before its first checkpoint).", file=sys.stderr)
    return "restored"


def recover_unlocked(folder):
    """:func:`recover` under the folder's lock, when no other process holds it."""
    folder = os.fspath(folder)
    if os.path.isdir(os.path.join(folder, PREVIOUS_DIR)) and files.lock_holder(folder) is None:
        with files.FolderLock(folder, "recovering"):
            recover(folder)


def _set_aside(folder):
    previous = os.path.join(folder, PREVIOUS_DIR)
    os.makedirs(previous)
    for name in RUN_FILES:
        if os.path.lexists(os.path.join(folder, name)):
            os.replace(os.path.join(folder, name), os.path.join(previous, name))
    return previous


def _put_back(folder, previous):
    """Replace the run files in ``folder`` by the earlier run set aside in ``previous``."""
    _discard(folder)
    for name in os.listdir(previous):
        os.replace(os.path.join(previous, name), os.path.join(folder, name))
    os.rmdir(previous)


def _discard(folder):
    """Remove the run files of a run that never reached its first checkpoint."""
    for name in RUN_FILES:
        files.remove(os.path.join(folder, name))
    for name in os.listdir(folder):
        if name.startswith(files.TMP_PREFIX):
            files.remove(os.path.join(folder, name))


# ----------------------------------------------------------------------------- Run


class Run:
    """A run folder written by :func:`train` (or ``ganzoo train``).

    Args:
        path: the folder.
        model: the trained model, when it is already in memory.
        diverged: the divergence guard's report, when training diverged.

    Example:

    ```python
    run = ganzoo.Run("runs/dcgan")
    run.info["dataset"]            # what it was trained on
    images = run.model.generate(16, seed=0)
    ```
    """

    def __init__(self, path, model=None, diverged=None, history=None):
        self.path = os.fspath(path)
        self._model, self.diverged, self.history = model, diverged, history
        if not os.path.isdir(self.path):
            raise RunError(f"{self.path!r} is not a run folder; pass the --out folder of "
                           "`ganzoo train` (or a .keras file).")
        recover_unlocked(self.path)

    @property
    def info(self):
        """``run.json``: the model name, dataset, split and data checksum."""
        return files.read_json(os.path.join(self.path, "run.json"), "run record")

    @property
    def dataset(self):
        return self.info.get("dataset")

    @property
    def config(self):
        from ganzoo import config as config_lib

        return config_lib.read_yaml(os.path.join(self.path, "config.yaml"))

    @property
    def model(self):
        """The trained model (``model.keras``), checked against ``run.json``."""
        if self._model is None:
            from ganzoo.registry import load

            path = os.path.join(self.path, "model.keras")
            if not os.path.exists(path):
                state = run_state(self.path)
                hint = {"interrupted": "; continue it with `ganzoo train ... --resume`",
                        "started": "; train it again with --force"}.get(state, "")
                raise RunError(f"{describe(self.path, state)}: no model.keras to use{hint}.")
            model = load(path)
            expected = self.info.get("model") if os.path.exists(
                os.path.join(self.path, "run.json")) else None
            if expected is not None and model.registry_name != expected:
                raise ModelError(f"{path!r} is a {model.registry_name!r} model but {self.path!r} "
                                 f"is a {expected!r} run (run.json); the folder mixes two runs. "
                                 "Put the right model.keras back, or train again with --force.")
            self._model = model
        return self._model

    def __repr__(self):
        return f"Run({self.path!r})"


def recorded_info(run):
    """What ``run.json`` records for ``run`` (a :class:`Run` or ``None``); ``{}`` when there is
    none (a folder holding only a ``model.keras``)."""
    if run is None:
        return {}
    path = os.path.join(run.path, "run.json")
    return run.info if not isinstance(run, Run) or os.path.exists(path) else {}


def recorded_dataset(source, given=None, option="--dataset", required=True):
    """The dataset to use with a run's model: ``given`` when set, else the one the run's
    ``run.json`` records (``source`` is a run folder or a ``.keras`` file inside one); the model
    is not loaded.

    Raises:
        ValueError: naming ``option`` when nothing is given or recorded and ``required``.
    """
    if given is not None:
        return given
    source = os.fspath(source)
    from ganzoo import presets

    if presets.is_handle(source):
        return presets.Preset(presets.resolve(source), source).info.get("dataset")
    folder = source if os.path.isdir(source) else os.path.dirname(os.path.abspath(source))
    path = os.path.join(folder, "run.json")
    if not os.path.exists(path):
        if not required:
            return None
        raise ValueError(f"{source!r} does not record its dataset (no run.json); pass "
                         f"{option} NAME|PATH.")
    return files.read_json(path, "run record").get("dataset")


def open_model(source):
    """A model from a run folder (checked against its ``run.json``), a preset handle
    (:mod:`ganzoo.presets`), a ``.keras`` file or a model object, and the :class:`Run` or
    :class:`~ganzoo.presets.Preset` it came from (``None`` for a bare model)."""
    from ganzoo.models.zoo_model import ZooModel
    from ganzoo.registry import load

    if isinstance(source, ZooModel):
        return source, getattr(source, "preset", None)
    source = os.fspath(source)
    from ganzoo import presets

    if presets.is_handle(source):
        model = presets.from_preset(source)
        return model, model.preset
    if os.path.isdir(source):
        run = Run(source)
        return run.model, run
    model = load(source)
    folder = os.path.dirname(os.path.abspath(source))
    return model, (Run(folder, model=model) if os.path.exists(os.path.join(folder, "run.json"))
                   else None)


def check_outputs_finite(model, n=8):
    """Refuse a model whose weights or first samples are NaN or infinite (before sampling,
    evaluating or exporting it)."""
    model.check_finite()
    from ganzoo.models.translation import Translator

    probe = (model.generate(n, seed=0) if not isinstance(model, Translator) else
             model.translate(np.zeros((2,) + tuple(model.data_shape), np.float32)))
    if not np.isfinite(probe).all():
        raise ModelError(f"{model.name} produces NaN or infinite outputs (its weights are finite "
                         "but overflow): it diverged in training. Retrain it with a lower "
                         "learning rate.")


# ----------------------------------------------------------------------------- train


def train(model, data="digits", out=None, *, split="train", config=None, resume=False,
          force=False, epochs=None, save_every=100, strategy=None, seed=None, verbose=1,
          from_preset=None, callbacks=None, minutes=None, **overrides):
    """Train a zoo model into a run folder, safely: the Python form of ``ganzoo train``.

    Args:
        model: a registered model name (``ganzoo.list_models()``).
        data: a dataset name or path (``"digits"``, a tensorflow-datasets name, an image
            folder, an ``.npz``; for image-to-image models their paired/unpaired sources).
        out: the run folder (default ``runs/<model>``).
        split: dataset split.
        config: a YAML path, dict or shipped preset name, as in ``ganzoo.build``.
        resume: continue the interrupted run in ``out`` from its last checkpoint.
        force: replace the earlier run in ``out`` (set aside until the new run's first
            checkpoint, put back if the new run fails before it).
        epochs: ``training.epochs``.
        save_every: steps between checkpoints in ``out/backup/`` (0: none).
        strategy: ``"mirrored"``, ``"multiworker"`` or a ``tf.distribute.Strategy``.
        seed: seed of noise, shuffling and weights.
        verbose: Keras progress output (0, 1 or 2).
        callbacks: more Keras callbacks for ``fit`` (e.g. ``ganzoo.callbacks.TimeBudget``).
        minutes: a training-time budget: training ends (and ``model.keras`` is written) once
            this many minutes have been spent, counted across resumed pieces (the time of each
            piece up to its last checkpoint), or when the epochs end, whichever comes first.
        from_preset: a preset handle (:mod:`ganzoo.presets`) to fine-tune: its config is the
            base (``config`` and ``overrides`` change it; the networks' shapes must stay) and
            training starts from its weights.
        **overrides: config keys, as in ``ganzoo.build`` (``training__batch_size=64``).

    Returns:
        A :class:`Run`; ``run.diverged`` is set when the divergence guard stopped training
        (``model.keras`` then holds the last finite weights).

    Raises:
        RunError: the folder is locked, holds a run (without ``force``/``resume``), or
            training diverged with no finite state to keep (no model is written).
        ConfigError, DataError: bad config or data, before anything is written.

    Example:

    ```python
    run = ganzoo.train("dcgan", "digits", "runs/dcgan", epochs=5, seed=0)
    run.model.generate(16, seed=0)
    ```
    """
    from ganzoo import callbacks as cb
    from ganzoo import registry
    from ganzoo.models.translation import Translator

    cls = registry.get_class(model)
    name = model
    out = os.fspath(out or os.path.join("runs", name))
    if int(save_every) < 0:
        raise ValueError(f"save_every (--save-every) must be 0 (off) or a number of steps, got "
                         f"{save_every}.")
    if resume and force:
        raise ValueError("resume continues a run and force replaces it; pass one of them.")
    if minutes is not None and not float(minutes) > 0:
        raise ValueError(f"minutes (--minutes) must be a positive training-time budget, got "
                         f"{minutes}.")
    files.check_unlocked(out)
    if os.path.isdir(out):
        recover_unlocked(out)
    _check_state(out, run_state(out), resume, force)
    check_writable(out)

    # 1. config, then the whole dataset: nothing is written before both are good
    if seed is not None:
        overrides["seed"] = seed
    if epochs is not None:
        overrides["training.epochs"] = int(epochs)
    preset = None
    if from_preset is not None:
        from ganzoo import presets

        preset = presets.Preset(presets.resolve(from_preset), from_preset)
        base = preset.config
        if base["model"] != name:
            raise ValueError(f"{from_preset!r} is a {base['model']!r} preset; fine-tune it with "
                             f"`ganzoo train {base['model']} --from-preset {from_preset}`.")
        base["seed"] = None
        if config is not None:  # the user's config changes the preset's: a layer above it
            from ganzoo import config as config_lib
            from ganzoo import schema

            overrides = {**schema.normalise(config_lib.as_dict(config, name)),
                         **schema.normalise(overrides)}
        config = base
    resolved = registry.resolve_config(name, config, **overrides)
    x, y = load_training_data(cls, data, split, resolved)
    if _adopt_shapes(cls, x, y, resolved, config, overrides):
        resolved = registry.resolve_config(name, config, **overrides)
    info = {"model": name, "dataset": os.fspath(data), "split": split,
            "data_sha256": data_checksum(x, y)}
    if preset is not None:
        info["from_preset"] = os.fspath(from_preset)
    if resume:
        _check_same_run(out, resolved, info)
    gan = registry.build(name, config, strategy=strategy, **overrides)
    if preset is not None and not resume:  # a resumed run continues from its checkpoint
        preset.load_weights(gan)
    dataset = gan.prepare(x, y)

    # 2. lock, then create or replace
    created = not os.path.exists(out)
    with files.FolderLock(out, "training"):
        recover(out)
        state = run_state(out)
        _check_state(out, state, resume, force)
        previous = _set_aside(out) if force and state != "empty" else None
        checkpoint = None

        def drop_previous(_=None):
            nonlocal previous
            if previous is not None:
                files.remove(previous)
                previous = None

        # the training time is recorded with each checkpoint, so a resumed piece counts exactly
        # the time that led to the state it starts from
        clock = cb.TrainingClock(os.path.join(out, BACKUP_DIR) if save_every else None,
                                 save_on_epoch_end=False)

        def on_saved(checkpoint):
            clock.save(step=checkpoint.saved_step)
            drop_previous()

        guard = cb.DivergenceGuard(every=save_every or 100)
        extra = list(callbacks or ())
        callbacks = [guard, clock]  # guard first: a NaN step is undone before anything saves
        if minutes is not None:
            extra.append(cb.TimeBudget(float(minutes), clock=clock))
        examples = None
        if isinstance(gan, Translator):  # a few fixed pairs for the input | output | target grids
            examples = (np.asarray(x[:4]), np.asarray(y[:4]))
        callbacks += [
            cb.SampleGrid(os.path.join(out, "samples"), seed=0, n=64 if gan.is_image else 2500,
                          examples=examples),
            cb.LossCurves(os.path.join(out, "losses.png"),
                          history_path=os.path.join(out, "history.json"), resume=resume)]
        if save_every:
            checkpoint = cb.Checkpoint(os.path.join(out, BACKUP_DIR), save_freq=int(save_every),
                                       on_saved=on_saved, delete_checkpoint=False)
            callbacks.append(checkpoint)
        callbacks += extra
        try:
            with _sigterm_raises():
                if not resume:
                    from ganzoo import config as config_lib

                    config_lib.dump_yaml(resolved, os.path.join(out, "config.yaml"))
                    files.write_json(os.path.join(out, "run.json"), info)
                else:
                    print(f"ganzoo: resuming {out} from its last checkpoint", file=sys.stderr)
                history = gan.fit(dataset, callbacks=callbacks, verbose=verbose)
                if guard.diverged and guard.diverged["restored_step"] is None:
                    raise RunError(
                        f"Training diverged at step {guard.diverged['step']} and no finite state "
                        "exists (not even the starting one), so no model was written. Lower the "
                        "learning rate or check the data.")
                with files.atomic_path(os.path.join(out, "model.keras")) as tmp:
                    gan.save(tmp)
                record = files.read_json(os.path.join(out, "run.json"), "run record")
                record["training"] = {"steps": gan.train_steps,
                                      "epochs": int(gan.config["training"]["epochs"]),
                                      "seconds": round(clock.seconds(), 1),
                                      "hardware": _hardware()}
                if minutes is not None:
                    record["training"]["budget_minutes"] = float(minutes)
                files.write_json(os.path.join(out, "run.json"), record)
        except BaseException:
            if not resume and (checkpoint is None or checkpoint.saved_step is None):
                # never reached a checkpoint: nothing of it is worth keeping
                if previous is not None:
                    _put_back(out, previous)
                    previous = None
                    print(f"ganzoo: the earlier run in {out} is back in place.", file=sys.stderr)
                else:
                    _discard(out)
            raise
        finally:
            if created and os.path.isdir(out) and set(os.listdir(out)) <= {files.LOCK_FILE}:
                files.remove(os.path.join(out, files.LOCK_FILE))
                os.rmdir(out)
        files.remove(os.path.join(out, BACKUP_DIR))  # model.keras is in place
        drop_previous()
    return Run(out, model=gan, diverged=guard.diverged, history=history)


def train_piece(args, out, minutes, who="ganzoo"):
    """Run ``ganzoo train ARGS --out OUT`` in a child process (with ``--resume`` when ``out``
    holds a checkpoint) for at most ``minutes`` of wall time, then stop it with SIGTERM, which
    leaves its checkpoint: one piece of a run split across sessions.

    Args:
        args: the ``ganzoo train`` arguments without ``--out`` and ``--resume``.
        out: the run folder.
        minutes: wall minutes of this piece.
        who: the caller's name in messages.

    Returns:
        ``True`` once training has finished (now or earlier), ``False`` when the piece ended
        first (call again to continue).

    Raises:
        SystemExit: the child failed.

    Example:

    ```python
    while not ganzoo.runs.train_piece(["dcgan", "--dataset", "mnist"], "runs/d", 30):
        pass
    ```
    """
    import subprocess

    if os.path.isfile(os.path.join(out, "model.keras")) and not has_checkpoint(out):
        return True
    cmd = [sys.executable, "-m", "ganzoo", "train", *args, "--out", os.fspath(out)]
    if has_checkpoint(out):
        cmd.append("--resume")
    child = subprocess.Popen(cmd)
    try:
        child.wait(timeout=minutes * 60)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGTERM)  # ganzoo train stops cleanly, keeping its checkpoint
        child.wait()
        print(f"{who}: piece of {minutes} min ended; run this command again to resume.",
              flush=True)
        return False
    if child.returncode != 0:
        raise SystemExit(f"{who}: training failed (exit status {child.returncode}).")
    return True


def _hardware():
    from ganzoo import presets

    return presets.hardware()


class _sigterm_raises:
    """Turn SIGTERM into :class:`Terminated` while training (main thread only), so the run
    folder is left as a kill would leave it, with the earlier run put back when needed."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise Terminated("stopped by SIGTERM")

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def load_training_data(cls, source, split, config):
    """The training data of :func:`train` as ``(x, y)``: arrays for every local source (checked
    whole by ``prepare``), or a ``tf.data.Dataset`` and ``None`` for streamed sources (checked
    batch by batch as they stream)."""
    from ganzoo import datasets
    from ganzoo.models.translation import Translator

    source = os.fspath(source)
    if issubclass(cls, Translator):
        if cls.paired:
            a, b = datasets.read_pairs(source, split)
            return (a, b) if config.get("direction", "a2b") == "a2b" else (b, a)
        return datasets.read_unpaired(source, split)
    local = datasets.read_arrays(source, split)
    if local is not None:
        return local
    return datasets.load(source, split=split, seed=config.get("seed")), None


def data_checksum(x, y):
    """SHA-256 of in-memory training data (images and labels), ``None`` for streamed data."""
    if not isinstance(x, np.ndarray):
        return None
    digest = hashlib.sha256()
    for part in (x, y):
        if part is not None:
            digest.update(str(part.shape).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def _adopt_shapes(cls, x, y, config, user_config, overrides):
    """Take an image model's ``data_shape`` (and pix2pix's ``target_channels``) from the data
    unless the user set them; True when ``overrides`` changed."""
    from ganzoo import config as config_lib
    from ganzoo import datasets

    changed = False
    if isinstance(x, np.ndarray):
        shape = tuple(x.shape[1:])
    else:
        spec = x.element_spec
        spec = spec[0] if isinstance(spec, tuple) else spec
        shape = tuple(spec.shape)
    images = len(config["data_shape"]) == 3
    if len(shape) == 2 and images:
        shape = shape + (1,)
    if len(shape) != 3 or not images or any(s is None for s in shape):
        return False
    datasets.check_channels_last(shape, "the dataset's images")
    if getattr(cls, "paired", False) and y is not None and config.get("target_channels") is None:
        if y.shape[-1] != shape[-1]:
            overrides["target_channels"] = int(y.shape[-1])
            changed = True
    user_set = "data_shape" in config_lib.normalise(overrides) or (
        isinstance(user_config, dict) and "data_shape" in config_lib.normalise(user_config)) or (
        isinstance(user_config, (str, os.PathLike)) and os.path.isfile(user_config)
        and "data_shape" in config_lib.normalise(config_lib.read_yaml(user_config)))
    if not user_set and list(shape) != list(config["data_shape"]):
        print(f"ganzoo: using data_shape {list(shape)} from the dataset (config had "
              f"{config['data_shape']})", file=sys.stderr)
        overrides["data_shape"] = list(shape)
        changed = True
    return changed


def _check_same_run(out, config, info):
    """A resumed run must use the interrupted run's config and data."""
    from ganzoo import config as config_lib

    from ganzoo import registry

    saved = config_lib.read_yaml(os.path.join(out, "config.yaml"))
    if saved.get("model") in registry.list_models():
        # a run interrupted before an upgrade of ganzoo: keys added since at their defaults
        # (and removed ones dropped), as loading its model does
        saved = registry.get_class(saved["model"]).upgrade_config(saved)
    saved_info = files.read_json(os.path.join(out, "run.json"), "run record")
    history = os.path.join(out, "history.json")
    if os.path.exists(history):
        files.read_json(history, "loss history")
    keys = ("model", "dataset", "split")
    if config_lib.to_plain(saved) != config_lib.to_plain(config) or \
            {k: saved_info.get(k) for k in keys} != {k: info.get(k) for k in keys}:
        raise RunError(f"--resume: the options differ from the interrupted run in {out!r} (see "
                       "its config.yaml and run.json); pass the same ones, or --force to start "
                       "again.")
    if saved_info.get("data_sha256") and info.get("data_sha256") and \
            saved_info["data_sha256"] != info["data_sha256"]:
        raise RunError(f"--resume: the data in {info['dataset']!r} changed since the interrupted "
                       f"run in {out!r} began (its checksum differs); resume with the same data, "
                       "or --force to start again.")


__all__ = ["Run", "train", "run_state", "open_model", "check_outputs_finite", "GanzooError",
           "RUN_FILES"]
