"""Spectral normalization (Miyato et al. 2018) as a discriminator option: the kernels' largest
singular value after power iterations, every discriminator type, training and a round trip."""

import keras
import numpy as np
import pytest

import ganzoo


def spectral_layers(model):
    return [layer for layer in model._flatten_layers(include_self=False, recursive=True)
            if isinstance(layer, keras.layers.SpectralNormalization)]


def top_singular_value(layer):
    kernel = layer.kernel.numpy()
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


def test_power_iterations_bring_each_kernels_largest_singular_value_to_one():
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8},
                       discriminator={"filters": 8, "spectral_norm": True, "norm": "none"})
    wrapped = spectral_layers(gan.discriminator)
    assert len(wrapped) == 3                     # two convolutions and the logit layer
    before = [top_singular_value(w) for w in wrapped]
    assert max(abs(s - 1) for s in before) > 0.1  # N(0, 0.02) kernels are far from 1
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    for _ in range(30):                          # one power iteration per training call
        gan.discriminator(x, training=True)
    after = [top_singular_value(w) for w in wrapped]
    np.testing.assert_allclose(after, 1.0, atol=0.02)


@pytest.mark.parametrize("name, kwargs, count", [
    ("vanilla", dict(discriminator={"hidden": [16, 16]}), 3),
    ("cgan", dict(discriminator={"filters": 8}), 3),
    ("wgan_gp", dict(discriminator={"filters": 8}), 3),
    ("pix2pix", dict(data_shape=[32, 32, 3], generator={"filters": 8},
                     discriminator={"filters": 8, "receptive_field": 16}), 3),
    ("cyclegan", dict(data_shape=[32, 32, 3], generator={"filters": 8},
                      discriminator={"filters": 8, "receptive_field": 16}), 6),
])
def test_every_discriminator_takes_the_option(name, kwargs, count):
    kwargs["discriminator"]["spectral_norm"] = True
    gan = ganzoo.build(name, seed=0, **kwargs)
    judges, makers = (([gan.D_X, gan.D_Y], [gan.G, gan.F]) if name == "cyclegan"
                      else ([gan.discriminator], [gan.generator]))
    assert sum(len(spectral_layers(n)) for n in judges) == count
    assert not any(spectral_layers(n) for n in makers)   # a discriminator option only


def test_trains_and_round_trips(digits_small, tmp_path):
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8},
                       discriminator={"filters": 8, "spectral_norm": True, "norm": "none"},
                       loss={"name": "hinge"}, training={"batch_size": 32})
    history = gan.fit(digits_small[0][:320], epochs=1, verbose=0).history
    assert all(np.all(np.isfinite(v)) for v in history.values())
    for layer in spectral_layers(gan.discriminator):
        # the kernel was normalised before the last forward pass, then moved by one Adam step
        assert abs(top_singular_value(layer) - 1) < 0.2
    gan.save(tmp_path / "sn.keras")
    loaded = ganzoo.load(tmp_path / "sn.keras")
    x = digits_small[0][:4].astype("float32") / 127.5 - 1
    np.testing.assert_array_equal(loaded.discriminator(x).numpy(), gan.discriminator(x).numpy())
    for a, b in zip(spectral_layers(loaded.discriminator), spectral_layers(gan.discriminator)):
        np.testing.assert_array_equal(a.vector_u.numpy(), b.vector_u.numpy())  # power iteration
