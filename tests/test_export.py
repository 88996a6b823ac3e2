import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ganzoo
from conftest import SMALL_NETS
from ganzoo import cli, export

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = SMALL_NETS


@pytest.fixture(scope="module")
def trained(digits_small):
    """One briefly trained model per family (BatchNorm statistics no longer at their init)."""
    images, labels = digits_small
    models = {}
    for name, small in SMALL.items():
        gan = ganzoo.build(name, seed=0, training={"batch_size": 64}, **small)
        gan.fit(images[:256], labels[:256], epochs=1, verbose=0)
        models[name] = gan
    return models


@pytest.mark.parametrize("name", sorted(SMALL))
@pytest.mark.parametrize("fmt", ["saved_model", "tflite"])
def test_every_family_exports_and_verifies(name, fmt, trained, tmp_path):
    out = tmp_path / ("gen.tflite" if fmt == "tflite" else "gen_saved_model")
    meta = export.export_generator(trained[name], out, format=fmt)
    assert out.exists() and (tmp_path / (out.name + ".json")).is_file()
    assert meta["verification"]["max_abs_diff"] <= 1e-4
    assert meta["model"] == name and meta["format"] == fmt
    names = [i["name"] for i in meta["inputs"]]
    assert names == (["z", "label"] if name in ("cgan", "biggan") else ["z"])
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".ganzoo-export-")]


def test_dynamic_batch_and_inference_mode_in_saved_model(trained, tmp_path):
    import tensorflow as tf

    gan = trained["dcgan"]
    export.export_generator(gan, tmp_path / "sm", output="uint8")
    fn = tf.saved_model.load(str(tmp_path / "sm")).signatures["serving_default"]
    for n in (1, 7):
        z = gan.latent_numpy(n, seed=n)
        images = fn(z=tf.constant(z))["images"].numpy()
        assert images.dtype == np.uint8 and images.shape == (n, 28, 28, 1)
        # BatchNorm in inference mode: one sample alone equals itself within a batch; the
        # artifact is the float32 twin's (dcgan computes in bf16 by default on bf16 CPUs)
        np.testing.assert_array_equal(images,
                                      ganzoo.images.to_uint8(gan.as_float32().generate(z=z)))


def test_int8_dcgan_with_uint8_output(trained, tmp_path):
    meta = export.export_generator(trained["dcgan"], tmp_path / "q.tflite", format="tflite",
                                   quantize="int8", output="uint8")
    v = meta["verification"]
    assert v["max_abs_diff"] <= export.TOLERANCE["int8"] and v["psnr_db"] > 30
    assert meta["outputs"][0]["dtype"] == "uint8" and meta["outputs"][0]["range"] == [0, 255]
    fp32 = export.export_generator(trained["dcgan"], tmp_path / "f.tflite", format="tflite")
    assert meta["size_bytes"] < 0.4 * fp32["size_bytes"]


@pytest.mark.parametrize("quantize", ["float16", "dynamic"])
def test_other_quantizations_verify(quantize, trained, tmp_path):
    meta = export.export_generator(trained["cgan"], tmp_path / "q.tflite", format="tflite",
                                   quantize=quantize)
    assert meta["quantization"] == quantize
    assert meta["verification"]["max_abs_diff"] <= export.TOLERANCE[quantize]


def test_metadata_contents(trained, tmp_path):
    gan = trained["cgan"]
    meta = export.export_generator(gan, tmp_path / "c.tflite", format="tflite")
    on_disk = json.loads((tmp_path / "c.tflite.json").read_text())
    assert on_disk == json.loads(json.dumps(meta))
    assert meta["latent_dim"] == 100 and meta["num_classes"] == 10
    assert meta["ganzoo_version"] == ganzoo.__version__ and len(meta["config_sha256"]) == 64
    assert meta["inputs"][0] == {"name": "z", "dtype": "float32", "shape": [None, 100],
                                 "distribution": "uniform"}
    assert meta["inputs"][1]["range"] == [0, 9]
    assert meta["outputs"][0]["shape"] == [None, 28, 28, 1]
    assert meta["size_bytes"] == os.path.getsize(tmp_path / "c.tflite")


def test_litert_script_writes_png_without_tensorflow(trained, tmp_path):
    export.export_generator(trained["cgan"], tmp_path / "c.tflite", format="tflite")
    png = tmp_path / "grid.png"
    code = ("import runpy, sys; sys.argv = ['tflite_generate.py', sys.argv[1], '--n', '10', "
            "'--label', '3', '--out', sys.argv[2]]; "
            "rc = runpy.run_path(sys.argv[0] if False else "
            f"{os.path.join(ROOT, 'tools', 'tflite_generate.py')!r}, run_name='not_main')"
            "['main'](sys.argv[1:]); "
            "assert 'tensorflow' not in sys.modules, 'TensorFlow was imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.tflite"), str(png)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    from PIL import Image

    assert Image.open(png).size == (4 * 30 + 2, 3 * 30 + 2)  # 10 samples: 4 columns, 3 rows


