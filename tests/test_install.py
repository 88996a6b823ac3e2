"""A plain (non-editable) wheel install must find the shipped configs and classifier."""

import json
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_wheel_install_finds_configs(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    ROOT], check=True, timeout=600)
    (wheel,) = list(wheels.glob("ganzoo-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert "ganzoo/zoo_configs/dcgan.yaml" in names
        assert "ganzoo/weights/mnist_cnn.weights.h5" in names
        assert "ganzoo/weights/mnist_cnn.stats.npz" in names
        cifar10 = os.path.isdir(os.path.join(ROOT, "ganzoo", "weights", "cifar10"))
        if cifar10:  # the CIFAR-10 judge ships whole, and only at 88 % or better
            for shipped in ("model.keras", "judge.json", "card.md", "stats.npz"):
                assert f"ganzoo/weights/cifar10/{shipped}" in names
            record = json.loads(z.read("ganzoo/weights/cifar10/judge.json"))
            assert record["test_accuracy"] >= 0.88 and record["input_shape"] == [32, 32, 3]
            assert z.getinfo("ganzoo/weights/cifar10/model.keras").file_size < 5 * 2**20
        else:
            assert not any(n.startswith("ganzoo/weights/cifar10/") for n in names)
        # every built-in preset ships whole (config, weights, metadata, samples, card)
        source = os.path.join(ROOT, "ganzoo", "weights", "presets")
        for preset in (os.listdir(source) if os.path.isdir(source) else []):
            for f in os.listdir(os.path.join(source, preset)):
                assert f"ganzoo/weights/presets/{preset}/{f}" in names
        presets = sorted({n.split("/")[3] for n in names
                          if n.startswith("ganzoo/weights/presets/")})
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, timeout=600)
    code = ("import ganzoo, os; assert ganzoo.__file__.startswith(os.environ['SITE']), "
            "ganzoo.__file__; print(ganzoo.classifiers.mnist_classifier_info()['test_accuracy']); "
            "print(os.path.isdir(ganzoo.judges.CIFAR10_DIR) and "
            "ganzoo.judges.reference_statistics('cifar10')[2]); "
            "print([p['name'] for p in ganzoo.list_presets()]); "
            "print(ganzoo.resolve_config('dcgan')['latent_dim'])")
    env = dict(os.environ, PYTHONPATH=str(site), SITE=str(site))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=300, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith(f"{50000 if cifar10 else False}\n{presets}\n100")
