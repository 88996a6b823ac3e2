"""Resume: a training process killed mid-epoch continues from its checkpoint (issue 9)."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import keras
import pytest

import ganzoo

EPOCHS, STEPS_PER_EPOCH, SAVE_EVERY = 12, 16, 5


def _train(out, data, *extra):
    cmd = [sys.executable, "-m", "ganzoo", "train", "dcgan", "--dataset", data, "--epochs",
           str(EPOCHS), "--batch-size", "16", "--set", "generator.filters=8", "--set",
           "discriminator.filters=8", "--seed", "0", "--out", str(out), "--verbose", "0",
           "--save-every", str(SAVE_EVERY), *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigkill_mid_epoch_then_resume_ends_with_the_planned_steps(tmp_path, small_npz):
    out = tmp_path / "run"
    meta = out / "backup" / "training_metadata.json"
    proc = _train(out, small_npz)
    seen = None
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if meta.exists():
            try:
                seen = json.loads(meta.read_text())
            except (ValueError, OSError):  # caught mid-write, or between a replace's steps
                seen = None
            if seen and seen["epoch"] >= 2 and seen["batch"] > 0:  # in the middle of epoch 3+
                os.kill(proc.pid, signal.SIGKILL)
                break
        time.sleep(0.01)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "training ended before it could be killed"
    assert not (out / "model.keras").exists()

    # the same command without --resume refuses to clobber the interrupted run
    again = _train(out, small_npz)
    assert again.wait(timeout=240) == 2 and "--resume" in again.communicate()[1]

    resumed = _train(out, small_npz, "--resume")
    stdout, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr[-3000:]
    step = int(re.search(r"restored the checkpoint .* at step (\d+)", stderr).group(1))
    # it restarted from the newest checkpoint: at least as far as the one seen before the kill
    assert step >= seen["epoch"] * STEPS_PER_EPOCH
    assert step < EPOCHS * STEPS_PER_EPOCH

    gan = ganzoo.load(out)
    assert gan.train_steps == EPOCHS * STEPS_PER_EPOCH                 # no step lost or repeated
    assert int(gan.g_optimizer.iterations) == EPOCHS * STEPS_PER_EPOCH
    history = json.loads((out / "history.json").read_text())
    assert len(history["d_loss"]) == EPOCHS and None not in history["d_loss"]
    assert not (out / "backup").exists()                                  # removed at the end
    assert (out / "samples" / f"epoch_{EPOCHS:03d}.png").exists()


def test_resume_checks_the_options_and_finished_runs(tmp_path, small_npz):
    out = tmp_path / "run"
    proc = _train(out, small_npz, "--resume")  # nothing to resume yet: an error (issue 13)
    assert proc.wait(timeout=300) == 2
    assert "Nothing to resume" in proc.communicate()[1] and not out.exists()
    proc = _train(out, small_npz)
    assert proc.wait(timeout=300) == 0, proc.communicate()[1][-2000:]
    finished = _train(out, small_npz, "--resume")
    assert finished.wait(timeout=240) == 2
    assert "Nothing to resume" in finished.communicate()[1]


def test_resume_refuses_other_options(tmp_path):
    from ganzoo import config as config_lib, runs

    config = ganzoo.resolve_config("dcgan")
    config_lib.dump_yaml(config, tmp_path / "config.yaml")
    info = {"model": "dcgan", "dataset": "digits", "split": "train"}
    (tmp_path / "run.json").write_text(json.dumps(info))
    runs._check_same_run(str(tmp_path), config, info)  # the same: fine
    with pytest.raises(ganzoo.RunError, match="differ from the interrupted run"):
        runs._check_same_run(str(tmp_path), ganzoo.resolve_config("dcgan", latent_dim=64), info)
    with pytest.raises(ganzoo.RunError, match="differ from the interrupted run"):
        runs._check_same_run(str(tmp_path), config, dict(info, dataset="mnist"))
    # a run interrupted before ganzoo added keys (here augment and spectral_norm) resumes
    older = {k: v for k, v in config.items() if k != "augment"}
    older["discriminator"] = {k: v for k, v in config["discriminator"].items()
                              if k != "spectral_norm"}
    config_lib.dump_yaml(older, tmp_path / "config.yaml")
    runs._check_same_run(str(tmp_path), config, info)
    with pytest.raises(ganzoo.RunError, match="differ from the interrupted run"):
        runs._check_same_run(str(tmp_path), ganzoo.resolve_config(
            "dcgan", augment={"policy": "cutout"}), info)


SMALL = {"generator.filters": 8, "discriminator.filters": 8, "training.batch_size": 16}


class _StopAt(keras.callbacks.Callback):
    """Fault injection: Ctrl-C after the given training step."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if self.model.train_steps >= self.step:
            raise KeyboardInterrupt


def test_minutes_budget_ends_training_and_is_recorded(tmp_path, small_npz):
    run = ganzoo.train("dcgan", small_npz, str(tmp_path / "run"), epochs=1000, seed=0,
                       verbose=0, minutes=0.05, **SMALL)
    record = json.loads((tmp_path / "run" / "run.json").read_text())["training"]
    assert record["budget_minutes"] == 0.05 and 3.0 <= record["seconds"] < 60
    assert 0 < run.model.train_steps < 1000 * STEPS_PER_EPOCH
    assert (tmp_path / "run" / "model.keras").exists()
    assert not (tmp_path / "run" / "backup").exists()


def test_minutes_budget_counts_the_pieces_before_a_resume(tmp_path, small_npz):
    out = str(tmp_path / "run")
    with pytest.raises(KeyboardInterrupt):  # killed two steps after its checkpoint at step 10
        ganzoo.train("dcgan", small_npz, out, epochs=50, seed=0, verbose=0, save_every=5,
                     minutes=30, callbacks=[_StopAt(12)], **SMALL)
    elapsed = json.loads((tmp_path / "run" / "backup" / "elapsed.json").read_text())
    assert elapsed["step"] == 10 and elapsed["seconds"] > 0  # the time that led to the checkpoint
    # a budget the first piece has already spent: the resumed piece ends after one step (a budget
    # counted from the resume would train for as long again)
    run = ganzoo.train("dcgan", small_npz, out, epochs=50, seed=0, verbose=0, save_every=5,
                       resume=True, minutes=elapsed["seconds"] / 60, **SMALL)
    assert run.model.train_steps == 11
    record = json.loads((tmp_path / "run" / "run.json").read_text())["training"]
    assert record["seconds"] >= elapsed["seconds"]
