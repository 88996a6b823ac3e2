"""``ganzoo.layers.Conv2D`` with ``num_classes``: a conditional discriminator's first convolution
over an image and its one-hot label maps, computed without building the maps. It must equal the
joined-maps convolution (outputs and gradients) and read the weights that network saved."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import blocks, layers, nets


def _joined_first_conv(x, conv, spectral_norm=False):
    """The first convolution as it was before ganzoo.layers.Conv2D: Keras' Conv2D over the image
    joined with K constant maps."""
    if isinstance(x, tuple):
        x = blocks.join_label_maps(*x)
    return blocks.spectral(conv, spectral_norm)(x)


def _images_and_labels(shape, k, n=6, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (n,) + shape).astype(np.float32),
            rng.integers(0, k, n).astype(np.int32))


@pytest.mark.parametrize("shape, kernel, stride, padding", [
    ((28, 28, 1), 4, 2, "same"),      # the DCGAN critic's first layer on grey digits
    ((32, 32, 3), 3, 1, "same"),      # SNGAN's standard CNN on colour images
    ((9, 11, 2), 3, 2, "valid")])     # odd sizes, no padding
def test_conv_over_label_maps_equals_the_convolution_of_the_joined_maps(
        shape, kernel, stride, padding):
    k = 5
    x, y = _images_and_labels(shape, k)
    onehot = tf.one_hot(y, k)
    fast = layers.Conv2D(7, kernel, strides=stride, padding=padding, num_classes=k)
    fast.build([(None,) + shape, (None, k)])
    joined = keras.layers.Conv2D(7, kernel, strides=stride, padding=padding)
    joined.build((None,) + shape[:2] + (shape[2] + k,))
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=w.shape).astype(np.float32) for w in fast.get_weights()]
    fast.set_weights(weights)
    joined.set_weights(weights)
    assert fast.kernel.shape == joined.kernel.shape

    image = tf.constant(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(image)
        maps = tf.broadcast_to(onehot[:, None, None, :], (len(x),) + shape[:2] + (k,))
        out_fast = fast([image, onehot])
        out_joined = joined(tf.concat([image, maps], -1))
        # a loss that weights every output differently, so gradients are not symmetric sums
        w = tf.constant(rng.normal(size=out_fast.shape[1:]).astype(np.float32))
        loss_fast, loss_joined = (tf.reduce_sum(o * w) for o in (out_fast, out_joined))
    np.testing.assert_allclose(out_fast, out_joined, atol=1e-4)
    for a, b in [(fast.kernel, joined.kernel), (fast.bias, joined.bias), (image, image)]:
        np.testing.assert_allclose(tape.gradient(loss_fast, a), tape.gradient(loss_joined, b),
                                   rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("builder", [nets.dcgan_discriminator, nets.sngan_cnn_discriminator])
def test_weights_saved_from_the_joined_maps_critic_load_into_todays_and_back(
        builder, tmp_path, monkeypatch):
    # Keras addresses saved layers by class name: the first convolution must stay "conv2d" in
    # the weights file, or every run, checkpoint and preset saved before it fails to load
    kwargs = dict(data_shape=(28, 28, 1), num_classes=4, label_input=True, filters=8,
                  spectral_norm=False)
    today = builder(**kwargs)
    assert isinstance(today.layers[3], layers.Conv2D) and today.layers[3].num_classes == 4
    with monkeypatch.context() as m:
        m.setattr(nets, "first_conv", _joined_first_conv)
        before = builder(**kwargs)
    assert "data_label" in [layer.name for layer in before.layers]
    x, y = _images_and_labels((28, 28, 1), 4, n=8)
    for source, target in [(before, today), (today, before)]:
        rng = np.random.default_rng(2)
        source.set_weights([rng.normal(0, 0.1, w.shape).astype(np.float32)
                            for w in source.get_weights()])
        path = str(tmp_path / "d.weights.h5")
        source.save_weights(path)
        target.load_weights(path)
        np.testing.assert_allclose(target([x, y], training=False),
                                   source([x, y], training=False), rtol=1e-4, atol=1e-4)


def test_a_label_map_conv_round_trips_its_config_and_spectral_norm_joins_the_maps():
    conv = layers.Conv2D(6, 3, strides=2, padding="same", num_classes=3, name="c")
    clone = layers.Conv2D.from_config(conv.get_config())
    assert clone.num_classes == 3 and clone.filters == 6 and clone.strides == (2, 2)
    assert layers.Conv2D(6, 3).get_config()["num_classes"] == 0          # Keras' Conv2D
    # Keras' SpectralNormalization wraps one-input layers: under it the maps are joined
    d = nets.dcgan_discriminator((28, 28, 1), num_classes=3, label_input=True, filters=8,
                                 spectral_norm=True)
    assert d.get_layer("down1_sn").layer.kernel.shape == (4, 4, 1 + 3, 8)
    assert "data_label" in [layer.name for layer in d.layers]
    x, y = _images_and_labels((28, 28, 1), 3)
    assert d([x, y], training=True).shape == (6, 1)
    with pytest.raises(ValueError, match="channels_last"):
        layers.Conv2D(6, 3, num_classes=3, data_format="channels_first")
