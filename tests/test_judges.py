"""Judges trained on any labelled data: they learn, their folders round-trip, bad input is named."""

import io
import json
import os

import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo import cli, judges


@pytest.fixture(scope="module")
def digits_npz(tmp_path_factory):
    """The 4,500 embedded train digits in Keras layout, the 500 test digits as the test split."""
    x, y = ganzoo.datasets.load_digits("train")
    xt, yt = ganzoo.datasets.load_digits("test")
    path = tmp_path_factory.mktemp("data") / "digits.npz"
    np.savez(path, x_train=x[..., 0], y_train=y, x_test=xt[..., 0], y_test=yt)
    return str(path)


@pytest.fixture(scope="module")
def trained(digits_npz, tmp_path_factory):
    out = tmp_path_factory.mktemp("judges") / "digits"
    return judges.train(digits_npz, out, epochs=3, batch_size=64, verbose=0), out


def test_a_judge_trained_on_a_small_labelled_set_learns(trained):
    judge, out = trained
    record = judge.record
    assert record["test_accuracy"] > 0.9  # chance is 0.1; measured 0.958 on the 500 test digits
    assert record["input_shape"] == [28, 28, 1] and record["classes"] == [str(c) for c in range(10)]
    assert record["data"]["test_split"] == "test" and record["data"]["test_images"] == 500
    assert set(os.listdir(out)) == {"model.keras", "judge.json", "card.md"}
    assert f"{record['test_accuracy']:.2%}" in (out / "card.md").read_text()


def test_a_warm_restart_continues_from_a_judge(trained, digits_npz, tmp_path):
    judge, out = trained
    xt, _ = ganzoo.datasets.load_digits("test")
    again = judges.train(digits_npz, tmp_path / "again", epochs=1, batch_size=64, verbose=0,
                         init=str(out), learning_rate=1e-5)  # barely moves: starts from it
    record = again.record
    assert abs(record["test_accuracy"] - judge.record["test_accuracy"]) < 0.02
    assert np.abs(again.probs(xt[:50]) - judge.probs(xt[:50])).mean() < 0.02
    start = record["training"]["continued_from"]
    assert start["epochs"] == 3 and start["test_accuracy"] == judge.record["test_accuracy"]
    assert record["training"]["seconds"] > judge.record["training"]["seconds"]  # cost included
    assert f"--init {out}" in record["command"]
    cifar_like = tmp_path / "rgb.npz"
    np.savez(cifar_like, x_train=np.zeros((20, 32, 32, 3), np.uint8), y_train=np.arange(20) % 10)
    with pytest.raises(judges.JudgeError, match="--init"):
        judges.train(str(cifar_like), tmp_path / "x", epochs=1, init=str(out), verbose=0)


def test_mixed_precision_and_cutout_train_a_float32_judge(digits_npz, tmp_path):
    import keras
    judge = judges.train(digits_npz, tmp_path / "bf16", epochs=2, batch_size=64, verbose=0,
                         cutout=0.5, precision="mixed_bfloat16")
    record = judge.record
    assert record["test_accuracy"] > 0.85  # chance is 0.1
    assert record["training"]["precision"] == "mixed_bfloat16"
    assert "random erasing" in record["training"]["augmentation"]
    assert "--cutout 0.5 --precision mixed_bfloat16" in record["command"]
    assert keras.mixed_precision.global_policy().name == "float32"  # the caller's, restored
    net = keras.saving.load_model(tmp_path / "bf16" / "model.keras")
    assert {layer.dtype_policy.name for layer in net.layers} == {"float32"}
    for bad, match in (({"precision": "float16"}, "precision"), ({"cutout": 2.0}, "cutout")):
        with pytest.raises(judges.JudgeError, match=match):
            judges.train(digits_npz, tmp_path / "bad", epochs=1, verbose=0, **bad)
        assert not (tmp_path / "bad").exists()


def test_the_judge_folder_round_trips(trained):
    judge, out = trained
    xt, yt = ganzoo.datasets.load_digits("test")
    again = judges.load(out)
    np.testing.assert_allclose(again.probs(xt[:50]), judge.probs(xt[:50]), atol=1e-6)
    assert again.features(xt[:5]).shape == (5, 128)
    assert again.record == json.loads((out / "judge.json").read_text())
    # its probabilities agree with the recorded accuracy
    acc = float((again.probs(xt).argmax(1) == yt).mean())
    assert acc == pytest.approx(again.record["test_accuracy"], abs=1e-6)


