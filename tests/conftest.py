import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest


@pytest.fixture(autouse=True, scope="session")
def _auto_precision_is_float32():
    """``training.precision: auto`` resolves to float32 in the suite whatever the CPU: the tests'
    tolerances and learning thresholds are measured in float32, and a CI machine with bf16
    units would otherwise run them in mixed_bfloat16 (it did: 1e-5 equalities failed). Session
    scope, so module fixtures that train get it too. Tests of low precision ask for
    ``mixed_bfloat16`` by name, and the tests of ``auto`` itself patch the CPU flags again.
    Subprocesses (the CLI and benchmark scripts) are not affected: pin their precision."""
    from ganzoo.models import zoo_model

    flags = zoo_model._cpu_flags() - {"avx512_bf16", "amx_bf16"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(zoo_model, "_cpu_flags", lambda: set(flags))
        yield


@pytest.fixture
def restore_registry():
    """Take the models a test registers out of the registry again: other tests list every
    registered model (cards, config keys), whichever order the suite's workers run them in."""
    from ganzoo import registry

    before = set(registry._REGISTRY)
    yield
    for name in set(registry._REGISTRY) - before:
        registry._REGISTRY.pop(name)


#: narrow networks per variant, so tests exercise every code path quickly
SMALL_NETS = {
    "dcgan": dict(generator={"filters": 8}, discriminator={"filters": 8}),
    "cgan": dict(generator={"filters": 8}, discriminator={"filters": 8}),
    "wgan": dict(generator={"filters": 8}, discriminator={"filters": 8}),
    "wgan_gp": dict(generator={"filters": 8}, discriminator={"filters": 8}),
    "lsgan": dict(generator={"filters": 8}, discriminator={"filters": 8}),
    "sngan": dict(data_shape=[28, 28, 1], generator={"filters": 8},
                  discriminator={"filters": 8}),
    "vanilla": dict(generator={"hidden": [32]}, discriminator={"hidden": [16]}),
    "biggan": dict(data_shape=[28, 28, 1], latent_dim=96, generator={"filters": 8, "attention": 14},
                   discriminator={"filters": 8, "attention": 14}),
    "stylegan2": dict(data_shape=[28, 28, 1], latent_dim=16,
                      generator={"w_dim": 16, "mapping_layers": 2, "channel_base": 128,
                                 "channel_max": 16},
                      discriminator={"channel_base": 128, "channel_max": 16, "mbstd_group": 4,
                                     "mapping_layers": 1}, loss={"r1_interval": 4}),
}


@pytest.fixture(scope="session")
def digits_small():
    """512 embedded digits (uint8 NHWC) with labels: enough for short real fits."""
    import ganzoo

    images, labels = ganzoo.datasets.load_digits("train")
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(images))[:512]
    return images[idx], labels[idx]


@pytest.fixture
def small_npz(tmp_path, digits_small):
    """256 embedded digits as an .npz in Keras layout (x_train, y_train), for CLI runs."""
    path = tmp_path / "digits.npz"
    images, labels = digits_small
    np.savez(path, x_train=images[:256, ..., 0], y_train=labels[:256])
    return str(path)


@pytest.fixture
def tiny_dcgan():
    """A narrow DCGAN so tests run fast; same code path as the default."""
    import ganzoo

    return ganzoo.build("dcgan", seed=0, generator={"filters": 16},
                        discriminator={"filters": 16}, training={"batch_size": 64})


@pytest.fixture(scope="session")
def digit_classifier():
    """A small CNN trained here on the embedded train digits; checked on the test digits.

    Returns a function images-in-[-1, 1] -> predicted class.
    """
    import ganzoo

    model, accuracy = ganzoo.classifiers.train_digit_classifier()
    assert accuracy >= 0.94, f"the judge itself is too weak: {accuracy:.3f}"  # measured 0.958
    return lambda images: np.argmax(model.predict(images, verbose=0), axis=1)
