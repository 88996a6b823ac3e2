"""Each benchmark script runs end to end on a tiny budget (numbers are not checked here)."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import ganzoo
from ganzoo import config as config_lib, results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(script, *args, out, env=None):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", script), *args,
                             "--out", str(out)], capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, **(env or {})))
    assert result.returncode == 0, result.stderr[-3000:]


def _read(path):
    """A results file, checked against the one layout (ganzoo.results) the cards read."""
    result = json.loads(path.read_text())
    results.validate(result, path.name)
    assert result["command"].startswith("python benchmarks/") and result["machine"]
    return result


def test_every_committed_result_has_the_one_layout():
    folder = os.path.join(ROOT, "benchmarks", "results")
    names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    assert names
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            result = json.load(f)
        results.validate(result, name)
        for image in result["images"].values():
            assert os.path.isfile(os.path.join(folder, image)), (name, image)


def test_ring_coverage_script(tmp_path):
    _run("ring_coverage.py", "--models", "vanilla", "--seeds", "0", "--epochs", "1", out=tmp_path)
    runs = _read(tmp_path / "ring_coverage.json")["rows"]
    assert runs[0]["model"] == "vanilla" and runs[0]["generator_steps"] == 200
    assert (tmp_path / "ring_vanilla.png").is_file()


def test_label_maps_script(tmp_path):
    # wgan_gp:mnist self-conditions on its config's clusters (10 images each at least, counted
    # after the last partial batch is dropped)
    clusters = config_lib.read_zoo_config("wgan_gp_mnist")["self_conditioning"]["clusters"]
    _run("label_maps.py", "--rows", "wgan_gp:mnist,cgan", "--filters", "8", "--steps", "3",
         "--rounds", "1", "--images", str(max(512, 16 * clusters)), out=tmp_path)
    rows = {r["model"]: r for r in _read(tmp_path / "label_maps.json")["rows"]}
    assert rows["wgan_gp"]["label_classes"] == clusters and rows["cgan"]["label_classes"] == 10
    assert all(r["joined_images_per_s"] > 0 and r["images_per_s"] > 0 for r in rows.values())


def test_cgan_digits_script(tmp_path):
    _run("cgan_digits.py", "--heads", "c_plus_1", "--epochs", "1", out=tmp_path)
    result = _read(tmp_path / "cgan_digits.json")
    assert len(result["extra"]["curves"]["c_plus_1"]) == 1
    assert result["extra"]["judge_test_accuracy"] > 0.9
    assert (tmp_path / "cgan_c_plus_1.png").is_file()


def test_export_latency_script(tmp_path):
    _run("export_latency.py", "--models", "cgan", "--repeats", "3", out=tmp_path)
    (row,) = _read(tmp_path / "export_latency.json")["rows"]
    assert row["model"] == "cgan" and row["tflite_int8_mb"] < row["tflite_float32_mb"]


def test_digits_budget_script(tmp_path):
    _run("digits_budget.py", "--models", "vanilla", "--seconds", "1", out=tmp_path)
    (row,) = _read(tmp_path / "digits_budget.json")["rows"]
    assert row["model"] == "vanilla" and row["epochs"] == 1 and 0 <= row["confident"] <= 1
    assert (tmp_path / "digits_vanilla.png").is_file()


def _fake_data_dir(tmp_path):
    """Tiny stand-ins for ../shared/data's files (same keys and layouts), so the scripts that
    read real data run here without it."""
    rng = np.random.default_rng(0)
    data = tmp_path / "data"
    data.mkdir()
    img = lambda *shape: rng.integers(0, 256, shape, dtype=np.uint8)  # noqa: E731
    digits, labels = ganzoo.datasets.load_digits("all")
    np.savez(data / "mnist.npz", x_train=digits[::10, ..., 0], y_train=labels[::10],
             x_test=digits[5::50, ..., 0], y_test=labels[5::50])
    np.savez(data / "facades_128.npz", a_train=img(4, 128, 128, 3), b_train=img(4, 128, 128, 3),
             a_test=img(2, 128, 128, 3), b_test=img(2, 128, 128, 3))
    np.savez(data / "horse2zebra_64.npz", trainA=img(4, 64, 64, 3), trainB=img(5, 64, 64, 3),
             testA=img(4, 64, 64, 3), testB=img(4, 64, 64, 3))
    jpegs = []
    for i in range(512):
        buf = io.BytesIO()
        Image.fromarray(img(32, 32, 3)).save(buf, format="JPEG")
        jpegs.append(np.frombuffer(buf.getvalue(), np.uint8))
    offsets = np.cumsum([0] + [len(j) for j in jpegs])
    np.savez(data / "cifar10_jpeg.npz", train_jpeg=np.concatenate(jpegs), train_offsets=offsets,
             y_train=rng.integers(0, 10, 512, dtype=np.uint8), test_jpeg=np.concatenate(
                 jpegs[:100]), test_offsets=offsets[:101], y_test=np.arange(100) % 10)
    return str(data)


def test_eval_speed_script(tmp_path):
    _run("eval_speed.py", "--n", "1000", "--repeats", "1", out=tmp_path)
    (result,) = _read(tmp_path / "eval_speed.json")["rows"]
    assert result["n"] == 1000 and result["is_plus_fid_seconds_median"] > 0


def test_mnist_quality_script(tmp_path):
    env = {"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)}
    _run("mnist_quality.py", "--models", "cgan", "--epochs", "1", "--n", "200", out=tmp_path,
         env=env)
    rows = {r["model"]: r for r in _read(tmp_path / "mnist_quality.json")["rows"]}
    assert rows[None]["inception_score"] > 1 and "cgan" in rows  # None: the real-data ceiling
    assert (tmp_path / "mnist_cgan.png").is_file()


@pytest.mark.slow
def test_translation_script(tmp_path):
    env = {"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)}
    _run("translation.py", "--seconds", "0.1", "--filters", "4", "--limit", "2", "--judges",
         str(tmp_path / "judges"), "--judge-epochs", "1", out=tmp_path, env=env)
    result = _read(tmp_path / "translation.json")
    rows = result["rows"]
    assert [r["model"] for r in rows] == ["pix2pix", "pix2pix", "cyclegan", "cyclegan"]
    assert rows[2]["test_cycle_l1_a"] >= 0 and (tmp_path / "horse2zebra.png").is_file()
    assert all(0 <= r["domain_success"] <= 1 and r["fid"] >= 0 for r in rows)
    assert (tmp_path / "judges" / "facades" / "judge.json").is_file()
    assert "Judged by" in results.judge_line(result)


@pytest.mark.slow
def test_epoch_eval_cost_script(tmp_path):
    _run("epoch_eval_cost.py", "--workloads", "mnist", "--n", "300", "--steps", "2",
         "--repeats", "1", out=tmp_path)
    result = _read(tmp_path / "epoch_eval_cost.json")
    (row,) = result["rows"]
    assert row["epoch_seconds"] > 0 and 0 < row["is_fid_share_of_epoch"] < 1
    assert result["judge"][0]["real"] == 60_000 and result["judge"][0]["name"] == "mnist_cnn"


@pytest.mark.slow
def test_train_throughput_script(tmp_path):
    env = {"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)}
    _run("train_throughput.py", "--workloads", "cifar,facades", "--limit", "512", "--steps", "4",
         "--steps-per-execution", "2", "--rounds", "0", "--peak-n", "128", "--filters", "4",
         "--dcgan-filters", "4", "--pix2pix-size", "32", out=tmp_path, env=env)
    result = _read(tmp_path / "train_throughput.json")
    for name in ("cifar", "facades"):
        rows = {r["contender"]: r for r in result["rows"] if r["workload"] == name}
        assert {"keras_io", "tutorial", "ganzoo (paper defaults)"} <= set(rows)
        assert rows["keras_io"]["vs_keras_io"] == 1.0 and all(
            r["images_per_s"] > 0 and r["step_gflop"] > 0 for r in rows.values())


@pytest.mark.slow
def test_variant_throughput_script(tmp_path):
    env = {"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)}
    _run("variant_throughput.py", "--variants", "sngan_cnn,biggan,stylegan2", "--images",
         "128",
         "--steps", "3", "--rounds", "0", "--peak-n", "128", "--filters", "8", out=tmp_path,
         env=env)
    result = _read(tmp_path / "variant_throughput.json")
    rows = {(r["variant"], r["precision"]): r for r in result["rows"]}
    assert set(rows) == {(v, p) for v in ("sngan_cnn", "biggan", "stylegan2")
                         for p in ("float32", "mixed_bfloat16")}
    assert all(r["images_per_s"] > 0 and r["gflop_per_image"] > 0 for r in rows.values())
    assert rows[("biggan", "float32")]["d_steps"] == 4


@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="trains on a GPU")
def test_variant_throughput_refuses_a_config_this_machine_cannot_train(tmp_path):
    # the grouped-convolution StyleGAN2 cannot train on a CPU: refused before any work
    env = {"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)}
    refused = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "variant_throughput.py"),
         "--variants", "stylegan2_fused", "--out", str(tmp_path / "never")],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, **env))
    assert refused.returncode == 1 and "--variants stylegan2_fused" in refused.stderr
    assert "grouped convolutions" in refused.stderr   # the model's own ConfigError
    assert not (tmp_path / "never").exists()


def test_variant_throughput_flops_reduce_to_the_alternating_count():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                    "benchmarks"))
    import variant_throughput
    # one D and one G update per step, same batch: the 4g + 8d of train_throughput's count
    assert variant_throughput.update_flops(3.0, 5.0, 1, 1.0) == 4 * 3.0 + 8 * 5.0
    assert variant_throughput.update_flops(3.0, 5.0, 1, 1.0, shared=True) == 3 * 3.0 + 7 * 5.0
    assert [variant_throughput.timed_steps(4, k) for k in (1, 4, 5)] == [4, 5, 6]
    assert variant_throughput.timed_steps(12, 5) == 16
    # SNGAN: G on 2m samples once per 5 D updates
    assert variant_throughput.update_flops(3.0, 5.0, 5, 2.0) == pytest.approx(
        3.0 + 30.0 + (9.0 + 10.0) * 0.4)


def test_time_to_quality_script(tmp_path):
    env = {"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)}
    _run("time_to_quality.py", "--models", "cgan", "--minutes", "0.01", "--eval-every", "2",
         "--n", "100", "--fast", "reuse_fakes=true,precision=mixed_bfloat16,steps_per_execution=2",
         out=tmp_path, env=env)
    result = _read(tmp_path / "time_to_quality.json")
    runs = result["extra"]["models"]["cgan"]
    assert len(runs) == 2 and all(run["points"] for run in runs.values())
    assert result["extra"]["real_inception_score"] > 1  # the 0.95x-real target is computed
    assert "minutes_to_is_0.95x_real" in result["columns"]
    assert (tmp_path / "ttq_cgan.png").is_file() and (tmp_path / "ttq_cgan_fast.png").is_file()


def test_data_checks_script(tmp_path):
    _run("data_checks.py", "--n", "256", "--rounds", "1", out=tmp_path,
         env={"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)})
    (result,) = _read(tmp_path / "data_checks.json")["rows"]
    assert result["n"] == 256 and result["in_memory_full_pass_seconds_median"] > 0
    assert "streamed_cost_fraction_of_epoch" in result


@pytest.mark.slow
def test_dcgan_plateau_script(tmp_path):
    _run("dcgan_plateau.py", "--variants", "baseline,d_layer_norm", "--epochs", "1", "--n",
         "300", "--work", str(tmp_path / "work"), out=tmp_path,
         env={"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)})
    result = _read(tmp_path / "dcgan_plateau.json")
    assert [r["variant"] for r in result["rows"]] == ["real test digits", "baseline",
                                                       "d_layer_norm"]
    assert result["rows"][0]["IS"] > 5  # the real digits, judged
    assert (tmp_path / "work" / "baseline.json").exists()  # kept for resuming


def test_stylegan2_digits_script(tmp_path):
    # MNIST from $GANZOO_DATA_DIR (stand-in), results under --name
    _run("stylegan2_digits.py", "--epochs", "1", "--every", "1", "--channel-base", "64",
         "--channel-max", "8", "--samples", "100", "--limit", "64", "--save",
         str(tmp_path / "sg2.keras"), "--data", "mnist", "--name", "stylegan2_mnist",
         out=tmp_path, env={"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)})
    result = _read(tmp_path / "stylegan2_mnist.json")
    assert "MNIST" in result["title"]
    gan_rows = [r for r in result["rows"] if r["model"] == "stylegan2"]
    assert [r["epochs"] for r in gan_rows] == [1] and result["rows"][-1]["model"] is None
    assert result["rows"][-1]["inception_score"] > 5     # the judge on real test digits
    with Image.open(tmp_path / "stylegan2_mnist.png") as img:
        assert img.width > 2 * 5 * 28                       # the 5-column sweep, doubled
    assert ganzoo.load(tmp_path / "sg2.keras").num_ws == 6
    # 16 px on the embedded digits: samples and real digits go to the judge at 28 px
    _run("stylegan2_digits.py", "--epochs", "1", "--every", "1", "--channel-base", "64",
         "--channel-max", "8", "--samples", "100", "--limit", "64", "--size", "16", "--latent",
         "16", "--mapping-layers", "2", "--mixing", "0", "--name", "sg16", out=tmp_path)
    result = _read(tmp_path / "sg16.json")
    assert result["title"].endswith("at 16 px") and result["judge"]["resize"].startswith(
        "bilinear 16 -> 28")
    assert "16x16 px" in result["protocol"] and "2 mapping layers, style mixing 0 " in result[
        "protocol"]
    assert result["rows"][-1]["inception_score"] > 5 and result["rows"][0]["minibatches"] == 2


def test_modulated_conv_script(tmp_path):
    _run("modulated_conv.py", "--batch", "4", "--repeats", "1", "--rounds", "1",
         "--channel-max", "8", out=tmp_path)
    rows = _read(tmp_path / "modulated_conv.json")["rows"]
    assert [r["form"] for r in rows] == ["non-fused (scaling)", "fused (grouped)"]
    assert rows[0]["relative"] == 1.0 and all(r["images_per_s"] > 0 for r in rows)


def test_small_data_script(tmp_path):
    env = {"GANZOO_DATA_DIR": _fake_data_dir(tmp_path)}
    _run("small_data.py", "--train", "64", "--steps", "4", "--eval-every", "2", "--n", "100",
         out=tmp_path, env=env)
    result = _read(tmp_path / "small_data.json")
    runs = result["extra"]["runs"]
    assert sorted(runs) == ["ada", "diffaugment", "none"]
    assert all(len(run["points"]) == 2 and run["points"][-1]["steps"] == 4
               for run in runs.values())
    assert runs["ada"]["points"][-1]["ada_p"] is not None
    assert runs["none"]["points"][-1]["ada_p"] is None
    assert (tmp_path / "small_data_curves.png").is_file()
    assert (tmp_path / "small_data_diffaugment.png").is_file()


def test_small_data_leak_signs_see_each_augmentation():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    import small_data

    from ganzoo import augment

    digits = ganzoo.datasets.load_digits("test")[0][:200]
    x = digits.astype(np.float32) / 127.5 - 1.0
    clean = small_data.leaks(digits)
    assert clean["grey_block_share"] < 0.05 and clean["background"] < -0.95
    cut = small_data.leaks(augment.cutout(x).numpy())
    assert cut["grey_block_share"] > 0.9  # cutout writes a 14x14 square of 0 (mid-grey)
    moved = small_data.leaks(augment.translation(x).numpy())
    # shifts of up to 4 px, the emptied border filled with 0 (grey), which pulls the centre of
    # mass back part of the way
    assert moved["com_offset_px"] > clean["com_offset_px"] + 0.4
    bright = small_data.leaks(augment.brightness(x).numpy())
    assert bright["background_spread"] > clean["background_spread"] + 0.1


@pytest.mark.slow
def test_cifar10_minutes_script(tmp_path):
    """Two pieces of one variant (the second resumes), then the table: the time budget spans
    the pieces."""
    env = dict(os.environ, GANZOO_DATA_DIR=_fake_data_dir(tmp_path))
    runs = tmp_path / "runs"

    def piece(minutes):
        return subprocess.run(
            [sys.executable, os.path.join(ROOT, "benchmarks", "cifar10_minutes.py"), "dcgan",
             "--minutes", "0.45", "--piece-minutes", str(minutes), "--save-every", "2", "--n",
             "100", "--runs", str(runs), "--out", str(tmp_path)],
            capture_output=True, text=True, timeout=600, env=env)

    first = piece(0.4)  # wall time, start-up included: it ends before the training budget
    assert first.returncode == 3, first.stderr[-3000:]
    assert (runs / "dcgan" / "backup" / "elapsed.json").is_file()
    second = piece(5)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "resuming" in second.stderr
    result = _read(tmp_path / "cifar10_minutes.json")
    dcgan, real = result["rows"]
    assert dcgan["variant"] == "dcgan" and 0.4 <= dcgan["minutes"] < 0.7
    assert real["model"] is None and real["fid"] < dcgan["fid"]
    assert (tmp_path / "cifar10_minutes_dcgan.png").is_file()
    # a machine without the dcgan run folder keeps its recorded row when it rewrites the table
    again = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "cifar10_minutes.py"), "--report",
         "--minutes", "0.45", "--n", "100", "--runs", str(tmp_path / "elsewhere"), "--out",
         str(tmp_path)], capture_output=True, text=True, timeout=600, env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    kept = _read(tmp_path / "cifar10_minutes.json")
    assert kept["rows"][0] == dcgan and kept["extra"]["runs"]["dcgan"] == result["extra"]["runs"][
        "dcgan"]


def test_cifar10_minutes_row_reads_the_reports_conditional_accuracy():
    """A conditional variant's row carries the evaluation report's conditional accuracy (a
    number under ``metrics.conditional_accuracy``); an unconditional one has none."""
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    import cifar10_minutes

    metrics = {"inception_score": {"mean": 3.6, "std": 0.1, "splits": 10}, "fid": 16.9,
               "precision_recall": {"precision": 0.8, "recall": 0.07, "k": 3}}
    training = {"steps": 1273, "seconds": 3605.7}
    conditional = cifar10_minutes.row("biggan", {"metrics": {**metrics,
                                                             "conditional_accuracy": 0.2411}},
                                      training, 50)
    assert conditional["cond_acc"] == 0.241 and conditional["images_seen"] == 1273 * 50
    assert cifar10_minutes.row("dcgan", {"metrics": metrics}, training, 128)["cond_acc"] is None
    # a model's card shows its plain variant's grid, whatever order the rows come in
    rows = [{"model": "biggan", "variant": v} for v in ("biggan", "biggan_diffaugment")]
    for ordered in (rows, rows[::-1]):
        assert cifar10_minutes.card_images(ordered + [{"model": None, "variant": "real"}]) == {
            "biggan": "cifar10_minutes_biggan.png"}
    assert cifar10_minutes.card_images(rows[1:]) == {
        "biggan": "cifar10_minutes_biggan_diffaugment.png"}
