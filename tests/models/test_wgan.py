import numpy as np
import pytest

import ganzoo


def test_weight_clipping_keeps_every_critic_weight_in_range(digits_small):
    gan = ganzoo.build("wgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 32})
    c = gan.config["critic"]["clip_value"]
    assert max(np.abs(w).max() for w in gan.discriminator.get_weights()) > c  # N(0, 0.02) init
    history = gan.fit(digits_small[0][:320], epochs=1, verbose=0)
    for v in gan.discriminator.trainable_variables:
        assert np.abs(v.numpy()).max() <= c + 1e-7, v.path
    assert "w_distance" in history.history


def test_wgan_gp_logs_penalty_and_has_no_clipping(digits_small):
    gan = ganzoo.build("wgan_gp", seed=0, generator={"filters": 8},
                       discriminator={"filters": 8}, training={"batch_size": 32})
    history = gan.fit(digits_small[0][:320], epochs=1, verbose=0)
    assert history.history["gp"][0] > 0
    assert max(np.abs(v.numpy()).max() for v in gan.discriminator.trainable_variables) > 0.01
    assert not any("batch_normalization" in layer.__class__.__name__.lower()
                   for layer in gan.discriminator.layers)


def test_paper_hyperparameters():
    w = ganzoo.resolve_config("wgan")
    assert w["critic"]["clip_value"] == 0.01 and w["training"]["d_steps"] == 5
    assert w["optimizer"]["discriminator"] == {"name": "rmsprop", "learning_rate": 5e-5}
    assert w["training"]["batch_size"] == 64
    gp = ganzoo.resolve_config("wgan_gp")
    assert gp["critic"]["gp_weight"] == 10.0 and gp["training"]["d_steps"] == 5
    opt = gp["optimizer"]["discriminator"]
    assert (opt["learning_rate"], opt["beta_1"], opt["beta_2"]) == (1e-4, 0.0, 0.9)


def test_config_errors():
    with pytest.raises(ganzoo.ConfigError, match="loss.name must be 'wasserstein'"):
        ganzoo.build("wgan", loss={"name": "hinge"})
    with pytest.raises(ganzoo.ConfigError, match="BatchNorm"):
        ganzoo.build("wgan_gp", discriminator={"norm": "batch"})
