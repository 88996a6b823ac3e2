import json
import os
import subprocess
import sys

import numpy as np
import pytest
import yaml
from PIL import Image

import ganzoo
from ganzoo import cli


def test_train_writes_every_run_file_and_sample_reads_it(tmp_path, small_npz):
    out = tmp_path / "run"
    rc = cli.main(["train", "dcgan", "--dataset", small_npz, "--epochs", "1", "--batch-size",
                   "64", "--set", "generator.filters=8", "--set", "discriminator.filters=8",
                   "--seed", "1", "--out", str(out), "--verbose", "0"])
    assert rc == 0
    for name in ("model.keras", "config.yaml", "history.json", "losses.png",
                 "samples/epoch_001.png", "samples/final.png"):
        assert (out / name).is_file(), name
    config = yaml.safe_load((out / "config.yaml").read_text())
    assert config["generator"]["filters"] == 8 and config["seed"] == 1
    assert config["training"]["batch_size"] == 64
    history = json.loads((out / "history.json").read_text())
    assert set(history) >= {"d_loss", "g_loss", "d_real", "d_fake"} and len(history["d_loss"]) == 1
    assert Image.open(out / "losses.png").size[0] > 200
    model = ganzoo.load(out)
    assert int(model.g_optimizer.iterations) == 4

    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(out), "--n", "16", "--seed", "3", "--out", str(grid)]) == 0
    img = np.asarray(Image.open(grid))
    assert img.shape[:2] == (2 * (4 * 30 + 2), 2 * (4 * 30 + 2))


