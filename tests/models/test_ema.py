import numpy as np

import ganzoo


def test_ema_update_matches_closed_form_and_is_used_by_generate(digits_small, tmp_path):
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 64}, ema={"enabled": True, "decay": 0.9})
    w0 = [v.numpy().copy() for v in gan.generator.trainable_variables]
    np.testing.assert_array_equal(w0[0], gan.ema_generator.trainable_variables[0].numpy())
    gan.fit(digits_small[0][:64], epochs=1, verbose=0)  # exactly one generator update
    w1 = [v.numpy() for v in gan.generator.trainable_variables]
    d = min(0.9, 2 / 11)  # the warm-up after t = 1 generator update
    for e, a, b in zip(gan.ema_generator.trainable_variables, w0, w1):
        np.testing.assert_allclose(e.numpy(), d * a + (1 - d) * b, rtol=1e-5, atol=1e-7)
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


def test_ema_is_off_by_default_where_the_paper_has_none():
    noise_models = [n for n in ganzoo.list_models() if "ema" in ganzoo.resolve_config(n)]
    assert set(noise_models) >= {"vanilla", "dcgan", "cgan", "wgan", "wgan_gp", "biggan"}
    for name in noise_models:  # image-to-image models have no EMA generator; BigGAN's
        # authors sample from one (launch_cifar_ema.sh: --ema --use_ema), as StyleGAN2's
        # official code does (G_ema)
        assert ganzoo.resolve_config(name)["ema"]["enabled"] is (
            name in ("biggan", "stylegan2")), name
    assert ganzoo.build("dcgan").ema_generator is None


def test_ema_warms_up_like_tensorflows_moving_average():
    """update_ema follows d = min(decay, (1 + t) / (10 + t)) after t generator updates."""
    gan = ganzoo.build("dcgan", seed=0, ema={"enabled": True, "decay": 0.99},
                       generator={"filters": 8}, discriminator={"filters": 8})
    gan.compile()
    for t, d in ((0, 0.1), (5, 6 / 15), (1000, 0.99)):
        gan.g_optimizer.iterations.assign(t)
        for e, w in zip(gan.ema_generator.trainable_variables, gan.generator.trainable_variables):
            e.assign(np.zeros(e.shape, "float32"))
            w.assign(np.ones(w.shape, "float32"))
        gan.update_ema()
        for e in gan.ema_generator.trainable_variables:
            np.testing.assert_allclose(e.numpy(), 1.0 - d, rtol=1e-5)
