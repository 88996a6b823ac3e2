import numpy as np
import pytest
import tensorflow as tf

import ganzoo

TINY = dict(seed=0, generator={"filters": 8}, discriminator={"filters": 8},
            training={"batch_size": 32})


@pytest.mark.parametrize("head, outputs", [("label_input", 1), ("acgan", 2), ("c_plus_1", 1)])
def test_heads_build_train_and_generate_by_label(head, outputs, digits_small):
    gan = ganzoo.build("cgan", conditioning={"head": head}, **TINY)
    out = gan.conditioning.D(gan, tf.zeros((2, 28, 28, 1)), tf.constant([0, 1]))
    assert len(out) == outputs if isinstance(out, list) else outputs == 1
    if head == "c_plus_1":
        assert out.shape[-1] == 11
    history = gan.fit(digits_small[0][:320], digits_small[1][:320], epochs=1, verbose=0)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert ("class_acc" in history.history) == (head != "label_input")
    images = gan.generate(5, labels=[7, 7, 7, 1, 2], seed=0)
    assert images.shape == (5, 28, 28, 1)


def test_the_label_changes_the_sample():
    gan = ganzoo.build("cgan", **TINY)
    z = np.repeat(gan.latent_numpy(1, seed=0), 2, axis=0)
    a, b = gan.generate(z=z, labels=[3, 8])
    assert not np.allclose(a, b)


def test_label_errors_before_training(digits_small):
    images, labels = digits_small
    gan = ganzoo.build("cgan", **TINY)
    with pytest.raises(ganzoo.DataError, match="needs labels"):
        gan.fit(images[:64], epochs=1, verbose=0)
    with pytest.raises(ganzoo.DataError, match="needs labels"):
        gan.fit(tf.data.Dataset.from_tensor_slices(images[:64]), epochs=1, verbose=0)
    bad = labels[:64].copy()
    bad[5] = 12
    with pytest.raises(ganzoo.DataError, match="range from 0 to 12 .* num_classes=10"):
        gan.fit(images[:64], bad, epochs=1, verbose=0)
    with pytest.raises(ganzoo.DataError, match="num_classes=5"):
        ganzoo.build("cgan", num_classes=5, **TINY).fit(
            ganzoo.datasets.load("digits"), epochs=1, verbose=0)
    # whole float labels are class indices (issue 13); fractional ones are an error
    with pytest.raises(ganzoo.DataError, match=r"label 0 .* is \d+\.5, not a whole number"):
        gan.fit(images[:64], labels[:64].astype(np.float32) + 0.5, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 0
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 10\)"):
        gan.generate(2, labels=[0, 10])
    with pytest.raises(ValueError, match="unconditional"):
        ganzoo.build("dcgan").generate(2, labels=[0, 1])


def test_c_plus_1_requires_its_own_loss():
    with pytest.raises(ganzoo.ConfigError, match="c_plus_1"):
        ganzoo.build("cgan", conditioning={"head": "c_plus_1"}, loss={"name": "hinge"})
