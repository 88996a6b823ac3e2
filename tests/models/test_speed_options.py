"""The speed options: training.reuse_fakes, training.precision, training.steps_per_execution."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import losses

SMALL = dict(generator={"filters": 8}, discriminator={"filters": 8})
TINY_P2P = dict(image_shape=(32, 32, 1), generator={"filters": 8},
                discriminator={"filters": 8, "receptive_field": 16})


def _real(digits_small, n=16):
    return tf.constant(digits_small[0][:n].astype(np.float32) / 127.5 - 1.0)


def _weights(*nets):
    return [v.numpy().copy() for net in nets for v in net.trainable_variables]


def _max_diff(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b))


def _fixed_noise(gan, z):
    gan.sample_noise = lambda n: z


@pytest.mark.parametrize("reuse", [True, False])
def test_reuse_fakes_is_one_simultaneous_update_from_one_generated_batch(reuse, digits_small):
    """With reuse_fakes, both players step from the same point on one G(z): exactly the two-tape
    update written out by hand. The paper's alternating step (reuse off) is not."""
    real = _real(digits_small)
    z = tf.random.stateless_uniform((16, 100), (1, 2), -1.0, 1.0)
    gan = ganzoo.build("dcgan", seed=0, **SMALL, training={"reuse_fakes": reuse})
    ref = ganzoo.build("dcgan", seed=0, **SMALL)
    assert _max_diff(_weights(gan.generator, gan.discriminator),
                     _weights(ref.generator, ref.discriminator)) == 0.0
    _fixed_noise(gan, z)
    gan.train_step(real)

    G, D = ref.generator, ref.discriminator
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake = G(z, training=True)
        real_out, fake_out = D(real, training=True), D(fake, training=True)
        d_loss = losses.cross_entropy_discriminator_loss(real_out, fake_out)
        g_loss = losses.non_saturating_generator_loss(fake_out)
    ref.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, D.trainable_variables),
                                        D.trainable_variables))
    ref.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, G.trainable_variables),
                                        G.trainable_variables))
    d_diff = _max_diff(_weights(gan.discriminator), _weights(D))
    g_diff = _max_diff(_weights(gan.generator), _weights(G))
    assert d_diff < 1e-6  # D's update is the same either way (same z, same start)
    if reuse:
        assert g_diff < 1e-6, g_diff
        assert int(gan.g_optimizer.iterations) == int(gan.d_optimizer.iterations) == 1
    else:  # G stepped against the updated D: a different update
        assert g_diff > 1e-4, g_diff


def test_reuse_fakes_trains_a_cgan(digits_small):
    """The shared step keeps every variant's losses: the cGAN's class head still learns."""
    gan = ganzoo.build("cgan", seed=0, **SMALL, conditioning={"head": "acgan"},
                       training={"reuse_fakes": True, "batch_size": 64})
    history = gan.fit(*digits_small, epochs=3, verbose=0)
    acc = history.history["class_acc"]  # D's accuracy on the real digits' classes; chance 0.1
    assert acc[-1] > 0.3 and acc[-1] > acc[0], acc
    assert np.isfinite(history.history["g_loss"]).all()


@pytest.mark.parametrize("name, small", [("dcgan", SMALL), ("cgan", SMALL),
                                         ("pix2pix", TINY_P2P)])
def test_mixed_bfloat16_computes_in_bf16_and_keeps_float32_weights_and_outputs(
        name, small, digits_small, tmp_path):
    extra = {"conditioning": {"head": "acgan"}} if name == "cgan" else {}
    gan = ganzoo.build(name, seed=0, **small, **extra,
                       training={"precision": "mixed_bfloat16", "batch_size": 16})
    convs = [layer for net in (gan.generator, gan.discriminator) for layer in net.layers
             if isinstance(layer, keras.layers.Conv2D)]
    assert convs and all(layer.compute_dtype == "bfloat16" for layer in convs)
    assert all(v.dtype == "float32" for v in gan.generator.trainable_variables)
    outputs = tf.nest.flatten(gan.discriminator.outputs) + gan.generator.outputs
    assert all(t.dtype == "float32" for t in outputs)
    if name == "pix2pix":
        x = np.repeat(digits_small[0][:64], 1, -1)
        x = np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)))
        history = gan.fit(x, 255 - x, epochs=1, verbose=0)
        out = gan.translate(x[:4])
    else:
        history = gan.fit(*(digits_small if name == "cgan" else digits_small[:1]), epochs=1,
                          verbose=0)
        out = gan.generate(4, seed=0)
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert out.dtype == np.float32 and np.abs(out).max() <= 1.0
    gan.save(tmp_path / "m.keras")
    back = keras.models.load_model(tmp_path / "m.keras")
    assert back.config["training"]["precision"] == "mixed_bfloat16"
    again = back.translate(np.pad(digits_small[0][:4], ((0, 0), (2, 2), (2, 2), (0, 0)))) \
        if name == "pix2pix" else back.generate(4, seed=0)
    np.testing.assert_array_equal(out, again)