def test_ring_model_exports_points(tmp_path):
    gan = ganzoo.build("wgan_gp", config="ring", seed=0, generator={"hidden": [16]})
    meta = export.export_generator(gan, tmp_path / "ring.tflite", format="tflite")
    assert meta["outputs"][0]["name"] == "points" and meta["outputs"][0]["shape"] == [None, 2]
    with pytest.raises(export.ExportError, match="uint8.*image generators"):
        export.export_generator(gan, tmp_path / "r2.tflite", format="tflite", output="uint8")


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(format="onnx"), export.ExportError, "Unknown format 'onnx'"),
    (dict(format="tflite", quantize="int4"), export.ExportError, "Unknown quantization"),
    (dict(quantize="int8"), export.ExportError, "applies to TFLite"),
    (dict(output="rgb"), export.ExportError, "Unknown output"),
    (dict(format="tflite", quantize="int8", representative=10), export.ExportError,
     "at least 100"),
])
def test_bad_arguments(kwargs, error, message, trained, tmp_path):
    with pytest.raises(error, match=message):
        export.export_generator(trained["dcgan"], tmp_path / "x", **kwargs)
    assert os.listdir(tmp_path) == []


def test_refuses_overwrite_and_missing_model(trained, tmp_path):
    out = tmp_path / "g.tflite"
    out.write_text("keep me")
    for force in (False, True):  # not an export of ganzoo's: refused even with force
        with pytest.raises(export.ExportError, match="not an earlier ganzoo export"):
            export.export_generator(trained["dcgan"], out, format="tflite", force=force)
    assert out.read_text() == "keep me"
    mine = tmp_path / "mine.tflite"
    export.export_generator(trained["dcgan"], mine, format="tflite")
    with pytest.raises(FileExistsError, match="force"):  # an earlier export needs force
        export.export_generator(trained["dcgan"], mine, format="tflite")
    before = mine.read_bytes()
    export.export_generator(trained["dcgan"], mine, format="tflite", force=True)
    assert mine.stat().st_size > 1000 and mine.read_bytes() == before
    with pytest.raises(FileNotFoundError, match="No saved model"):
        export.export_generator(tmp_path / "nothing", tmp_path / "y.tflite", format="tflite")


def test_failed_verification_leaves_nothing(trained, tmp_path):
    with pytest.raises(export.ExportError, match="Verification failed.*float16"):
        export.export_generator(trained["dcgan"], tmp_path / "q.tflite", format="tflite",
                                quantize="int8", tolerance=1e-9)
    assert os.listdir(tmp_path) == []


def test_unconvertible_model_is_a_clear_error(trained, tmp_path, monkeypatch):
    import tensorflow as tf

    class Broken:
        def convert(self):
            raise RuntimeError("op FancyOp is neither a custom op nor a flex op")

    monkeypatch.setattr(tf.lite.TFLiteConverter, "from_saved_model",
                        staticmethod(lambda *args, **kwargs: Broken()))
    with pytest.raises(export.ExportError, match="cannot convert dcgan.*FancyOp"):
        export.export_generator(trained["dcgan"], tmp_path / "x.tflite", format="tflite")
    assert os.listdir(tmp_path) == []