def test_existing_folder_is_refused_before_training(trained, digits_npz):
    _, out = trained
    before = (out / "judge.json").read_text()
    with pytest.raises(judges.JudgeError, match="already exists"):
        judges.train(digits_npz, out, epochs=1, verbose=0)
    assert (out / "judge.json").read_text() == before


def test_force_replaces_only_a_judge_folder(tmp_path, digits_npz):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("a user's file")
    with pytest.raises(judges.JudgeError, match="not a judge folder"):
        judges.train(digits_npz, tmp_path / "mine", epochs=1, force=True, verbose=0)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "a user's file"


def test_unlabelled_data_and_unknown_names_get_one_clear_error(tmp_path):
    x, _ = ganzoo.datasets.load_digits("test")
    np.savez(tmp_path / "nolabels.npz", x_train=x[:50, ..., 0])
    with pytest.raises(judges.JudgeError, match="has no labels"):
        judges.train(str(tmp_path / "nolabels.npz"), tmp_path / "j", verbose=0)
    assert not (tmp_path / "j").exists()
    with pytest.raises(judges.JudgeError, match="ganzoo judge train"):
        judges.load(tmp_path / "nowhere")


def test_held_out_split_when_the_data_has_no_test_split(tmp_path):
    x, y = ganzoo.datasets.load_digits("test")
    for c in range(10):  # class folders: names become the class names
        (tmp_path / "data" / f"class_{c}").mkdir(parents=True)
    pick = np.random.default_rng(0).permutation(len(x))[:200]  # the split is sorted by class
    for i, (img, label) in enumerate(zip(x[pick], y[pick])):
        Image.fromarray(img[..., 0]).save(tmp_path / "data" / f"class_{label}" / f"{i}.png")
    judge = judges.train(str(tmp_path / "data"), tmp_path / "j", epochs=1, verbose=0)
    assert judge.record["classes"] == [f"class_{c}" for c in range(10)]
    assert judge.record["data"]["test_images"] == 20 and "held out" in \
        judge.record["data"]["test_split"]


