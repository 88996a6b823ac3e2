"""The bad-input matrix (issue 9): every likely mistake gets one clear error, before anything is
written. docs/bad_inputs.md lists the same cases; a test checks the two agree.

Each case is ``(id, what the user did, error type, text the message contains, action)``;
``action(tmp_path)`` makes the mistake. Every case runs with an output folder ``tmp_path/out``
that must not exist afterwards (nothing half-written).
"""

import os
import re

import numpy as np
import pytest

import ganzoo
from ganzoo import cli, config as config_lib, datasets, evaluation, export

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = dict(generator={"filters": 8}, discriminator={"filters": 8})


def _digits(n=64):
    return datasets.load_digits("train")[0][:n]


def _dcgan():
    return ganzoo.build("dcgan", **SMALL)


def _cgan():
    return ganzoo.build("cgan", training={"batch_size": 32}, **SMALL)


def _write(path, content, mode="w"):
    with open(path, mode) as f:
        f.write(content)
    return str(path)


def _cli(*argv):
    """Run the CLI; a non-zero exit is raised as the error it printed."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = cli.main([str(a) for a in argv])
    if rc != 0:
        raise CliError(err.getvalue())
    return rc


class CliError(Exception):
    pass


def _run_dir(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    _dcgan().save(run / "model.keras")
    return run


def _bad_folder(tmp_path, kind):
    from PIL import Image

    folder = tmp_path / kind
    folder.mkdir()
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(folder / "a.png")
    if kind == "corrupt":
        _write(folder / "b.png", "this is not a PNG")
    else:
        Image.fromarray(np.zeros((32, 32), np.uint8)).save(folder / "b.png")
    return str(folder)


CASES = [
    ("unknown_model", "`build` a misspelt model name", ValueError, "Did you mean 'dcgan'",
     lambda t: ganzoo.build("dcgn")),
    ("unknown_config_key", "a config key that does not exist", config_lib.ConfigError,
     "latent_dimm", lambda t: ganzoo.build("dcgan", latent_dimm=64)),
    ("wrong_config_type", "a config value of the wrong type", config_lib.ConfigError,
     "expected an integer", lambda t: ganzoo.build("dcgan", latent_dim="big")),
    ("impossible_config_value", "batch size 0", config_lib.ConfigError,
     "expected a positive integer", lambda t: ganzoo.build("dcgan", training__batch_size=0)),
    ("reuse_fakes_with_d_steps", "`training.reuse_fakes` with several D steps per G step",
     config_lib.ConfigError, "needs training.d_steps: 1",
     lambda t: ganzoo.build("wgan", training={"reuse_fakes": True})),
    ("invalid_yaml", "a config file that is not valid YAML", config_lib.ConfigError,
     "is not valid YAML", lambda t: ganzoo.build("dcgan", config=_write(t / "c.yaml", "a: [1,\n"))),
    ("missing_config_file", "a config path that does not exist", config_lib.ConfigError,
     "Cannot read config file", lambda t: ganzoo.build("dcgan", config=str(t / "nope.yaml"))),
    ("batchnorm_critic", "BatchNorm in a WGAN-GP critic", config_lib.ConfigError,
     "which BatchNorm breaks", lambda t: ganzoo.build("wgan_gp", discriminator={"norm": "batch"})),
    ("unknown_strategy", "an unknown tf.distribute strategy name", ValueError,
     "Unknown strategy", lambda t: ganzoo.build("dcgan", strategy="tpu_pod")),
    ("wrong_image_shape", "32x32 images for a 28x28 model", datasets.DataError, "(32, 32, 1)",
     lambda t: _dcgan().fit(np.zeros((64, 32, 32, 1), np.uint8), epochs=1, verbose=0)),
    ("float_range_0_255", "float images in 0-255", datasets.DataError, "must be in [-1, 1]",
     lambda t: _dcgan().fit(_digits().astype(np.float32), epochs=1, verbose=0)),
    ("integer_out_of_range", "integer pixels above 255", datasets.DataError, "must be 0-255",
     lambda t: _dcgan().fit(np.full((64, 28, 28, 1), 300, np.int16), epochs=1, verbose=0)),
    ("nan_pixels", "NaN pixels", datasets.DataError, "NaN",
     lambda t: _dcgan().fit(np.full((64, 28, 28, 1), np.nan, np.float32), epochs=1, verbose=0)),
    ("empty_data", "an empty array", datasets.DataError, "empty",
     lambda t: _dcgan().fit(np.zeros((0, 28, 28, 1), np.uint8), epochs=1, verbose=0)),
    ("labels_missing", "no labels for the conditional model", datasets.DataError, "labels",
     lambda t: _cgan().fit(_digits(), epochs=1, verbose=0)),
    ("labels_out_of_range", "label 12 for 10 classes", datasets.DataError, "[0, 10)",
     lambda t: _cgan().fit(_digits(), np.full(64, 12), epochs=1, verbose=0)),
    ("unknown_dataset", "a dataset name that is not a file, folder or tfds name",
     datasets.DataError, "Unknown dataset", lambda t: datasets.load("mnistt")),
    ("not_an_npz", "a data file that is not .npz", datasets.DataError, "not an .npz",
     lambda t: datasets.load(_write(t / "data.txt", "1,2,3"))),
    ("npz_missing_key", "an .npz without x_train", datasets.DataError, "has no key 'x_train'",
     lambda t: datasets.load(str(_npz(t, images=np.zeros((4, 28, 28)))))),
    ("unreadable_image", "a folder with a file that is not an image", datasets.DataError,
     "Cannot read image", lambda t: datasets.load(_bad_folder(t, "corrupt"))),
    ("mixed_image_sizes", "a folder of images of different sizes", datasets.DataError,
     "different sizes", lambda t: datasets.load(_bad_folder(t, "sizes"))),
    ("empty_folder", "an image folder with no files", datasets.DataError, "contains no files",
     lambda t: datasets.load(str(_mkdir(t / "empty")))),
    ("pair_count_mismatch", "16 inputs but 8 targets for pix2pix", datasets.DataError,
     "16 inputs but 8 targets",
     lambda t: ganzoo.build("pix2pix", image_shape=(32, 32, 1), **SMALL).fit(
         np.zeros((16, 32, 32, 1), np.uint8), np.zeros((8, 32, 32, 1), np.uint8), verbose=0)),
    ("pair_layout_names", "A/ and B/ folders whose file names do not match", datasets.DataError,
     "must hold files with matching names", lambda t: datasets.read_pairs(_ab_folders(t))),
    ("unpaired_channels", "grey A images and RGB B images for CycleGAN", datasets.DataError,
     "one size and channel count",
     lambda t: datasets.read_unpaired(str(_npz(t, trainA=np.zeros((2, 8, 8, 1), np.uint8),
                                                 trainB=np.zeros((2, 8, 8, 3), np.uint8))))),
    ("corrupt_keras_file", "a corrupt .keras file", ValueError, "is not a .keras archive",
     lambda t: ganzoo.load(_write(t / "m.keras", "garbage"))),
    ("missing_saved_model", "a run folder without model.keras", FileNotFoundError,
     "No saved model", lambda t: ganzoo.load(str(_mkdir(t / "norun")))),
    ("cli_existing_run", "`ganzoo train` into a folder holding a run", CliError, "--force",
     lambda t: _cli("train", "dcgan", "--out", _run_dir(t), "--epochs", "1")),
    ("cli_out_under_a_file", "`ganzoo train --out` below a file", CliError, "is a file, not a folder",
     lambda t: _cli("train", "dcgan", "--out", os.path.join(_write(t / "f", "x"), "out"))),
    ("cli_bad_set_option", "`--set` without `=`", CliError, "--set takes key=value",
     lambda t: _cli("train", "dcgan", "--set", "latent_dim", "--out", t / "out")),
    ("cli_labels_unconditional", "`ganzoo sample --labels` for an unconditional model", CliError,
     "--labels is for conditional models",
     lambda t: _cli("sample", _run_dir(t), "--labels", "3", "--out", t / "out" / "g.png")),
    ("export_bad_quantization", "an unknown quantization", export.ExportError,
     "Unknown quantization", lambda t: export.export_generator(_dcgan(), str(t / "out" / "g.tflite"),
                                                                format="tflite", quantize="int4")),
    ("export_quantize_saved_model", "quantization for a SavedModel", export.ExportError,
     "applies to TFLite", lambda t: export.export_generator(_dcgan(), str(t / "out"),
                                                             quantize="float16")),
    ("export_existing_output", "export over an existing file", FileExistsError, "force=True",
     lambda t: export.export_generator(_dcgan(), _write(t / "g.tflite", "old"), format="tflite")),
    ("evaluate_unknown_metric", "a misspelt metric", ValueError, "Did you mean 'fid'",
     lambda t: evaluation.parse_metrics("is,fdi")),
    ("evaluate_reference_size", "FID against references of another size", ValueError,
     "but the model makes (28, 28, 1)",
     lambda t: ganzoo.evaluate(_dcgan(), ["fid"], reference=np.zeros((50, 32, 32, 3), np.uint8),
                               out=str(t / "out"), verbose=0)),
    ("inception_weights_missing", "a missing InceptionV3 weights file",
     ganzoo.classifiers.ClassifierError, "does not exist",
     lambda t: ganzoo.classifiers.inception_v3(str(t / "inception.h5"))),
    ("is_from_logits", "logits passed as probabilities to inception_score", ValueError,
     "not logits", lambda t: ganzoo.metrics.inception_score(np.array([[2.0, -1.0], [0.5, 3.0]]))),
]


def _npz(t, **arrays):
    path = t / "data.npz"
    np.savez(path, **arrays)
    return path


def _ab_folders(t):
    from PIL import Image

    for domain, name in (("A", "x.png"), ("B", "y.png")):
        (t / "ab" / domain).mkdir(parents=True)
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(t / "ab" / domain / name)
    return str(t / "ab")


def _mkdir(path):
    path.mkdir()
    return path


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_one_clear_error_and_writes_nothing(case, tmp_path):
    _, _, error, text, action = case
    with pytest.raises(error) as info:
        action(tmp_path)
    assert text in str(info.value), str(info.value)
    assert not (tmp_path / "out").exists()


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25


def test_the_docs_table_lists_exactly_these_cases():
    with open(os.path.join(ROOT, "docs", "bad_inputs.md"), encoding="utf-8") as f:
        rows = [line for line in f if line.startswith("| `")]
    documented = {}
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        documented[cells[0].strip("`")] = (cells[1], cells[2].strip("`"), cells[3].strip("`"))
    expected = {c[0]: (c[1], c[2].__name__, c[3]) for c in CASES}
    assert documented == expected


def test_no_pickle_and_safe_loading_everywhere():
    sources = []
    for folder in ("ganzoo", "tools", "benchmarks"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            sources += [os.path.join(dirpath, f) for f in files if f.endswith(".py")]
    offences = []
    for path in sources:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for pattern in (r"import pickle", r"allow_pickle\s*=\s*True", r"safe_mode\s*=\s*False",
                        r"yaml\.load\(", r"yaml\.unsafe_load", r"yaml\.Loader\b"):
            if re.search(pattern, text):
                offences.append((os.path.relpath(path, ROOT), pattern))
    assert offences == []
    assert "safe_mode=True" in open(os.path.join(ROOT, "ganzoo", "registry.py")).read()