def test_mixed_float16_wraps_both_optimizers_and_skips_overflowing_updates(digits_small):
    """Keras wraps only `self.optimizer`; a GAN needs both players' losses scaled. An update
    whose scaled gradients overflow is skipped and its scale halved, per player."""
    gan = ganzoo.build("dcgan", seed=0, **SMALL, training={"precision": "mixed_float16"})
    g_opt, d_opt = gan.g_optimizer, gan.d_optimizer
    assert isinstance(g_opt, keras.optimizers.LossScaleOptimizer)
    assert isinstance(d_opt, keras.optimizers.LossScaleOptimizer)
    d_opt.dynamic_scale.assign(3e38)  # scaled D gradients overflow float32
    g_opt.dynamic_scale.assign(1.0)
    d_before, g_before = _weights(gan.discriminator), _weights(gan.generator)
    gan.train_step(_real(digits_small))
    assert _max_diff(_weights(gan.discriminator), d_before) == 0.0
    assert float(d_opt.dynamic_scale) == pytest.approx(1.5e38)
    assert int(d_opt.iterations) == 0 and int(g_opt.iterations) == 1
    assert _max_diff(_weights(gan.generator), g_before) > 0.0
    history = gan.fit(digits_small[0][:256], epochs=1, verbose=0)  # and it trains after that
    assert np.isfinite(history.history["g_loss"]).all()


def test_steps_per_execution_reaches_compile_and_trains_every_batch(digits_small):
    gan = ganzoo.build("dcgan", seed=0, **SMALL,
                       training={"steps_per_execution": 4, "batch_size": 64})
    assert gan.steps_per_execution == 4
    gan.fit(digits_small[0], epochs=2, verbose=0)  # 512 images: 8 batches per epoch
    assert gan.train_steps == 16 and int(gan.g_optimizer.iterations) == 16


@pytest.mark.parametrize("gpus, flags, expected", [
    ([], {"avx512f", "avx512_bf16"}, "mixed_bfloat16"),
    ([], {"amx_bf16"}, "mixed_bfloat16"),
    ([], {"avx2", "avx512f"}, "float32"),
    ([(8, 0)], set(), "mixed_float16"),
    ([(6, 1)], {"avx512_bf16"}, "mixed_bfloat16"),  # no tensor cores: the CPU rule applies
])
def test_precision_auto_picks_low_precision_only_where_it_is_fast(gpus, flags, expected,
                                                                   monkeypatch):
    from ganzoo.models import zoo_model

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: list(gpus))
    monkeypatch.setattr(tf.config.experimental, "get_device_details",
                        lambda gpu: {"compute_capability": gpu})
    monkeypatch.setattr(zoo_model, "_cpu_flags", lambda: set(flags))
    assert zoo_model.resolve_precision("auto") == expected
    assert zoo_model.resolve_precision("float32") == "float32"


@pytest.mark.parametrize("flags, slow", [({"avx2"}, True), ({"avx512_bf16"}, False)])
def test_forced_bf16_on_a_cpu_without_bf16_units_warns(flags, slow, monkeypatch):
    from ganzoo.models import zoo_model

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    monkeypatch.setattr(zoo_model, "_cpu_flags", lambda: set(flags))
    monkeypatch.setattr(zoo_model, "_WARNED", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert zoo_model.resolve_precision("mixed_bfloat16") == "mixed_bfloat16"  # as asked
        zoo_model.resolve_precision("mixed_bfloat16")
    messages = [str(w.message) for w in caught if "bfloat16 instructions" in str(w.message)]
    assert len(messages) == (1 if slow else 0)  # once per process
    if slow:
        assert "'auto'" in messages[0]


def test_a_bf16_model_exports_its_float32_twin_to_tflite(tmp_path):
    """TFLite has no bf16 kernels: export converts the same weights in float32."""
    gan = ganzoo.build("dcgan", seed=0, **SMALL, training={"precision": "mixed_bfloat16"})
    twin = gan.as_float32()
    assert twin.precision == "float32" and twin.generator.compute_dtype == "float32"
    z = gan.latent_numpy(8, seed=3)
    np.testing.assert_allclose(twin.generate(z=z), gan.generate(z=z), atol=0.05)
    meta = ganzoo.export.export_generator(gan, str(tmp_path / "g.tflite"), format="tflite")
    assert meta["verification"]["max_abs_diff"] < 1e-4
