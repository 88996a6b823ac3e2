import warnings

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import ganzoo
from ganzoo import datasets


def test_digits_are_real_balanced_and_split():
    train_x, train_y = datasets.load_digits("train")
    test_x, test_y = datasets.load_digits("test")
    assert train_x.shape == (4500, 28, 28, 1) and test_x.shape == (500, 28, 28, 1)
    assert train_x.dtype == np.uint8 and train_x.max() == 255 and train_x.min() == 0
    assert np.bincount(train_y).tolist() == [450] * 10
    assert np.bincount(test_y).tolist() == [50] * 10
    # real digits: a 1 has far less ink than an 8 on average
    ink = [train_x[train_y == c].mean() for c in range(10)]
    assert ink[1] < 0.6 * ink[8]
    with pytest.raises(datasets.DataError, match="splits"):
        datasets.load_digits("validation")


def test_smaller_digits_average_the_pixels_they_cover():
    full, labels = datasets.load_digits("test")
    for size, k in ((14, 2), (7, 4)):
        small, small_labels = datasets.load_digits("test", size=size)
        blocks = full.reshape(-1, size, k, size, k).mean(axis=(2, 4))
        np.testing.assert_array_equal(small[..., 0], np.round(blocks).astype(np.uint8))
        np.testing.assert_array_equal(small_labels, labels)
    for bad in (0, 29, 2.5):
        with pytest.raises(datasets.DataError, match="size must be a whole number"):
            datasets.load_digits("test", size=bad)


def test_load_digits_pipeline():
    ds = ganzoo.datasets.load("digits", batch_size=100, seed=0)
    images, labels = next(iter(ds))
    assert images.shape == (100, 28, 28, 1) and images.dtype == tf.float32
    assert labels.dtype == tf.int32
    assert float(tf.reduce_min(images)) == -1.0 and float(tf.reduce_max(images)) == 1.0
    assert sum(1 for _ in ds) == 45  # 4500 // 100, remainder dropped
    unbatched = ganzoo.datasets.load("digits", split="test")
    assert tuple(unbatched.element_spec[0].shape) == (28, 28, 1)


def test_npz_keras_layout(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (20, 8, 8), dtype=np.uint8)
    path = tmp_path / "d.npz"
    np.savez(path, x_train=x, y_train=np.arange(20) % 3, x_test=x[:4], y_test=np.zeros(4))
    images, labels = next(iter(ganzoo.datasets.load(str(path), batch_size=20, shuffle=False)))
    np.testing.assert_allclose(images.numpy()[..., 0], x / 127.5 - 1, atol=1e-6)
    assert labels.numpy().tolist() == (np.arange(20) % 3).tolist()
    test_images, _ = next(iter(ganzoo.datasets.load(str(path), split="test", batch_size=4)))
    assert test_images.shape == (4, 8, 8, 1)
    with pytest.raises(datasets.DataError, match="no key 'x_val'"):
        ganzoo.datasets.load(str(path), split="val")


def _write_images(folder, n, size=(8, 8), mode="RGB"):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.new(mode, size, color=(i * 10, 0, 0) if mode == "RGB" else i * 10).save(
            folder / f"{i}.png")


def test_image_folder_with_classes(tmp_path):
    _write_images(tmp_path / "cats", 3)
    _write_images(tmp_path / "dogs", 2)
    images, labels = datasets.read_image_folder(str(tmp_path))
    assert images.shape == (5, 8, 8, 3) and labels.tolist() == [0, 0, 0, 1, 1]
    flat = tmp_path / "flat"
    _write_images(flat, 4, mode="L")
    images, labels = datasets.read_image_folder(str(flat))
    assert images.shape == (4, 8, 8, 1) and labels is None
    ds = ganzoo.datasets.load(str(flat), batch_size=2)
    assert tuple(ds.element_spec.shape) == (2, 8, 8, 1)  # drop_remainder: static batch


def test_folder_errors_name_the_problem(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(datasets.DataError, match="contains no files"):
        ganzoo.datasets.load(str(tmp_path / "empty"))
    bad = tmp_path / "bad"
    _write_images(bad, 2)
    (bad / "notes.png").write_text("not an image")
    with pytest.raises(datasets.DataError, match="notes.png"):
        ganzoo.datasets.load(str(bad))
    mixed = tmp_path / "mixed"
    _write_images(mixed, 2)
    Image.new("RGB", (16, 16)).save(mixed / "big.png")
    with pytest.raises(datasets.DataError, match="different sizes"):
        ganzoo.datasets.load(str(mixed))


def test_unknown_name_hints_at_tfds():
    with pytest.raises(datasets.DataError) as e:
        ganzoo.datasets.load("mnsit")
    assert "tensorflow-datasets" in str(e.value) and "Did you mean 'mnist'" in str(e.value)


def test_tfds_through_mock_data():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=40):
        ds = ganzoo.datasets.load("mnist", batch_size=8)
        images, labels = next(iter(ds))
        assert images.shape == (8, 28, 28, 1) and images.dtype == tf.float32
        assert -1.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0
        assert labels.dtype == tf.int32
        gan = ganzoo.build("dcgan", generator={"filters": 8}, discriminator={"filters": 8},
                           training={"batch_size": 8})
        history = gan.fit(ganzoo.datasets.load("mnist"), epochs=1, verbose=0)
        assert np.isfinite(history.history["d_loss"][0])


