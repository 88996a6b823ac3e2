"""DiffAugment (Zhao et al. 2020): each operation is differentiable, keeps shapes, does what its
formula says, and the ``augment.policy`` config reaches every image D sees in training."""

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import augment

X = tf.constant(np.random.default_rng(0).uniform(-1, 1, (6, 16, 12, 3)).astype("float32"))


def fixed(value):
    """A ``uniform`` that always draws ``value``."""
    return lambda shape: tf.fill(shape, tf.constant(value, tf.float32))


@pytest.mark.parametrize("name", sorted(augment.OPERATIONS))
def test_every_operation_is_differentiable_and_keeps_the_shape(name):
    with tf.GradientTape() as tape:
        tape.watch(X)
        y = augment.OPERATIONS[name](X)
        loss = tf.reduce_sum(tf.square(y))
    grad = tape.gradient(loss, X)
    assert y.shape == X.shape
    assert grad is not None and float(tf.reduce_max(tf.abs(grad))) > 0


@pytest.mark.parametrize("name", ["translation", "cutout"])
def test_geometric_operations_stay_in_the_input_range(name):
    y = augment.OPERATIONS[name](X).numpy()
    assert y.min() >= min(X.numpy().min(), 0) and y.max() <= max(X.numpy().max(), 0)
    values = set(np.round(X.numpy().ravel(), 6)) | {0.0}
    assert set(np.round(y.ravel(), 6)) <= values          # pixels moved or zeroed, never mixed


def test_colour_operations_follow_their_formulas():
    x = X.numpy()
    np.testing.assert_allclose(augment.brightness(X, fixed(0.9)).numpy(), x + 0.4, atol=1e-6)
    channel_mean = x.mean(axis=3, keepdims=True)
    np.testing.assert_allclose(augment.saturation(X, fixed(0.25)).numpy(),
                               (x - channel_mean) * 0.5 + channel_mean, atol=1e-6)
    image_mean = x.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(augment.contrast(X, fixed(0.0)).numpy(),
                               (x - image_mean) * 0.5 + image_mean, atol=1e-6)


def test_translation_and_cutout_by_hand():
    x = tf.reshape(tf.range(1, 17, dtype=tf.float32), (1, 4, 4, 1))
    # r = round(4 / 8) = 1 (halves round up); a draw of 0 shifts by -r: up and left one pixel
    y = augment.translation(x, fixed(0.0))[0, ..., 0].numpy()
    want = np.zeros((4, 4), np.float32)
    want[:3, :3] = x.numpy()[0, 1:, 1:, 0]
    np.testing.assert_array_equal(y, want)
    # a 2x2 hole centred at (0, 0) clips to the top-left pixel
    y = augment.cutout(x, fixed(0.0))[0, ..., 0].numpy()
    assert y[0, 0] == 0 and (y != 0).sum() == 15
    # centres run over 0..4 (the paper's code): the largest clips to the bottom-right pixel,
    # the middle one cuts the central 2x2
    y = augment.cutout(x, fixed(0.999))[0, ..., 0].numpy()
    assert y[3, 3] == 0 and (y != 0).sum() == 15
    y = augment.cutout(x, fixed(0.5))[0, ..., 0].numpy()
    assert (y[1:3, 1:3] == 0).all() and (y != 0).sum() == 12


def test_policy_parsing():
    assert augment.parse_policy("color, translation,cutout") == [
        "brightness", "saturation", "contrast", "translation", "cutout"]
    assert augment.parse_policy("") == []
    with pytest.raises(ValueError, match="unknown DiffAugment operation 'flip'"):
        augment.parse_policy("translation,flip")


def test_config_reaches_d_in_training_only(digits_small):
    with pytest.raises(ganzoo.ConfigError, match="augment.policy"):
        ganzoo.build("dcgan", augment={"policy": "zoom"})
    with pytest.raises(ganzoo.ConfigError, match="vectors"):
        ganzoo.build("vanilla", config="ring", augment={"policy": "cutout"})
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       augment={"policy": "translation,cutout"}, training={"batch_size": 32})
    x = tf.constant(digits_small[0][:8].astype("float32") / 127.5 - 1)
    plain = gan.discriminator(x, training=False).numpy()
    np.testing.assert_array_equal(gan.D(x, training=False).numpy(), plain)  # no augmentation
    seen = []
    original = gan.discriminator.call
    gan.discriminator.call = lambda inputs, *a, **k: (seen.append(inputs),
                                                      original(inputs, *a, **k))[1]
    gan.D(x)
    gan.discriminator.call = original
    assert not np.array_equal(seen[-1].numpy(), x.numpy())   # D saw augmented images
    history = gan.fit(digits_small[0][:320], epochs=1, verbose=0).history
    assert all(np.all(np.isfinite(v)) for v in history.values())
