"""The bad-input matrix (issues 9 and 13): every likely mistake gets one clear error before
anything is written, or works as a user would expect; nothing a user had is lost.
docs/bad_inputs.md lists the same cases; a test checks the two agree.

Each case is ``(id, what the user did, error type or None (it works), text the message
contains, action, what is on disk afterwards)``; ``action(tmp_path)`` makes the mistake. Every
case runs with an output folder ``tmp_path/out`` that must not exist afterwards unless the case
says otherwise, and cases on an existing run check it with :func:`_unchanged`.
"""

import contextlib
import hashlib
import os
import re
import shutil
import struct
import warnings
import zlib

import numpy as np
import pytest

import ganzoo
from ganzoo import cli, config as config_lib, datasets, evaluation, export, files, runs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = dict(generator={"filters": 8}, discriminator={"filters": 8})
TRAIN_SMALL = {"generator.filters": 8, "discriminator.filters": 8, "training.batch_size": 32}
NOTHING = "nothing"
UNCHANGED = "the earlier run, unchanged"


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


BASIC_CASES = [  # issue 9: (id, what, error, text, action); nothing is written
    ("unknown_model", "`build` a misspelt model name", ValueError, "Did you mean 'dcgan'",
     lambda t: ganzoo.build("dcgn")),
    ("unknown_config_key", "a config key that does not exist", config_lib.ConfigError,
     "latent_dimm", lambda t: ganzoo.build("dcgan", latent_dimm=64)),
    ("wrong_config_type", "a config value of the wrong type", config_lib.ConfigError,
     "expected an integer", lambda t: ganzoo.build("dcgan", latent_dim="big")),
    ("impossible_config_value", "batch size 0", config_lib.ConfigError,
     "expected a positive integer", lambda t: ganzoo.build("dcgan", training__batch_size=0)),
    ("unknown_augment_operation", "`augment.policy` naming an operation that does not exist",
     config_lib.ConfigError, "comma-separated list of DiffAugment operations",
     lambda t: ganzoo.build("dcgan", augment={"policy": "colour,translation"})),
    ("augment_vectors", "`augment.policy` on vector data (`data_shape: [2]`)",
     config_lib.ConfigError, "set augment.policy: '' for vector data",
     lambda t: ganzoo.build("vanilla", config="ring", augment={"policy": "translation"})),
    ("biggan_latent_split", "`biggan` with a `latent_dim` its hierarchical z cannot split",
     config_lib.ConfigError, "set latent_dim to 132",
     lambda t: ganzoo.build("biggan", latent_dim=130)),
    ("biggan_other_networks", "`biggan` with `generator.type: dcgan`", config_lib.ConfigError,
     "generator.type must be 'biggan'",
     lambda t: ganzoo.build("biggan", generator={"type": "dcgan"})),
    ("stylegan2_d_steps", "`stylegan2` with `training.d_steps: 2`", config_lib.ConfigError,
     "updates G once and D once", lambda t: ganzoo.build("stylegan2", training={"d_steps": 2})),
    ("export_truncation_not_stylegan2", "`export --truncation` for a model without a W space",
     export.ExportError, "StyleGAN2's truncation in W",
     lambda t: export.export_generator(_dcgan(), str(t / "out" / "g.tflite"), format="tflite",
                                       truncation=0.5)),
    ("reuse_fakes_with_d_steps", "`training.reuse_fakes` with several D steps per G step",
     config_lib.ConfigError, "needs training.d_steps: 1",
     lambda t: ganzoo.build("dcgan", training={"reuse_fakes": True, "d_steps": 2})),
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
    ("cli_out_under_a_file", "`ganzoo train --out` below a file", CliError,
     "is a file, not a folder",
     lambda t: _cli("train", "dcgan", "--out", os.path.join(_write(t / "f", "x"), "out"))),
    ("cli_bad_set_option", "`--set` without `=`", CliError, "--set takes key=value",
     lambda t: _cli("train", "dcgan", "--set", "latent_dim", "--out", t / "out")),
    ("cli_labels_unconditional", "`ganzoo sample --labels` for an unconditional model", CliError,
     "--labels is for conditional models",
     lambda t: _cli("sample", _run_dir(t), "--labels", "3", "--out", t / "out" / "g.png")),
    ("export_bad_quantization", "an unknown quantization", export.ExportError,
     "Unknown quantization",
     lambda t: export.export_generator(_dcgan(), str(t / "out" / "g.tflite"), format="tflite",
                                       quantize="int4")),
    ("export_quantize_saved_model", "quantization for a SavedModel", export.ExportError,
     "applies to TFLite", lambda t: export.export_generator(_dcgan(), str(t / "out"),
                                                             quantize="float16")),
    ("export_existing_output", "export over an earlier export without `--force`",
     FileExistsError, "force=True", lambda t: _export_twice(t)),
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


# ----------------------------------------------------------------------------- issue 13 helpers


def _tree(path):
    """{relative path: sha256} of every file below ``path`` (the lock file aside)."""
    out = {}
    for d, _, names in os.walk(path):
        for n in names:
            if n == files.LOCK_FILE:
                continue
            full = os.path.join(d, n)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = hashlib.sha256(f.read()).hexdigest()
    return out


@contextlib.contextmanager
def _unchanged(path):
    """The files below ``path`` are byte for byte the same afterwards, error or not."""
    before = _tree(path)
    try:
        yield
    finally:
        assert _tree(path) == before, f"{path} changed"
        assert not os.path.exists(os.path.join(path, runs.PREVIOUS_DIR))


_TRAINED = {}


def _trained_run(t, name="run"):
    """A copy of one tiny finished dcgan run (trained once per session by ganzoo.train)."""
    if "dcgan" not in _TRAINED:
        import tempfile

        base = tempfile.mkdtemp(prefix="ganzoo-bad-inputs-")
        data = os.path.join(base, "digits.npz")
        np.savez(data, x_train=_digits(64)[..., 0])
        ganzoo.train("dcgan", data, os.path.join(base, "run"), epochs=1, seed=0, verbose=0,
                     **TRAIN_SMALL)
        _TRAINED["dcgan"] = (os.path.join(base, "run"), data)
    src, data = _TRAINED["dcgan"]
    dst = t / name
    shutil.copytree(src, dst)
    return dst, data


def _interrupted_run(t):
    """A tiny run that looks killed mid-training: a checkpoint and no model.keras."""
    run, data = _trained_run(t)
    gan = ganzoo.load(run)
    (run / "backup").mkdir()
    gan.save_weights(run / "backup" / "latest.weights.h5")
    (run / "model.keras").unlink()
    return run, data


def _nan_run(t):
    run, data = _trained_run(t)
    gan = ganzoo.load(run)
    w = gan.generator.weights[0]
    w.assign(np.full(w.shape, np.nan, np.float32))
    (run / "model.keras").unlink()
    gan.save(run / "model.keras")
    return run


def _npz_with(t, images, labels=None, name="bad.npz"):
    path = t / name
    arrays = {"x_train": images}
    if labels is not None:
        arrays["y_train"] = labels
    np.savez(path, **arrays)
    return str(path)


def _digits_with(index, value, dtype=None, n=256):
    x = _digits(n).astype(dtype or np.uint8)
    if dtype is not None and np.issubdtype(np.dtype(dtype), np.floating):
        x = x / np.float32(127.5) - 1
    x[index] = value
    return x


def _train(t, data, out=None, model="dcgan", **kw):
    return ganzoo.train(model, data, str(out or t / "out"), epochs=1, verbose=0,
                        **{**TRAIN_SMALL, **kw})


def _png_header(path, width, height):
    """A PNG that declares width x height (its pixels are never decoded: the size check and
    Pillow's bomb check read only the header)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b""))
                + chunk(b"IEND", b""))
    return str(path)


def _folder_of(t, *paths_and_sizes):
    folder = t / "imgs"
    folder.mkdir()
    for name, size in paths_and_sizes:
        _png_header(folder / name, *size)
    return str(folder)


def _png16(t):
    from PIL import Image

    folder = t / "png16"
    folder.mkdir()
    for i in range(2):
        arr = np.array([[0, 32896], [65535, 257 * 200]], np.uint16)
        Image.fromarray(arr).save(folder / f"{i}.png")
    images, _ = datasets.read_image_folder(str(folder))
    assert images.dtype == np.uint8 and images[0, :, :, 0].tolist() == [[0, 128], [255, 200]]


def _exif(t):
    from PIL import Image

    folder = t / "exif"
    folder.mkdir()
    img = Image.fromarray(np.zeros((4, 8, 3), np.uint8))  # 8 wide, 4 high
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to view"
    img.save(folder / "photo.jpg", exif=exif)
    images, _ = datasets.read_image_folder(str(folder))
    assert images.shape == (1, 8, 4, 3)  # upright: 4 wide, 8 high


def _mixed_layout(t):
    from PIL import Image

    folder = t / "mixed"
    (folder / "cats").mkdir(parents=True)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(folder / "cats" / "a.png")
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(folder / "stray.png")
    return datasets.read_image_folder(str(folder))


def _labels_fit(labels, n=64):
    gan = _cgan()
    gan.fit(_digits(n), labels, epochs=1, verbose=0)
    return gan


def _stream(images, labels=None):
    import tensorflow as tf

    data = images if labels is None else (images, labels)
    return tf.data.Dataset.from_tensor_slices(data).batch(32)


def _fit_stream(model, data):
    model.fit(data, epochs=1, verbose=0)


def _export_twice(t):
    gan = _dcgan()
    export.export_generator(gan, str(t / "g.tflite"), format="tflite")
    export.export_generator(gan, str(t / "g.tflite"), format="tflite")


def _export_into_run(t, out, **kw):
    run, _ = _trained_run(t)
    with _unchanged(run):
        export.export_generator(str(run), out(run), format="tflite", force=True, **kw)


def _locked(t):
    run, data = _trained_run(t)
    with _unchanged(run), files.FolderLock(run):
        _train(t, data, out=run, force=True)


@contextlib.contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _warns_as_error(action):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        action()


def _runaway_loss():
    guard = ganzoo.callbacks.DivergenceGuard()
    guard.set_model(_dcgan())
    guard.on_train_batch_end(0, {"g_loss": 6e8, "d_loss": 1.0})


def _poisoned_build(original):
    def build(*args, **kwargs):
        gan = original(*args, **kwargs)
        w = gan.generator.weights[0]
        w.assign(np.full(w.shape, np.nan, np.float32))
        return gan
    return build


def _train_no_finite_state(t):
    from unittest import mock

    from ganzoo import registry

    with mock.patch.object(registry, "build", _poisoned_build(registry.build)):
        _train(t, _npz_with(t, _digits(64)))


def _other_model_in_run(t):
    run, _ = _trained_run(t)
    (run / "model.keras").unlink()
    ganzoo.build("vanilla", generator={"hidden": [8]}, discriminator={"hidden": [8]}).save(
        run / "model.keras")
    _cli("sample", run, "--out", t / "g.png")


def _evaluate_rgb_without_inception(t):
    run = t / "rgb"
    run.mkdir()
    ganzoo.build("dcgan", image_shape=(32, 32, 3), **SMALL).save(run / "model.keras")
    with _env(GANZOO_INCEPTION_WEIGHTS=str(t / "missing_inception.h5")):
        _cli("evaluate", run, "--reference", _npz_with(
            t, np.zeros((64, 32, 32, 3), np.uint8)), "--metrics", "is", "--judge", "inception",
             "--out", t / "out")


def _evaluate_without_a_judge(t):
    run = t / "letters"
    run.mkdir()
    ganzoo.build("dcgan", **SMALL).save(run / "model.keras")
    _cli("evaluate", run, "--reference", _npz_with(t, np.zeros((64, 28, 28, 1), np.uint8)),
         "--metrics", "is,fid", "--out", t / "out")


def _resume_corrupt(t, name):
    run, data = _interrupted_run(t)
    (run / name).write_text("{not json")
    with _unchanged(run):
        _train(t, data, out=run, resume=True, seed=0)


RUN_CASES = [  # issue 13: (id, what, error, text, action, on disk afterwards)
    # --- run folders: order of work, lock, resume
    ("train_bad_data_writes_nothing", "`ganzoo.train` on an .npz whose image 200 is NaN",
     datasets.DataError, "image 200",
     lambda t: _train(t, _npz_with(t, _digits_with(200, np.nan, np.float32))), NOTHING),
    ("force_with_bad_data", "`--force` over a good run with data that turns out bad",
     datasets.DataError, "image 200",
     lambda t: (lambda r: _unchanged_call(r[0], lambda: _train(
         t, _npz_with(t, _digits_with(200, np.nan, np.float32)), out=r[0], force=True)))(
         _trained_run(t)), UNCHANGED),
    ("train_into_interrupted_run", "`ganzoo train` into a folder holding an interrupted run",
     ganzoo.RunError, "holds an interrupted run",
     lambda t: (lambda r: _unchanged_call(r[0], lambda: _train(t, r[1], out=r[0])))(
         _interrupted_run(t)), UNCHANGED),
    ("train_into_started_run", "`ganzoo train` into a folder killed before its first checkpoint",
     ganzoo.RunError, "stopped before its first checkpoint",
     lambda t: _train(t, _npz_with(t, _digits(64)), out=_started(t)), "the folder, unchanged"),
    ("resume_without_run", "`--resume` where there is no earlier run (or a mistyped `--out`)",
     ganzoo.RunError, "Nothing to resume", lambda t: _train(t, "digits", resume=True), NOTHING),
    ("resume_finished_run", "`--resume` on a finished run", ganzoo.RunError,
     "Nothing to resume: ",
     lambda t: (lambda r: _unchanged_call(r[0], lambda: _train(t, r[1], out=r[0], resume=True)))(
         _trained_run(t)), UNCHANGED),
    ("resume_and_force", "`--resume` and `--force` together", ValueError, "pass one of them",
     lambda t: _train(t, "digits", resume=True, force=True), NOTHING),
    ("train_minutes_not_positive", "`ganzoo train --minutes 0` (a training-time budget)",
     ValueError, "must be a positive training-time budget",
     lambda t: _train(t, "digits", minutes=0), NOTHING),
    ("resume_corrupt_history", "`--resume` with a corrupt history.json", ganzoo.RunError,
     "history.json' is corrupt", lambda t: _resume_corrupt(t, "history.json"), UNCHANGED),
    ("resume_corrupt_run_json", "`--resume` with a corrupt run.json", ganzoo.RunError,
     "run.json' is corrupt", lambda t: _resume_corrupt(t, "run.json"), UNCHANGED),
    ("second_writer", "a second `ganzoo train` into a folder another process is writing",
     ganzoo.RunError, "in use by another ganzoo process (PID", _locked, UNCHANGED),
    ("train_out_is_a_file", "`ganzoo.train` with `out` naming a file", ganzoo.RunError,
     "is a file, not a folder", lambda t: _train(t, "digits", out=_write(t / "f", "x")),
     "the file, unchanged"),
    ("run_model_mismatch", "a run folder whose model.keras is another model's", CliError,
     "mixes two runs", _other_model_in_run, "the folder, unchanged"),
    ("sample_corrupt_run_json", "`ganzoo sample` of a run whose run.json is corrupt", CliError,
     "run.json' is corrupt",
     lambda t: (lambda r: ((r[0] / "run.json").write_text("{"), _cli(
         "sample", r[0], "--out", t / "g.png")))(_trained_run(t)), NOTHING),
    # --- the whole dataset, not its first batch
    ("npz_nan_deep", "one NaN image deep in an .npz", datasets.DataError,
     "image 200 contains NaN",
     lambda t: datasets.read_npz(_npz_with(t, _digits_with(200, np.nan, np.float32))), NOTHING),
    ("npz_0_255_float_deep", "one 0-255 float image deep in an .npz of [-1, 1] floats",
     datasets.DataError, "image 200 has floats in",
     lambda t: datasets.read_npz(_npz_with(t, _digits_with(200, 255.0, np.float32))), NOTHING),
    ("npz_int16_deep", "one int16 pixel of 1000 deep in an .npz", datasets.DataError,
     "image 200 has integers in [0, 1000]",
     lambda t: datasets.read_npz(_npz_with(t, _digits_with((200, 3, 3), 1000, np.int16))),
     NOTHING),
    ("npz_label_10_deep", "label 10 deep in an .npz, for 10 classes (cgan, AC-GAN head)",
     datasets.DataError, "label 200 is out of range",
     lambda t: _train(t, _npz_with(t, _digits(256), np.r_[np.zeros(200), 10, np.zeros(55)]
                                  .astype(np.uint8)), model="cgan",
                      **{"conditioning.head": "acgan"}), NOTHING),
    ("stream_nan_batch", "a tf.data stream whose batch 3 holds a NaN image", datasets.DataError,
     "Batch 3 of the dataset",
     lambda t: _fit_stream(_dcgan(), _stream(_digits_with(100, np.nan, np.float32, n=256))),
     NOTHING),
    ("stream_label_batch", "a tf.data stream whose batch 2 holds label 12", datasets.DataError,
     "Batch 2 of the dataset (counting from 0) has labels",
     lambda t: _fit_stream(_cgan(), _stream(_digits(128), np.r_[np.zeros(70), 12, np.zeros(57)]
                                            .astype(np.int32))), NOTHING),
    ("bool_images", "boolean images", datasets.DataError, "are booleans",
     lambda t: _dcgan().fit(_digits() > 128, epochs=1, verbose=0), NOTHING),
    ("fractional_labels", "float labels that are not whole numbers", datasets.DataError,
     "not a whole number", lambda t: _labels_fit(np.full(64, 2.5)), NOTHING),
    ("whole_float_labels", "float labels that are whole numbers (3.0)", None, "",
     lambda t: _labels_fit(np.arange(64) % 10 * 1.0), "works: labels read as integers"),
    ("one_hot_labels", "one-hot labels", None, "",
     lambda t: _labels_fit(np.eye(10)[np.arange(64) % 10]), "works: rows become class indices"),
    ("bad_one_hot_labels", "2-D labels whose rows are not one-hot", datasets.DataError,
     "is not one-hot", lambda t: _labels_fit(np.full((64, 10), 0.1)), NOTHING),
    ("channels_first_arrays", "channels-first arrays (N, 1, 28, 28)", datasets.DataError,
     "channels first", lambda t: _dcgan().fit(_digits()[:, None, :, :, 0], epochs=1, verbose=0),
     NOTHING),
    ("channels_first_npz", "`ganzoo train` on a channels-first (N, 3, 32, 32) .npz",
     datasets.DataError, "x.transpose(0, 2, 3, 1)",
     lambda t: _train(t, _npz_with(t, np.zeros((64, 3, 32, 32), np.uint8))), NOTHING),
    # --- image files
    ("huge_images", "two 8000x8000 PNGs in a folder", datasets.DataError, "8000x8000 px",
     lambda t: datasets.read_image_folder(_folder_of(t, ("a.png", (8000, 8000)),
                                                     ("b.png", (8000, 8000)))), NOTHING),
    ("decompression_bomb", "a 15000x15000 PNG (a decompression bomb)", datasets.DataError,
     "decompression bomb",
     lambda t: datasets.read_image_folder(_folder_of(t, ("a.png", (15000, 15000)))), NOTHING),
    ("huge_paired_images", "an 8000 px image among pix2pix's A/ B/ folders", datasets.DataError,
     "px a side",
     lambda t: datasets.read_pairs(_ab_huge(t)), NOTHING),
    ("png_16_bit", "16-bit PNGs", None, "", _png16, "works: scaled to 8 bits, not clipped"),
    ("exif_rotated_photo", "a camera JPEG with an EXIF orientation", None, "", _exif,
     "works: the photo is turned upright"),
    ("files_beside_class_folders", "a folder with images and class sub-folders side by side",
     datasets.DataError, "holds both files", _mixed_layout, NOTHING),
    # --- config
    ("duplicate_yaml_key", "a config file that sets one key twice", config_lib.ConfigError,
     "twice (lines 2 and 3)",
     lambda t: ganzoo.build("dcgan", config=_write(t / "c.yaml", "training:\n  epochs: 2\n"
                                                                 "  epochs: 3\n")), NOTHING),
    ("infinite_learning_rate", "`learning_rate: .inf` in a config file", config_lib.ConfigError,
     "numbers must be finite",
     lambda t: ganzoo.build("dcgan", config=_write(
         t / "c.yaml", "optimizer:\n  generator:\n    learning_rate: .inf\n")), NOTHING),
    ("overflowing_learning_rate", "`--set optimizer.generator.learning_rate=1e999`", CliError,
     "numbers must be finite",
     lambda t: _cli("train", "dcgan", "--set", "optimizer.generator.learning_rate=1e999",
                    "--out", t / "out"), NOTHING),
    ("nan_config_value", "`--set loss.real_label=.nan`", CliError, "numbers must be finite",
     lambda t: _cli("train", "dcgan", "--set", "loss.real_label=.nan", "--out", t / "out"),
     NOTHING),
    # --- divergence
    ("no_finite_state", "training that is NaN from its very first state", ganzoo.RunError,
     "no finite state exists", _train_no_finite_state, NOTHING + " (no model.keras)"),
    ("runaway_loss", "losses growing past 1e4 (e.g. CycleGAN at learning rate 10)", UserWarning,
     "beyond 10000", lambda t: _warns_as_error(_runaway_loss), "a warning; training goes on"),
    # --- NaN models
    ("sample_nan_model", "`ganzoo sample` of a model with NaN weights", CliError,
     "NaN or infinite weights",
     lambda t: _cli("sample", _nan_run(t), "--out", t / "out" / "g.png"), NOTHING),
    ("evaluate_nan_model", "`ganzoo evaluate` of a model with NaN weights", CliError,
     "NaN or infinite weights",
     lambda t: _cli("evaluate", _nan_run(t), "--out", t / "out"), NOTHING),
    ("export_nan_model", "`ganzoo export` of a model with NaN weights", CliError,
     "NaN or infinite weights",
     lambda t: _cli("export", _nan_run(t), "--format", "tflite", "--out", t / "out" / "g.tflite"),
     NOTHING),
    # --- export writes only what it creates
    ("export_run_folder_force", "`ganzoo export RUN --out RUN --force`", export.ExportError,
     "is a ganzoo run folder", lambda t: _export_into_run(t, lambda r: str(r)), UNCHANGED),
    ("export_model_keras_force", "`--out RUN/model.keras --force`", export.ExportError,
     "is the run's own model.keras",
     lambda t: _export_into_run(t, lambda r: str(r / "model.keras")), UNCHANGED),
    ("export_metadata_over_run_json", "`--out RUN/run --force` (its .json would be run.json)",
     export.ExportError, "is the run's own run.json",
     lambda t: _export_into_run(t, lambda r: str(r / "run")), UNCHANGED),
    ("export_device_force", "`--out /dev/null --force`", export.ExportError,
     "not a regular file or folder",
     lambda t: export.export_generator(_dcgan(), "/dev/null", format="tflite", force=True),
     "the device, untouched"),
    ("export_foreign_folder_force", "`--out` an existing folder of other files, `--force`",
     export.ExportError, "is not an earlier ganzoo export",
     lambda t: _unchanged_call(_mkdir_with(t), lambda: export.export_generator(
         _dcgan(), str(t / "mine"), force=True)), "the folder, unchanged"),
    ("export_foreign_file_force", "`--out` an existing file that is not an export, `--force`",
     export.ExportError, "is not an earlier ganzoo export",
     lambda t: export.export_generator(_dcgan(), _write(t / "notes.tflite", "mine"),
                                       format="tflite", force=True), "the file, unchanged"),
    ("export_symlink_force", "`--out` a symbolic link, `--force`", export.ExportError,
     "is a symbolic link",
     lambda t: export.export_generator(_dcgan(), _symlink(t), format="tflite", force=True),
     "the link and its target, unchanged"),
    ("export_quantize_none", "`ganzoo export --quantize none` (as documented)", None, "",
     lambda t: _cli("export", _trained_run(t)[0], "--format", "tflite", "--quantize", "none",
                    "--out", t / "g.tflite"), "works: a float32 .tflite and its .json"),
    # --- command line
    ("cli_classifier_error", "`ganzoo evaluate --judge inception` without InceptionV3 weights",
     CliError, "InceptionV3 weights file", _evaluate_rgb_without_inception, NOTHING),
    ("evaluate_without_a_judge", "`ganzoo evaluate` of a 28x28x1 run on data that is not MNIST, "
     "without `--judge`", CliError, "No shipped judge knows", _evaluate_without_a_judge,
     NOTHING),
    ("evaluate_n_too_large", "`ganzoo evaluate --n 1000000000`", CliError, "GiB of memory",
     lambda t: (lambda r: _unchanged_call(r[0], lambda: _cli(
         "evaluate", r[0], "--n", "1000000000")))(_trained_run(t)),
     UNCHANGED + " (no evaluation/)"),
    ("sample_n_too_large", "`ganzoo sample --n 1000000000`", CliError, "GiB of memory",
     lambda t: _cli("sample", _trained_run(t)[0], "--n", "1000000000", "--out", t / "g.png"),
     NOTHING),
    ("sample_out_folder", "`ganzoo sample --out folder/`", CliError, "is a folder",
     lambda t: _cli("sample", _trained_run(t)[0], "--out", str(t / "out") + "/"), NOTHING),
    ("sample_out_no_extension", "`ganzoo sample --out grid` (no image ending)", CliError,
     "needs an image ending",
     lambda t: _cli("sample", _trained_run(t)[0], "--out", t / "grid"), NOTHING),
]


def _unchanged_call(path, action):
    with _unchanged(path):
        return action()


def _started(t):
    run = t / "started"
    run.mkdir()
    (run / "config.yaml").write_text("model: dcgan\n")
    return run


def _mkdir_with(t):
    folder = t / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    return folder


def _symlink(t):
    target = t / "target.txt"
    target.write_text("keep")
    link = t / "link.tflite"
    os.symlink(target, link)
    return str(link)


def _ab_huge(t):
    from PIL import Image

    for domain in "AB":
        (t / "ab" / domain).mkdir(parents=True)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(t / "ab" / "A" / "x.png")
    _png_header(t / "ab" / "B" / "x.png", 8000, 8)
    return str(t / "ab")


CASES = [c + (NOTHING,) for c in BASIC_CASES] + RUN_CASES


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_one_clear_error_and_writes_nothing(case, tmp_path):
    _, _, error, text, action, _ = case
    if error is None:  # works as a user would expect (the action asserts how)
        action(tmp_path)
    else:
        with pytest.raises(error) as info:
            action(tmp_path)
        message = info.value.strerror if isinstance(info.value, OSError) and \
            info.value.strerror else str(info.value)
        assert text in message, message
        assert "\n" not in message.strip() or error is CliError, "one line, please"
    assert not (tmp_path / "out").exists()


def test_there_are_at_least_75_cases():
    assert len(CASES) >= 75


def test_the_docs_table_lists_exactly_these_cases():
    with open(os.path.join(ROOT, "docs", "bad_inputs.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("## Bad inputs"):text.index("## Faults")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = {}
    for row in rows:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
        cells = [c.replace("\\|", "|") for c in cells]
        documented[cells[0].strip("`")] = (cells[1], cells[2].strip("`"), cells[3].strip("`"),
                                           cells[4])
    expected = {c[0]: (c[1], c[2].__name__ if c[2] else "none (works)", c[3], c[5])
                for c in CASES}
    assert documented == expected


def test_no_pickle_and_safe_loading_everywhere():
    sources = []
    for folder in ("ganzoo", "tools", "benchmarks"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, folder)):
            sources += [os.path.join(dirpath, f) for f in names if f.endswith(".py")]
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
