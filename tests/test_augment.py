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


def test_ada_operations_keep_shapes_and_are_differentiable():
    for p in (0.0, 0.5, 1.0):
        with tf.GradientTape() as tape:
            tape.watch(X)
            y = augment.ada(X, p)
            loss = tf.reduce_sum(tf.square(y))
        assert y.shape == X.shape
        assert float(tf.reduce_max(tf.abs(tape.gradient(loss, X)))) > 0
    np.testing.assert_array_equal(augment.ada(X, 0.0).numpy(), X.numpy())   # p = 0: identity
    assert not np.array_equal(augment.ada(X, 1.0).numpy(), X.numpy())


def test_ada_adjustment_follows_the_overfitting_heuristic():
    # r_t = 1 (every real image judged real) > 0.6: p rises by count / images_to_one
    assert float(augment.ada_adjust(0.2, 64.0, 64.0, 0.6, 6400)) == pytest.approx(0.21)
    # r_t = 0 < 0.6: p falls, and stays in [0, 1]
    assert float(augment.ada_adjust(0.2, 0.0, 64.0, 0.6, 6400)) == pytest.approx(0.19)
    assert float(augment.ada_adjust(0.0, -64.0, 64.0, 0.6, 6400)) == 0.0
    assert float(augment.ada_adjust(1.0, 64.0, 64.0, 0.6, 64)) == 1.0


def ada_gan(**kwargs):
    return ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                        augment={"ada": {"enabled": True, "images_to_one": 2000,
                                         "interval": 1}},
                        training={"batch_size": 32}, **kwargs)


def test_ada_p_rises_on_memorised_data_and_falls_when_d_is_unsure(digits_small, tmp_path):
    gan = ada_gan()
    # 64 digits over and over: D soon calls every real image real, r_t -> 1, and p climbs
    history = gan.fit(np.tile(digits_small[0][:64], (5, 1, 1, 1)), epochs=3, verbose=0).history
    assert history["ada_p"][-1] > history["ada_p"][0] and float(gan.ada_p) > 0.2
    # D's outputs on real data made negative (a D that calls real images fake: r_t = -1): p falls
    before = float(gan.ada_p)
    for _ in range(4):
        gan.d_optimizer.iterations.assign_add(1)
        gan.adapt_augmentation(-tf.ones((32, 1)))
    assert float(gan.ada_p) == pytest.approx(before - 4 * 32 / 2000, abs=1e-6)
    # p is part of the weights, so checkpoints (save_weights) and saved models keep it
    gan.save_weights(tmp_path / "ckpt.weights.h5")
    again = ada_gan()
    again.load_weights(tmp_path / "ckpt.weights.h5")
    assert float(again.ada_p) == pytest.approx(float(gan.ada_p))
    gan.save(tmp_path / "m.keras")
    assert float(ganzoo.load(tmp_path / "m.keras").ada_p) == pytest.approx(float(gan.ada_p))


@pytest.mark.parametrize("name", ["cgan", "wgan_gp", "sngan", "vanilla"])
def test_every_noise_model_takes_ada(name, digits_small):
    small = {"vanilla": dict(generator={"hidden": [16]}, discriminator={"hidden": [16]})}.get(
        name, dict(generator={"filters": 8}, discriminator={"filters": 8}))
    if name == "sngan":
        small["data_shape"] = [28, 28, 1]
    gan = ganzoo.build(name, seed=0, augment={"ada": {"enabled": True, "images_to_one": 1000,
                                                      "interval": 1}},
                       training={"batch_size": 32}, **small)
    history = gan.fit(digits_small[0][:128], digits_small[1][:128], epochs=1, verbose=0).history
    assert "ada_p" in history and all(np.all(np.isfinite(v)) for v in history.values())