def test_cli_judge_train(digits_npz, tmp_path, capsys):
    assert cli.main(["judge", "train", digits_npz, "--out", str(tmp_path / "j"),
                     "--epochs", "1", "--verbose", "0"]) == 0
    printed = capsys.readouterr().out
    assert "test accuracy" in printed and "Epoch 1/1" not in printed  # --verbose 0: no bar
    assert cli.main(["judge", "train", digits_npz, "--out", str(tmp_path / "j"),
                     "--epochs", "1"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_encoded_npz_layout_is_read(tmp_path):
    """The layout of ../shared/data/cifar10_jpeg.npz: JPEG bytes, offsets and labels."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 8, 8, 3), dtype=np.uint8)
    blobs = []
    for img in images:
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="PNG")  # lossless, so the round trip is exact
        blobs.append(np.frombuffer(buf.getvalue(), np.uint8))
    offsets = np.cumsum([0] + [len(b) for b in blobs])
    np.savez(tmp_path / "enc.npz", train_jpeg=np.concatenate(blobs), train_offsets=offsets,
             y_train=np.arange(5, dtype=np.uint8))
    x, y = ganzoo.datasets.read_npz(str(tmp_path / "enc.npz"), "train")
    np.testing.assert_array_equal(x, images)
    np.testing.assert_array_equal(y, np.arange(5))


# --------------------------------------------------------------------- no silent wrong judge


def test_a_shipped_judge_is_picked_only_for_its_own_dataset():
    assert judges.for_dataset("digits", (28, 28, 1)).name == "mnist_cnn"
    assert judges.for_dataset("mnist", (28, 28, 1)).name == "mnist_cnn"
    assert judges.for_dataset("/data/mnist.npz", (28, 28, 1)).name == "mnist_cnn"
    for other in ("fashion_mnist", "kmnist", "/data/letters", None):
        with pytest.raises(judges.JudgeError, match="--judge mnist.*ganzoo judge train"):
            judges.for_dataset(other, (28, 28, 1))
    with pytest.raises(judges.JudgeError):
        judges.for_dataset("mnist", (32, 32, 1))  # MNIST resized is not what it learnt


def _fashion_like(tmp_path):
    """A 28x28x1 labelled set that is not MNIST (digits turned upside down)."""
    x, y = ganzoo.datasets.load_digits("train")
    xt, yt = ganzoo.datasets.load_digits("test")
    path = tmp_path / "upside_down.npz"
    np.savez(path, x_train=x[:, ::-1, :, 0], y_train=y, x_test=xt[:, ::-1, :, 0], y_test=yt)
    return str(path)


def test_evaluate_on_other_data_needs_a_judge_and_works_with_one(tmp_path, trained):
    data = _fashion_like(tmp_path)
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 4}, discriminator={"filters": 4})
    with pytest.raises(judges.JudgeError, match="No shipped judge knows"):
        ganzoo.evaluate(gan, ["is", "fid"], reference=data, n=100, out=str(tmp_path / "ev"),
                        verbose=0)
    assert not (tmp_path / "ev").exists()
    _, folder = trained
    report = ganzoo.evaluate(gan, ["is", "fid"], reference=data, n=100, judge=str(folder),
                             verbose=0)
    assert report["judge"] == "digits" and report["judge_sha256"]
    assert report["real_split"] == "train" and report["real_images"] == 4500
    assert report["metrics"]["inception_score"]["mean"] >= 1.0


def test_callbacks_refuse_to_guess_a_judge(digits_npz):
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 4}, discriminator={"filters": 4},
                       training={"batch_size": 32})
    x, _ = ganzoo.datasets.load_digits("test")
    with pytest.raises(judges.JudgeError, match="data given as arrays"):
        gan.fit(x[:64], epochs=1, verbose=0,
                callbacks=[ganzoo.callbacks.InceptionScore(n=50)])
    with pytest.raises(judges.JudgeError, match="data given as arrays"):
        gan.fit(x[:64], epochs=1, verbose=0, callbacks=[ganzoo.callbacks.FID(x, n=50)])
    history = gan.fit(x[:64], epochs=1, verbose=0, callbacks=[
        ganzoo.callbacks.InceptionScore(n=50, dataset="digits"),
        ganzoo.callbacks.FID("digits", n=50)])
    assert history.history["inception_score"][0] >= 1.0 and history.history["fid"][0] > 0


def test_evaluate_conditional_metrics_of_a_cgan():
    gan = ganzoo.build("cgan", seed=0, generator={"filters": 4}, discriminator={"filters": 4})
    report = ganzoo.evaluate(gan, ["cond_acc", "intra_fid", "cas", "dc"], reference="digits",
                             n=200, verbose=0)
    m = report["metrics"]
    assert 0.0 <= m["conditional_accuracy"] <= 1.0
    assert set(m["intra_class_fid"]["per_class"]) == set(range(10))
    cas = m["classification_accuracy_score"]
    assert cas["real_baseline"] > cas["generated"]  # an untrained generator teaches nothing
    assert {"density", "coverage"} <= set(m["density_coverage"])
    with pytest.raises(ValueError, match="measure conditional models"):
        ganzoo.evaluate(ganzoo.build("dcgan"), ["cond_acc"], reference="digits", verbose=0)


# --------------------------------------------------------------------- shipped statistics


def test_shipped_mnist_statistics_need_no_real_images():
    mu, sigma, n = judges.reference_statistics("mnist", "train")
    assert mu.shape == (128,) and sigma.shape == (128, 128) and n == 60_000
    np.testing.assert_allclose(sigma, sigma.T)
    judge = judges.load("mnist")
    assert judges.statistics_info("mnist")["judge_sha256"] == judge.record["weights_sha256"]
    real, _ = ganzoo.datasets.load_digits("all")  # real MNIST digits, not in the statistics' maker
    noise = np.random.default_rng(0).integers(0, 256, real.shape, dtype=np.uint8)
    fid = {name: ganzoo.metrics.frechet_distance_from_statistics(
        *ganzoo.metrics.feature_statistics(judge.features(x)), mu, sigma)
        for name, x in (("real", real), ("noise", noise))}
    assert fid["real"] < 0.05 * fid["noise"], fid


def test_a_run_of_mnist_is_recognised_by_its_recorded_checksum():
    info = judges.statistics_info("mnist")
    for checksum in info["run_data_sha256"]:
        assert judges.for_dataset("/somewhere/train.npz", (28, 28, 1), checksum).name \
            == "mnist_cnn"
    with pytest.raises(judges.JudgeError, match="--judge cifar10"):
        judges.for_dataset("/somewhere/train.npz", (28, 28, 1), "0" * 64)


def test_evaluate_fid_with_a_shipped_judge_uses_its_statistics(tmp_path):
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 4}, discriminator={"filters": 4})
    report = ganzoo.evaluate(gan, ["fid"], judge="mnist", n=200, verbose=0)
    assert report["real_images"] == 60_000 and report["real_statistics"].startswith("shipped")
    assert report["resize"] == "none" and report["judge_sha256"]
    mu, sigma, _ = judges.reference_statistics("mnist")
    feats = judges.load("mnist").features(gan.generate(200, seed=0))
    assert report["metrics"]["fid"] == pytest.approx(
        ganzoo.metrics.frechet_distance_from_statistics(
            *ganzoo.metrics.feature_statistics(feats), mu, sigma))
    with pytest.raises(ValueError, match="pass reference"):  # KID needs the real images
        ganzoo.evaluate(gan, ["kid"], judge="mnist", n=200, verbose=0)


def test_fid_callback_reads_shipped_statistics_and_records_its_protocol(tmp_path):
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 4}, discriminator={"filters": 4},
                       training={"batch_size": 32})
    x, _ = ganzoo.datasets.load_digits("test")
    fid = ganzoo.callbacks.FID("mnist", n=64, log_dir=str(tmp_path / "tb"))
    history = gan.fit(x[:64], epochs=1, verbose=0, callbacks=[fid])
    assert history.history["fid"][0] > 0
    assert fid.protocol["real"] == 60_000 and fid.protocol["real_split"].startswith("train")
    assert fid.protocol["judge"] == "mnist_cnn" and fid.protocol["generated"] == 64
    saved = json.loads((tmp_path / "tb" / "protocol_fid.json").read_text())
    assert saved == fid.protocol


def test_large_images_get_a_judge_that_averages_them_down():
    net = judges.architecture_for((128, 96, 3), 2)
    assert net.get_layer("downscale").pool_size == (2, 2)
    assert net(np.zeros((1, 128, 96, 3), "float32")).shape == (1, 2)
    with pytest.raises(judges.JudgeError, match="divide by 3"):
        judges.architecture_for((130, 130, 3), 2)


CIFAR10_SHIPPED = os.path.isfile(os.path.join(judges.CIFAR10_DIR, judges.RECORD))


@pytest.mark.skipif(CIFAR10_SHIPPED, reason="the CIFAR-10 judge ships")
def test_without_a_shipped_cifar10_judge_the_error_says_how_to_train_one():
    with pytest.raises(judges.JudgeError, match="ganzoo judge train cifar10_jpeg.npz"):
        judges.load("cifar10")


@pytest.mark.skipif(not CIFAR10_SHIPPED, reason="no CIFAR-10 judge ships yet (issue 15)")
def test_the_shipped_cifar10_judge_is_cifar10s_own():
    judge = judges.load("cifar10")
    assert judge.record["test_accuracy"] >= 0.88 and judge.record["shipped"] == "cifar10"
    assert judge.record["classes"][:2] == ["airplane", "automobile"]
    assert judges.statistics_info("cifar10")["judge_sha256"] == judge.record["weights_sha256"]
    assert judges.for_dataset("cifar10", (32, 32, 3)) is judge
    assert judges.for_dataset("/data/cifar10_jpeg.npz", (32, 32, 3)) is judge
    for checksum in judges.statistics_info("cifar10")["run_data_sha256"]:
        assert judges.for_dataset("/data/train.npz", (32, 32, 3), checksum) is judge
    with pytest.raises(judges.JudgeError, match="--judge cifar10"):
        judges.for_dataset("cifar100", (32, 32, 3))
    with pytest.raises(judges.JudgeError):
        judges.for_dataset("cifar10", (64, 64, 3))
    images = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    probs, feats = judge.probs_and_features(images)
    np.testing.assert_allclose(probs.sum(1), 1, rtol=1e-5)
    mu, sigma, n = judges.reference_statistics("cifar10", "test")
    assert feats.shape == (8, 128) and mu.shape == (128,) and n == 10_000
