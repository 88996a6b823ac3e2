"""LSGAN (Mao et al. 2017): the least-squares losses against their closed forms, both target
codings, the paper's networks, and learning on digits."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import losses

REAL = np.array([[2.0], [-1.0]], np.float32)
FAKE = np.array([[0.5], [-3.0]], np.float32)


@pytest.mark.parametrize("coding", sorted(losses.LEAST_SQUARES_CODINGS))
def test_losses_by_hand(coding):
    a, b, c = losses.LEAST_SQUARES_CODINGS[coding]
    want_d = 0.5 * ((2 - b) ** 2 + (-1 - b) ** 2) / 2 + 0.5 * ((0.5 - a) ** 2 + (-3 - a) ** 2) / 2
    assert float(losses.least_squares_discriminator_loss(REAL, FAKE, a=a, b=b)) == \
        pytest.approx(want_d, rel=1e-6)
    want_g = 0.5 * ((0.5 - c) ** 2 + (-3 - c) ** 2) / 2
    assert float(losses.least_squares_generator_loss(FAKE, c=c)) == pytest.approx(want_g, rel=1e-6)


@pytest.mark.parametrize("coding", sorted(losses.LEAST_SQUARES_CODINGS))
def test_optimal_discriminator_is_the_papers_closed_form(coding):
    # Two points: real data puts 3/4 of its mass on x1, the generator 1/4. Eq. 3 gives the
    # optimal D*(x) = (b p_data(x) + a p_g(x)) / (p_data(x) + p_g(x)); a table D reaches it.
    a, b, _ = losses.LEAST_SQUARES_CODINGS[coding]
    table = tf.Variable([0.3, -0.2])
    real_idx, fake_idx = [0, 0, 0, 1], [0, 1, 1, 1]
    opt = keras.optimizers.SGD(1.0)
    for _ in range(200):
        with tf.GradientTape() as tape:
            loss = losses.least_squares_discriminator_loss(
                tf.gather(table, real_idx), tf.gather(table, fake_idx), a=a, b=b)
        opt.apply_gradients([(tape.gradient(loss, table), table)])
    p_data, p_g = np.array([0.75, 0.25]), np.array([0.25, 0.75])
    np.testing.assert_allclose(table.numpy(), (b * p_data + a * p_g) / (p_data + p_g), atol=1e-5)


def test_paper_hyperparameters_and_config_errors():
    cfg = ganzoo.resolve_config("lsgan")
    assert cfg["loss"] == {"name": "least_squares", "coding": "0-1", "real_label": 1.0}
    opt = cfg["optimizer"]["generator"]
    assert (opt["name"], opt["learning_rate"], opt["beta_1"]) == ("adam", 1e-3, 0.5)
    assert cfg["training"]["batch_size"] == 64 and cfg["discriminator"]["kernel_size"] == 5
    with pytest.raises(ganzoo.ConfigError, match="loss.name must be 'least_squares'"):
        ganzoo.build("lsgan", loss={"name": "hinge"})
    with pytest.raises(ganzoo.ConfigError, match="loss.coding"):
        ganzoo.build("dcgan", loss={"coding": "-1-1-0"})
    with pytest.raises(ganzoo.ConfigError, match="loss.coding"):
        ganzoo.build("lsgan", loss={"coding": "1-0"})


def test_scene_architecture_at_64_px():
    # Fig. 3a: a 256-channel grid, 3x3 transposed convolutions 256 (s2), 256 (s1), 256 (s2),
    # 256 (s1), 128 (s2), 64 (s2), then the image (s1); Fig. 3b: 5x5 convolutions 64-512
    gan = ganzoo.build("lsgan", config="rgb64")
    ups = [x for x in gan.generator.layers if isinstance(x, keras.layers.Conv2DTranspose)]
    assert [(x.filters, x.strides[0], x.kernel_size[0]) for x in ups] == [
        (256, 2, 3), (256, 1, 3), (256, 2, 3), (256, 1, 3), (128, 2, 3), (64, 2, 3), (3, 1, 3)]
    assert gan.generator.input_shape == (None, 1024)
    assert gan.generate(2, seed=0).shape == (2, 64, 64, 3)
    convs = [x for x in gan.discriminator.layers if isinstance(x, keras.layers.Conv2D)]
    assert [(x.filters, x.kernel_size[0]) for x in convs] == [(64, 5), (128, 5), (256, 5),
                                                              (512, 5)]


@pytest.mark.parametrize("coding", sorted(losses.LEAST_SQUARES_CODINGS))
def test_short_fit_on_digits_moves_d_towards_its_targets(coding, digits_small):
    a, b, _ = losses.LEAST_SQUARES_CODINGS[coding]
    gan = ganzoo.build("lsgan", seed=0, loss={"coding": coding}, generator={"filters": 16},
                       discriminator={"filters": 16})
    history = gan.fit(digits_small[0], epochs=2, verbose=0).history
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert np.all(np.isfinite(history[key])), key
    # D's raw outputs sit between the two targets, real ones nearer b than fake ones
    assert a - 0.5 < history["d_fake"][-1] < history["d_real"][-1] < b + 0.5, history