def test_cli_and_tool_call_the_same_export(trained, tmp_path, capsys):
    run = tmp_path / "run"
    trained["dcgan"].save(tmp_path / "model.keras")
    run.mkdir()
    os.replace(tmp_path / "model.keras", run / "model.keras")
    out = tmp_path / "cli.tflite"
    assert cli.main(["export", str(run), "--format", "tflite", "--out", str(out)]) == 0
    assert "verified on 16 inputs" in capsys.readouterr().out
    assert cli.main(["export", str(run), "--format", "tflite", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "export_generator.py"),
                             str(run), "--format", "saved_model", "--out",
                             str(tmp_path / "tool_sm"), "--output", "uint8"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((tmp_path / "tool_sm.json").read_text())["outputs"][0]["dtype"] == "uint8"


def test_int8_warns_for_instance_norm_generators(tmp_path, restore_registry):
    import keras

    @ganzoo.register("instnorm_test_gan", default_config=ganzoo.registry.default_config("dcgan")
                     | {"model": "instnorm_test_gan"})
    class InstanceNormGAN(ganzoo.models.DCGAN):
        def build_generator(self, name="generator"):
            z = keras.Input((self.latent_dim,))
            x = keras.layers.Dense(7 * 7 * 8)(z)
            x = keras.layers.Reshape((7, 7, 8))(x)
            x = keras.layers.GroupNormalization(groups=-1)(x)  # instance norm
            x = keras.layers.Conv2DTranspose(1, 4, strides=4, padding="same",
                                             activation="tanh")(x)
            return keras.Model(z, x, name=name)

    gan = ganzoo.build("instnorm_test_gan", discriminator={"filters": 8})
    with pytest.warns(UserWarning, match="instance normalisation.*float16"):
        try:
            export.export_generator(gan, tmp_path / "q.tflite", format="tflite", quantize="int8")
        except export.ExportError as e:  # if int8 also fails verification, it says the same
            assert "float16" in str(e)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        export.export_generator(gan, tmp_path / "h.tflite", format="tflite", quantize="float16")
    assert not [w for w in caught if "instance normalisation" in str(w.message)]


@pytest.fixture(scope="module")
def translators():
    """pix2pix and CycleGAN, briefly trained on the embedded demo tasks."""
    models = {}
    for name, source in (("pix2pix", "digits_edges"), ("cyclegan", "digits_thickness")):
        gan = ganzoo.build(name, seed=0, image_shape=(32, 32, 1), training={"batch_size": 16},
                           generator={"filters": 8,
                                      **({"blocks": 2} if name == "cyclegan" else {})},
                           discriminator={"filters": 8, "receptive_field": 16})
        gan.fit(gan.load_data(source, config=gan.config, seed=0).take(64), epochs=1, verbose=0)
        models[name] = gan
    return models


@pytest.mark.parametrize("name, direction", [("pix2pix", "a2b"), ("cyclegan", "a2b"),
                                             ("cyclegan", "b2a")])
@pytest.mark.parametrize("fmt", ["saved_model", "tflite"])
def test_image_to_image_exports_translate(name, direction, fmt, translators, tmp_path):
    gan = translators[name]
    images = ganzoo.datasets.read_pairs("digits_edges", "test")[0]
    out = tmp_path / ("t.tflite" if fmt == "tflite" else "t_saved_model")
    meta = export.export_generator(gan, out, format=fmt, direction=direction, images=images)
    assert meta["signature"] == "translate" and meta["direction"] == direction
    assert meta["inputs"][0]["name"] == "image" and meta["inputs"][0]["shape"] == [None, 32, 32, 1]
    assert meta["calibration_images"] == "real"
    assert meta["verification"]["max_abs_diff"] <= 1e-4
    if fmt == "tflite":  # run it as a mobile app would, and compare with Keras
        from ai_edge_litert.interpreter import Interpreter

        runner = Interpreter(model_path=str(out)).get_signature_runner("translate")
        x = gan.as_float(images[:3])
        got = runner(image=x)["images"]
        expected = gan.translate(x, **({"direction": direction} if name == "cyclegan" else {}))
        np.testing.assert_allclose(got, expected, atol=1e-4)


def test_pix2pix_b2a_is_for_cyclegan_only(translators, tmp_path):
    with pytest.raises(export.ExportError, match="direction='b2a' is for cyclegan"):
        export.export_generator(translators["pix2pix"], tmp_path / "x", direction="b2a")


def test_cyclegan_int8_warns_about_instance_norm(translators, tmp_path):
    images = ganzoo.datasets.read_unpaired("digits_thickness", "test")[0]
    with pytest.warns(UserWarning, match="instance normalisation.*float16"):
        try:
            meta = export.export_generator(translators["cyclegan"], tmp_path / "q.tflite",
                                           format="tflite", quantize="int8", images=images)
            print("int8 max diff", meta["verification"]["max_abs_diff"])
        except export.ExportError as e:
            assert "float16" in str(e)
    meta = export.export_generator(translators["cyclegan"], tmp_path / "h.tflite", format="tflite",
                                   quantize="float16", images=images)
    assert meta["verification"]["max_abs_diff"] <= export.TOLERANCE["float16"]


@pytest.mark.parametrize("force", [False, True])
def test_export_refuses_every_protected_target_with_and_without_force(tmp_path, force):
    """Export writes only what it creates (issue 13): each target below is refused before the
    model is even loaded, and left as it was."""
    run = tmp_path / "run"
    run.mkdir()
    for name in ("model.keras", "config.yaml", "run.json", "history.json"):
        (run / name).write_text(name)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "keep.txt").write_text("keep")
    (tmp_path / "file.tflite").write_text("not an export")
    (tmp_path / "target").write_text("linked")
    os.symlink(tmp_path / "target", tmp_path / "link.tflite")
    targets = {str(run): "is a ganzoo run folder",
               str(run / "model.keras"): "run's own model.keras",
               str(run / "config.yaml"): "run's own config.yaml",
               str(run / "run"): "run's own run.json",
               "/dev/null": "not a regular file",
               str(tmp_path / "folder"): "not an earlier ganzoo export",
               str(tmp_path / "file.tflite"): "not an earlier ganzoo export",
               str(tmp_path / "link.tflite"): "symbolic link"}
    before = sorted(os.listdir(tmp_path))
    for target, words in targets.items():
        with pytest.raises(export.ExportError, match=words):
            export.export_generator(str(run), target, format="tflite", force=force)
    assert sorted(os.listdir(tmp_path)) == before
    assert (run / "model.keras").read_text() == "model.keras"
    assert (tmp_path / "file.tflite").read_text() == "not an export"
    assert (tmp_path / "target").read_text() == "linked"
