import numpy as np

import ganzoo


def test_ema_update_matches_closed_form_and_is_used_by_generate(digits_small, tmp_path):
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 64}, ema={"enabled": True, "decay": 0.9})
    w0 = [v.numpy().copy() for v in gan.generator.trainable_variables]
    np.testing.assert_array_equal(w0[0], gan.ema_generator.trainable_variables[0].numpy())
    gan.fit(digits_small[0][:64], epochs=1, verbose=0)  # exactly one generator update
    w1 = [v.numpy() for v in gan.generator.trainable_variables]
    for e, a, b in zip(gan.ema_generator.trainable_variables, w0, w1):
        np.testing.assert_allclose(e.numpy(), 0.9 * a + 0.1 * b, rtol=1e-5, atol=1e-7)
    for e, g in zip(gan.ema_generator.non_trainable_variables,
                    gan.generator.non_trainable_variables):
        np.testing.assert_array_equal(e.numpy(), g.numpy())  # BatchNorm statistics copied
    z = gan.latent_numpy(3, seed=0)
    ema_out = np.asarray(gan.ema_generator(z, training=False))
    np.testing.assert_allclose(gan.generate(z=z), ema_out, atol=1e-6)
    assert not np.allclose(gan.generate(z=z), np.asarray(gan.generator(z, training=False)))
    gan.save(tmp_path / "ema.keras")
    np.testing.assert_array_equal(ganzoo.load(tmp_path / "ema.keras").generate(z=z),
                                  gan.generate(z=z))


def test_ema_is_off_by_default():
    noise_models = [n for n in ganzoo.list_models() if "ema" in ganzoo.resolve_config(n)]
    assert set(noise_models) >= {"vanilla", "dcgan", "cgan", "wgan", "wgan_gp"}
    for name in noise_models:  # image-to-image models have no EMA generator
        assert ganzoo.resolve_config(name)["ema"]["enabled"] is False
    assert ganzoo.build("dcgan").ema_generator is None