def test_train_refuses_to_mix_runs_and_reports_bad_input(tmp_path, small_npz, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.keras").write_text("old")
    rc = cli.main(["train", "dcgan", "--dataset", small_npz, "--out", str(out)])
    assert rc == 2 and "--force" in capsys.readouterr().err
    assert (out / "model.keras").read_text() == "old"

    fresh = tmp_path / "fresh"
    assert cli.main(["train", "dcgan", "--set", "training.batchsize=3", "--out", str(fresh)]) == 2
    assert "Did you mean 'training.batch_size'" in capsys.readouterr().err
    assert cli.main(["train", "dcgn", "--out", str(fresh)]) == 2
    assert "Did you mean 'dcgan'" in capsys.readouterr().err
    assert cli.main(["train", "dcgan", "--dataset", str(tmp_path / "nothing_here"),
                     "--out", str(fresh)]) == 2
    assert "Unknown dataset" in capsys.readouterr().err
    assert not fresh.exists()  # nothing written on errors


def test_train_adopts_the_dataset_image_shape(tmp_path):
    path = tmp_path / "rgb.npz"
    x = np.random.default_rng(0).integers(0, 256, (64, 32, 32, 3), dtype=np.uint8)
    np.savez(path, x_train=x)
    out = tmp_path / "rgb"
    assert cli.main(["train", "dcgan", "--dataset", str(path), "--epochs", "1", "--batch-size",
                     "32", "--set", "generator.filters=8", "--set", "discriminator.filters=8",
                     "--out", str(out), "--verbose", "0"]) == 0
    assert yaml.safe_load((out / "config.yaml").read_text())["data_shape"] == [32, 32, 3]


def test_console_entry_points():
    result = subprocess.run([sys.executable, "-m", "ganzoo", "list"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "dcgan" in result.stdout
    exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    if os.path.exists(exe):
        result = subprocess.run([exe, "list"], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and "dcgan" in result.stdout


def test_cgan_sample_labels_and_ring_preset(tmp_path, small_npz, capsys):
    out = tmp_path / "cgan"
    assert cli.main(["train", "cgan", "--dataset", small_npz, "--epochs", "1", "--batch-size",
                     "64", "--set", "generator.filters=8", "--set", "discriminator.filters=8",
                     "--out", str(out), "--verbose", "0"]) == 0
    grid = np.asarray(Image.open(out / "samples" / "final.png"))
    assert grid.shape[0] == 2 * (10 * 30 + 2)  # ten class rows
    png = tmp_path / "sevens.png"
    assert cli.main(["sample", str(out), "--n", "8", "--labels", "7", "--out", str(png)]) == 0
    assert png.is_file()
    assert cli.main(["sample", str(out), "--labels", "x", "--out", str(png)]) == 2
    assert "--labels takes integers" in capsys.readouterr().err

    ring = tmp_path / "ring"
    assert cli.main(["train", "vanilla", "--config", "ring", "--dataset", "ring", "--epochs", "1",
                     "--out", str(ring), "--verbose", "0"]) == 0
    assert (ring / "samples" / "final.png").is_file()
    assert yaml.safe_load((ring / "config.yaml").read_text())["data_shape"] == [2]


@pytest.mark.parametrize("name", ["vanilla", "wgan", "wgan_gp"])
def test_train_and_sample_each_unconditional_variant(name, tmp_path, small_npz):
    small = (["--set", "generator.hidden=[16]", "--set", "discriminator.hidden=[16]"]
             if name == "vanilla"
             else ["--set", "generator.filters=8", "--set", "discriminator.filters=8"])
    out = tmp_path / name
    assert cli.main(["train", name, "--dataset", small_npz, "--epochs", "1", "--batch-size", "32",
                     "--out", str(out), "--verbose", "0"] + small) == 0
    assert ganzoo.load(out).registry_name == name
    assert cli.main(["sample", str(out), "--n", "4", "--out", str(tmp_path / "s.png")]) == 0


def test_evaluate_writes_a_report_with_every_metric(tmp_path, small_npz, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "dcgan", "--dataset", small_npz, "--epochs", "1", "--batch-size",
                     "64", "--set", "generator.filters=8", "--set", "discriminator.filters=8",
                     "--seed", "1", "--out", str(out), "--verbose", "0"]) == 0
    assert json.loads((out / "run.json").read_text())["dataset"] == small_npz
    capsys.readouterr()
    assert cli.main(["evaluate", str(out), "--metrics", "is,fid,kid,pr,memorization,birthday",
                     "--n", "100"]) == 0  # the reference defaults to the run's dataset
    printed = capsys.readouterr().out
    assert "inception_score: mean" in printed and "fid:" in printed
    report = json.loads((out / "evaluation" / "report.json").read_text())
    m = report["metrics"]
    assert set(m) == {"inception_score", "fid", "kid", "precision_recall", "memorization",
                      "birthday"}
    assert 1.0 <= m["inception_score"]["mean"] <= 10.0 and m["fid"] > 0
    assert 0.0 <= m["precision_recall"]["precision"] <= 1.0
    assert m["memorization"]["n_generated"] == 100 and report["judge"] == "mnist_cnn"
    assert (out / "evaluation" / "memorization_pairs.png").exists()


def test_evaluate_rejects_bad_arguments_before_writing(tmp_path, small_npz, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "dcgan", "--dataset", small_npz, "--epochs", "1", "--batch-size",
                     "64", "--set", "generator.filters=8", "--set", "discriminator.filters=8",
                     "--out", str(out), "--verbose", "0"]) == 0
    capsys.readouterr()
    assert cli.main(["evaluate", str(out), "--metrics", "is,fdi"]) == 2
    assert "Did you mean 'fid'" in capsys.readouterr().err
    assert cli.main(["evaluate", str(out), "--metrics", "fid", "--reference",
                     str(tmp_path / "missing.npz")]) == 2
    assert "Unknown dataset" in capsys.readouterr().err
    cifar_like = tmp_path / "colour.npz"
    np.savez(cifar_like, x_train=np.zeros((30, 32, 32, 3), np.uint8))
    assert cli.main(["evaluate", str(out), "--metrics", "fid", "--reference", str(cifar_like)]) == 2
    assert "(32, 32, 3) but the model makes (28, 28, 1)" in capsys.readouterr().err
    assert not (out / "evaluation").exists()