def _stages(ds):
    names = []
    while ds is not None:
        names.append(type(ds).__name__)
        ds = getattr(ds, "_input_dataset", None)
    return names


@pytest.mark.parametrize("size, cached", [(47_040_000, True), (float("inf"), False)])
def test_tfds_images_are_decoded_once_when_the_split_fits_in_memory(size, cached, monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.setattr(ganzoo.data.readers, "_decoded_bytes", lambda builder, split: size)
    with tfds.testing.mock_data(num_examples=40):
        stages = _stages(ganzoo.datasets.load("mnist", batch_size=8))
    has_cache = ["Cache" in s for s in stages]
    assert any(has_cache) is cached, stages
    if cached:  # cached before the shuffle, so every epoch is still reshuffled
        assert has_cache.index(True) > ["Shuffle" in s for s in stages].index(True)


def test_decoded_size_of_a_tfds_split():
    from types import SimpleNamespace as NS

    split = {"train": NS(num_examples=60_000)}
    info = lambda shape: NS(info=NS(features={"image": NS(shape=shape)}, splits=split))  # noqa: E731
    assert ganzoo.data.readers._decoded_bytes(info((28, 28, 1)), "train") == 47_040_000
    assert ganzoo.data.readers._decoded_bytes(info((None, None, 3)), "train") == float("inf")
    assert ganzoo.data.readers._decoded_bytes(info((28, 28, 1)), "test") == float("inf")


# ---------------------------------------------------------------- fit's input pipeline


def _prep(x, y=None, shape=(8, 8, 1), batch=4):
    ds, has_labels = datasets.prepare_for_fit(x, y, data_shape=shape, batch_size=batch)
    return next(iter(ds)), has_labels


def test_fit_pipeline_accepts_uint8_floats_nhw_batched_and_unbatched():
    x = np.random.default_rng(0).integers(0, 256, (12, 8, 8), dtype=np.uint8)
    (batch, has_labels) = _prep(x)
    assert batch.shape == (4, 8, 8, 1) and not has_labels
    assert float(tf.reduce_min(batch)) >= -1 and float(tf.reduce_max(batch)) <= 1
    (imgs, labels), has_labels = _prep(x, np.arange(12))
    assert has_labels and labels.shape == (4,)
    unbatched = tf.data.Dataset.from_tensor_slices(x[..., None].astype(np.float32) / 127.5 - 1)
    batch, _ = _prep(unbatched)
    assert batch.shape == (4, 8, 8, 1)
    batched = tf.data.Dataset.from_tensor_slices(x).batch(3)
    batch, _ = _prep(batched)
    assert batch.shape == (3, 8, 8, 1)


@pytest.mark.parametrize("x, message", [
    (np.zeros((8, 8, 8, 3), np.uint8), "8x8x3 .* data_shape is 8x8x1"),
    (np.full((8, 8, 8, 1), 255.0, np.float32), r"floats in \[255, 255\]"),
    (np.full((8, 8, 8, 1), 300, np.int32), r"integers in \[300, 300\]"),
    (np.full((8, 8, 8, 1), np.nan, np.float32), "NaN"),
    (np.zeros((2, 8, 8, 1), np.uint8), "fewer than one batch"),
])
def test_fit_pipeline_errors(x, message):
    with pytest.raises(datasets.DataError, match=message):
        _prep(x)


def test_fit_pipeline_warns_on_zero_one_floats():
    x = np.random.default_rng(0).uniform(0, 1, (8, 8, 8, 1)).astype(np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _prep(x)
    assert any("x * 2 - 1" in str(w.message) for w in caught)


def test_fit_rejects_wrong_shape_before_training(digits_small):
    gan = ganzoo.build("dcgan", image_shape=(32, 32, 3), generator={"filters": 8},
                       discriminator={"filters": 8})
    before = [w.copy() for w in gan.generator.get_weights()]
    with pytest.raises(ganzoo.DataError, match=r"data_shape=\(28, 28, 1\)"):
        gan.fit(ganzoo.datasets.load("digits"), epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 0
    assert all(np.array_equal(a, b) for a, b in zip(before, gan.generator.get_weights()))


@pytest.mark.parametrize("x, message", [
    (np.zeros((8, 3), np.float32), r"shape \(3,\) per sample .* data_shape=\[3\]"),
    (np.zeros((8,), np.float32), r"reshape them to \(N, D\)"),
    (np.full((8, 2), np.nan, np.float32), "NaN or infinite values"),
    (np.zeros((2, 2), np.float32), "2 vectors are fewer than one batch"),
])
def test_fit_pipeline_vector_errors(x, message):
    with pytest.raises(datasets.DataError, match=message):
        datasets.prepare_for_fit(x, data_shape=(2,), batch_size=4)


def test_fit_pipeline_vectors_keep_their_values():
    points = np.array([[-3.0, 250.0]] * 8, np.float32)
    ds, _ = datasets.prepare_for_fit(tf.data.Dataset.from_tensor_slices(points), data_shape=(2,),
                                     batch_size=4)
    np.testing.assert_array_equal(next(iter(ds)).numpy(), points[:4])
