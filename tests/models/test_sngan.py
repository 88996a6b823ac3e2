"""SNGAN (Miyato et al. 2018): the paper's ResNets, its hyperparameters, the released updater's
order of updates, and learning on digits."""

import keras
import numpy as np
import pytest

import ganzoo


def test_paper_hyperparameters_and_config_errors():
    cfg = ganzoo.resolve_config("sngan")
    assert cfg["loss"]["name"] == "hinge" and cfg["training"]["d_steps"] == 5
    opt = cfg["optimizer"]["discriminator"]
    assert (opt["learning_rate"], opt["beta_1"], opt["beta_2"]) == (2e-4, 0.0, 0.9)
    assert cfg["latent_dim"] == 128 and cfg["training"]["batch_size"] == 64
    assert cfg["discriminator"]["spectral_norm"] and cfg["training"]["linear_decay_from"] == 0.0
    with pytest.raises(ganzoo.ConfigError, match="spectral_norm must be true"):
        ganzoo.build("sngan", discriminator={"spectral_norm": False})
    with pytest.raises(ganzoo.ConfigError, match="reuse_fakes"):
        ganzoo.build("sngan", training={"reuse_fakes": True, "d_steps": 1})


def test_resnets_of_appendix_b():
    gan = ganzoo.build("sngan")
    g, d = gan.generator, gan.discriminator
    assert g.output_shape == (None, 32, 32, 3) and g.input_shape == (None, 128)
    # Table 4a: three up-sampling blocks of 256 channels from a 4x4 grid
    adds = [x.output.shape[1:] for x in g.layers if x.name.endswith("_add")]
    assert adds == [(8, 8, 256), (16, 16, 256), (32, 32, 256)]
    # Table 4b: down 128 (optimized), down 128, then two blocks of 128 at 8x8
    adds = [x.output.shape[1:] for x in d.layers if x.name.endswith("_add")]
    assert adds == [(16, 16, 128), (8, 8, 128), (8, 8, 128), (8, 8, 128)]
    # every convolution and the output layer spectrally normalised; none in G
    weighted = [x for x in d.layers if isinstance(x, (keras.layers.Conv2D, keras.layers.Dense))]
    wrapped = [x for x in d.layers if isinstance(x, keras.layers.SpectralNormalization)]
    assert not weighted and len(wrapped) == 11   # 2 x 4 residual convs + 2 shortcuts + output
    assert not any(isinstance(x, keras.layers.SpectralNormalization) for x in g.layers)
    # the global sum pooling: D's output scales with the number of positions (no averaging)
    assert d.get_layer("sum_pool").scale == 64.0
    assert 4.2e6 < g.count_params() < 4.4e6 and 1.0e6 < d.count_params() < 1.1e6


def test_standard_cnn_of_table_3(digits_small):
    gan = ganzoo.build("sngan", config="cnn")
    g, d = gan.generator, gan.discriminator
    assert [x.output.shape[1:] for x in g.layers if x.name.endswith("_relu")] == [
        (4, 4, 512), (8, 8, 256), (16, 16, 128), (32, 32, 64)]
    assert [(x.output.shape[1:], x.negative_slope) for x in d.layers
            if x.name.endswith("_lrelu")] == [
        ((32, 32, 64), 0.1), ((16, 16, 64), 0.1), ((16, 16, 128), 0.1), ((8, 8, 128), 0.1),
        ((8, 8, 256), 0.1), ((4, 4, 256), 0.1), ((4, 4, 512), 0.1)]
    wrapped = [x for x in d.layers if isinstance(x, keras.layers.SpectralNormalization)]
    kernels = [x.layer.kernel.shape[:2] for x in wrapped]
    assert kernels == [(3, 3), (4, 4)] * 3 + [(3, 3), (8192, 1)]   # 7 convolutions + dense
    cfg = gan.config
    assert cfg["loss"]["name"] == "non_saturating" and cfg["training"]["d_steps"] == 1
    assert cfg["optimizer"]["generator"]["learning_rate"] == 1e-4
    small = ganzoo.build("sngan", config="cnn", seed=0, data_shape=[28, 28, 1],
                         generator={"filters": 8}, discriminator={"filters": 8},
                         training={"batch_size": 32})
    history = small.fit(digits_small[0][:256], epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert int(small.g_optimizer.iterations) == 8


def test_updater_order_and_learning_on_digits(digits_small):
    gan = ganzoo.build("sngan", seed=0, data_shape=[28, 28, 1], generator={"filters": 16},
                       discriminator={"filters": 16}, training={"batch_size": 32})
    history = gan.fit(digits_small[0], epochs=2, verbose=0).history
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert np.all(np.isfinite(history[key])), key
    # 16 D updates an epoch; G opens every round of 5: steps 0, 5, 10, 15 of each epoch's count
    assert int(gan.d_optimizer.iterations) == 32
    assert int(gan.g_optimizer.iterations) == 7      # D iterations 0, 5, ..., 30
    assert history["d_real"][-1] > history["d_fake"][-1]   # the hinge separates real from fake


def test_nearest_upsampling_layer_equals_keras_upsampling():
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 4)).astype("float32")
    np.testing.assert_array_equal(ganzoo.layers.NearestUpsample2x()(x).numpy(),
                                  keras.layers.UpSampling2D(2)(x).numpy())
