"""Every registered variant: builds with defaults, trains on digits, survives save/load."""

import numpy as np
import pytest

import ganzoo
from conftest import SMALL_NETS

SMALL = SMALL_NETS


def test_registry_holds_the_zoo():
    assert set(ganzoo.list_models()) >= {"vanilla", "dcgan", "cgan", "wgan", "wgan_gp"}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_builds_with_defaults(name):
    gan = ganzoo.build(name)
    samples = gan.generate(2, seed=0)
    assert samples.shape == (2,) + tuple(gan.config["data_shape"]) and np.abs(samples).max() <= 1.0


@pytest.mark.parametrize("name", sorted(SMALL))
def test_short_fit_on_digits_and_round_trip(name, digits_small, tmp_path):
    images, labels = digits_small
    gan = ganzoo.build(name, seed=0, training={"batch_size": 32}, **SMALL[name])
    before = [w.copy() for w in gan.generator.get_weights()]
    history = gan.fit(images[:320], labels[:320], epochs=1, verbose=0)
    for key, values in history.history.items():
        assert np.all(np.isfinite(values)), (name, key)
    assert any(not np.allclose(a, b) for a, b in zip(before, gan.generator.get_weights()))
    d_steps = gan.config["training"]["d_steps"]
    assert gan.train_steps == 10   # D updates (stylegan2: minibatches; lazy R1 adds D steps)
    assert int(gan.g_optimizer.iterations) == 10 // d_steps

    gan.save(tmp_path / f"{name}.keras")
    loaded = ganzoo.load(tmp_path / f"{name}.keras")
    assert type(loaded) is type(gan)
    z = gan.latent_numpy(4, seed=5)
    np.testing.assert_array_equal(loaded.generate(z=z), gan.generate(z=z))
    assert int(loaded.d_optimizer.iterations) == int(gan.d_optimizer.iterations)


@pytest.mark.parametrize("loss", ["non_saturating", "minimax", "least_squares", "hinge"])
def test_dcgan_trains_with_every_image_loss(loss, digits_small):
    gan = ganzoo.build("dcgan", loss={"name": loss}, training={"batch_size": 32}, seed=0,
                       **SMALL["dcgan"])
    history = gan.fit(digits_small[0][:128], epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])
    if loss == "hinge":  # raw critic outputs are logged, not probabilities
        assert gan.d_outputs(np.array([[3.0]]), np.array([[-3.0]]))["d_real"] == 3.0


def test_label_smoothing_only_for_cross_entropy():
    assert ganzoo.resolve_config("vanilla", loss={"real_label": 0.9})["loss"]["real_label"] == 0.9
    with pytest.raises(ganzoo.ConfigError, match="only applies to the cross-entropy"):
        ganzoo.build("dcgan", loss={"name": "hinge", "real_label": 0.9})


def test_mlp_discriminator_drops_inputs_and_hidden_units_at_their_own_rates():
    # Goodfellow et al.'s released code keeps 80 % of D's inputs and 50 % of its hidden units
    import keras

    for input_dropout, want in ((None, [0.5, 0.5]), (0.2, [0.2, 0.5])):
        d = ganzoo.build("vanilla", discriminator={"input_dropout": input_dropout}).discriminator
        drops = [layer for layer in d.layers if isinstance(layer, keras.layers.Dropout)]
        assert [layer.rate for layer in drops] == want
    kept = keras.ops.convert_to_numpy(drops[0](np.ones((100, 784)), training=True)) > 0
    assert abs(kept.mean() - 0.8) < 0.01


def test_mlp_discriminator_input_scale_multiplies_the_data_before_the_first_layer():
    from ganzoo import nets

    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    plain = nets.mlp_discriminator((2,), hidden=(8, 8), activation="relu", dropout=0.0)
    scaled = nets.mlp_discriminator((2,), hidden=(8, 8), activation="relu", dropout=0.0,
                                    input_scale=10.0)
    scaled.set_weights(plain.get_weights())
    np.testing.assert_allclose(scaled(x), plain(10.0 * x), rtol=1e-5)
    assert ganzoo.build("sngan", config="ring").discriminator.get_layer("input_scale").scale == 10
