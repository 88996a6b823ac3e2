"""Judges: the shipped classifier, InceptionV3 with local weights, user models (issue 5)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import classifiers, metrics


def test_missing_inception_weights_file_is_a_clear_error(tmp_path):
    with pytest.raises(classifiers.ClassifierError, match="does not exist"):
        classifiers.inception_v3(str(tmp_path / "nope.h5"))


def test_offline_imagenet_download_failure_is_a_clear_error(monkeypatch):
    def offline(**kwargs):
        raise OSError("URL fetch failure: no network")

    monkeypatch.delenv(classifiers.INCEPTION_WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(keras.applications, "InceptionV3", offline)
    with pytest.raises(classifiers.ClassifierError, match="GANZOO_INCEPTION_WEIGHTS"):
        classifiers.Judge.default((32, 32, 3))


def test_inception_v3_from_a_local_weights_file(tmp_path, monkeypatch):
    keras.utils.set_random_seed(0)
    reference = keras.applications.InceptionV3(weights=None)  # stands in for ImageNet weights
    path = str(tmp_path / "inception.weights.h5")
    reference.save_weights(path)
    monkeypatch.setenv(classifiers.INCEPTION_WEIGHTS_ENV, path)
    judge = classifiers.Judge.default((32, 32, 1))
    assert judge.name == "inception_v3"
    images = np.random.default_rng(0).uniform(-1, 1, (3, 32, 32, 1)).astype(np.float32)
    probs, feats = judge.probs_and_features(images)
    assert probs.shape == (3, 1000) and feats.shape == (3, 2048)
    # same as resizing to 299, repeating grey to RGB and calling the original network
    x = tf.image.resize(np.repeat(images, 3, -1), (299, 299), method="bilinear")
    np.testing.assert_allclose(probs, reference(x, training=False).numpy(), rtol=1e-4, atol=1e-6)


def test_a_user_classifier_with_logits():
    keras.utils.set_random_seed(1)
    inputs = keras.Input((8, 8, 1))
    hidden = keras.layers.Dense(5, activation="relu", name="hidden")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, keras.layers.Dense(3, name="logits")(hidden))
    judge = classifiers.Judge(model, outputs="logits")
    images = np.random.default_rng(1).uniform(-1, 1, (6, 8, 8, 1)).astype(np.float32)
    probs, feats = judge.probs_and_features(images)
    logits = model(images).numpy()
    expected = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(probs, expected, rtol=1e-5)
    assert feats.shape == (6, 5)  # the penultimate layer
    assert metrics.inception_score(images, classifier=judge, splits=1)[0] >= 1.0


def test_uint8_and_float_images_get_the_same_judgement():
    from ganzoo import datasets

    digits, _ = datasets.load_digits("test")
    judge = classifiers.Judge.default((28, 28, 1))
    np.testing.assert_allclose(judge.probs(digits[:50]),
                               judge.probs(digits[:50].astype(np.float32) / 127.5 - 1), atol=1e-6)
