"""tools/ship_judge.py: refuses a judge under 88 %, ships one with its recipe and statistics."""

import importlib.util
import json
import os
import sys

import numpy as np
import pytest

from ganzoo import judges

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture()
def ship_judge(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location(
        "ship_judge", os.path.join(ROOT, "tools", "ship_judge.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target = tmp_path / "weights" / "cifar10"
    target.parent.mkdir()
    monkeypatch.setattr(judges, "CIFAR10_DIR", str(target))
    monkeypatch.setitem(judges.STATISTICS, "cifar10", str(target / "stats.npz"))
    monkeypatch.setattr(judges, "_LOADED", {})
    return module, target


def _ship(module, *argv, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["ship_judge.py", *argv])
    module.main()


def test_ship_refuses_under_88_percent_and_ships_with_recipe_and_statistics(
        ship_judge, tmp_path, monkeypatch):
    module, target = ship_judge
    rng = np.random.default_rng(0)
    data = tmp_path / "cifar_like.npz"
    np.savez(data, x_train=rng.integers(0, 256, (40, 32, 32, 3), dtype=np.uint8),
             y_train=np.arange(40) % 10,
             x_test=rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8),
             y_test=np.arange(20) % 10)
    folder = tmp_path / "run" / "judge"
    judges.train(str(data), folder, epochs=1, batch_size=20, verbose=0, cutout=0.5)
    record_path = folder / judges.RECORD
    record = json.loads(record_path.read_text())

    record["test_accuracy"] = 0.87  # a stand-in judge: the gate is what is tested
    record_path.write_text(json.dumps(record))
    with pytest.raises(SystemExit, match="under 88%"):
        _ship(module, "cifar10", str(folder), "--data", str(data), monkeypatch=monkeypatch)
    assert not target.exists()

    record["test_accuracy"] = 0.9
    record_path.write_text(json.dumps(record))
    with pytest.raises(SystemExit, match="under 88%"):  # measured anew: near chance
        _ship(module, "cifar10", str(folder), "--data", str(data), "--flip-average",
              monkeypatch=monkeypatch)
    assert not target.exists()
    _ship(module, "cifar10", str(folder), "--data", str(data), monkeypatch=monkeypatch)
    shipped = json.loads((target / judges.RECORD).read_text())
    assert shipped["classes"][:3] == ["airplane", "automobile", "bird"]
    assert shipped["command"] == ("ganzoo judge train $GANZOO_DATA_DIR/cifar_like.npz --out "
                                  "JUDGE1 --backup CHECKPOINTS1 --epochs 1 --cutout 0.5; "
                                  "python tools/ship_judge.py cifar10 JUDGE1")
    assert str(tmp_path) not in json.dumps(shipped)  # no path of the machine that made it
    stats = np.load(target / "stats.npz")
    assert int(stats["train_n"]) == 40 and int(stats["test_n"]) == 20
    judge = judges.load("cifar10")
    x = np.load(data)["x_test"]
    assert np.allclose(np.asarray(judge.features(x)).mean(0), stats["test_mean"], atol=1e-4)


def test_a_flip_averaged_judge_sees_an_image_and_its_mirror_alike(tmp_path):
    import keras

    net = judges.architecture_for((32, 32, 3), 10)
    averaged = judges.flip_averaged(net)
    averaged.save(tmp_path / "m.keras")
    judge = judges.classifiers.Judge(keras.saving.load_model(tmp_path / "m.keras"),
                                     features_layer="features")
    x = np.random.default_rng(1).integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    mirror = x[:, :, ::-1]
    assert not np.allclose(net.predict(x / 127.5 - 1, verbose=0),
                           net.predict(mirror / 127.5 - 1, verbose=0), atol=1e-4)
    np.testing.assert_allclose(judge.probs(x), judge.probs(mirror), atol=1e-5)
    np.testing.assert_allclose(judge.features(x), judge.features(mirror), atol=1e-4)
    expected = (net.predict(x / 127.5 - 1, verbose=0) + net.predict(mirror / 127.5 - 1,
                                                                     verbose=0)) / 2
    np.testing.assert_allclose(judge.probs(x), expected, atol=1e-5)
