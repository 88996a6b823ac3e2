import keras
import numpy as np
import pytest

import ganzoo
from ganzoo import nets


@pytest.mark.parametrize("shape, stages", [((28, 28, 1), 2), ((32, 32, 3), 3), ((64, 64, 3), 4)])
def test_output_shapes(shape, stages):
    gan = ganzoo.build("dcgan", image_shape=shape, generator={"filters": 8},
                       discriminator={"filters": 8})
    images = gan.generate(3, seed=0)
    assert images.shape == (3,) + shape and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    logits = gan.discriminator(images)
    assert tuple(logits.shape) == (3, 1)
    convs = [x for x in gan.discriminator.layers if isinstance(x, keras.layers.Conv2D)]
    ups = [x for x in gan.generator.layers if isinstance(x, keras.layers.Conv2DTranspose)]
    assert len(convs) == len(ups) == stages


def test_paper_architecture_details():
    gan = ganzoo.build("dcgan", image_shape=(64, 64, 3), generator={"filters": 128})
    # Fig. 1: 4x4x1024 projection, then 512, 256, 128 channels, then the 3-channel image
    widths = [layer.output.shape[-1] for layer in gan.generator.layers
              if isinstance(layer, (keras.layers.Reshape, keras.layers.Conv2DTranspose))]
    assert widths == [1024, 512, 256, 128, 3]
    d_layers = gan.discriminator.layers
    first_conv = next(i for i, x in enumerate(d_layers) if isinstance(x, keras.layers.Conv2D))
    assert not isinstance(d_layers[first_conv + 1], keras.layers.BatchNormalization)
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in d_layers) == 3
    assert not any(isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D))
                   for layer in d_layers)
    kernel = gan.generator.get_layer("up1").kernel.numpy()
    assert abs(kernel.std() - 0.02) < 0.002 and abs(kernel.mean()) < 0.002


def test_impossible_image_shape_is_refused():
    with pytest.raises(ValueError, match="stride-2"):
        nets.upsampling_plan((27, 27, 1))


def test_short_fit_on_digits_learns(digits_small, tiny_dcgan):
    images, _ = digits_small
    before_g = [w.copy() for w in tiny_dcgan.generator.get_weights()]
    before_d = [w.copy() for w in tiny_dcgan.discriminator.get_weights()]
    history = tiny_dcgan.fit(images, epochs=2, verbose=0)
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert np.all(np.isfinite(history.history[key])), key
    # D separates real from fake after two epochs on real digits
    assert history.history["d_real"][-1] > history.history["d_fake"][-1]
    after_g = tiny_dcgan.generator.get_weights()
    changed_g = [not np.allclose(a, b) for a, b in zip(before_g, after_g)]
    changed_d = [not np.allclose(a, b)
                 for a, b in zip(before_d, tiny_dcgan.discriminator.get_weights())]
    assert all(changed_g[:1]) and any(changed_g) and any(changed_d)
    steps = 2 * (len(images) // 64)
    assert int(tiny_dcgan.g_optimizer.iterations) == steps
    assert int(tiny_dcgan.d_optimizer.iterations) == steps


def test_d_steps_gives_k_discriminator_updates_per_generator_update(digits_small):
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 64, "d_steps": 4, "reuse_fakes": False})
    gan.fit(digits_small[0], epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 8
    assert int(gan.g_optimizer.iterations) == 2


def test_keras_round_trip_keeps_outputs_and_both_optimizers(tmp_path, digits_small, tiny_dcgan):
    tiny_dcgan.fit(digits_small[0][:256], epochs=1, verbose=0)
    path = tmp_path / "gan.keras"
    tiny_dcgan.save(path)
    loaded = ganzoo.load(path)
    assert type(loaded) is type(tiny_dcgan)
    assert loaded.config == tiny_dcgan.config
    z = np.random.default_rng(3).uniform(-1, 1, (5, 100)).astype("float32")
    np.testing.assert_array_equal(loaded.generate(z=z), tiny_dcgan.generate(z=z))
    for name in ("g_optimizer", "d_optimizer"):
        old, new = getattr(tiny_dcgan, name), getattr(loaded, name)
        assert int(new.iterations) == int(old.iterations) == 4
        for a, b in zip(old.variables, new.variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    # training goes on from the loaded state
    loaded.fit(digits_small[0][:128], epochs=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == 6


def test_generate_is_reproducible_and_checks_z(tiny_dcgan):
    a, b = tiny_dcgan.generate(4, seed=7), tiny_dcgan.generate(4, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, tiny_dcgan.generate(4, seed=8))
    assert tiny_dcgan.generate().shape == (64, 28, 28, 1)
    with pytest.raises(ValueError, match=r"z must have shape \(n, 100\)"):
        tiny_dcgan.generate(z=np.zeros((2, 3)))


def test_sub_models_are_usable_alone(tiny_dcgan, tmp_path):
    g = tiny_dcgan.generator
    path = tmp_path / "g.keras"
    g.save(path)
    again = keras.saving.load_model(path)
    z = np.zeros((2, 100), "float32")
    np.testing.assert_allclose(again.predict(z, verbose=0), g.predict(z, verbose=0), atol=1e-6)
