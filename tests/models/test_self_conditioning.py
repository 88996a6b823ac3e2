"""Self-conditioning of the unconditional GANs (``self_conditioning.clusters``): the cluster code
in front of G, the pixel clusters D sees, and a self-conditioned DCGAN's fit, save and export."""

import keras
import numpy as np
import pytest
import scipy.stats

import ganzoo
from ganzoo import config as config_lib
from ganzoo import export
from ganzoo.layers import LatentClusterCode, PixelClusters


def _tiny(clusters=4):
    return ganzoo.build("dcgan", seed=0, generator={"filters": 8},
                        discriminator={"filters": 8},
                        training={"batch_size": 32, "precision": "float32"},
                        self_conditioning={"clusters": clusters, "components": 16})


def _code_and_z(distribution, prior, n):
    """A cluster code over 4 clusters with ``prior``, and n z's of 6 coordinates from its
    latent prior."""
    code = LatentClusterCode(4, distribution)
    code.build((None, 6))
    code.set_prior(prior)
    rng = np.random.default_rng(0)
    z = (rng.uniform(-1, 1, (n, 6)) if distribution == "uniform"
         else rng.standard_normal((n, 6))).astype(np.float32)
    return code, z


@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_cluster_code_draws_each_cluster_with_its_prior(distribution):
    prior = np.array([0.5, 0.1, 0.3, 0.1])
    code, z = _code_and_z(distribution, prior, 50_000)
    out = keras.ops.convert_to_numpy(code(z))
    k = keras.ops.convert_to_numpy(code.cluster_of(z))
    assert out.shape == (50_000, 9)
    np.testing.assert_array_equal(out[:, :5], z[:, :5])          # the continuous part passes
    np.testing.assert_array_equal(out[:, 5:], np.eye(4)[k])      # the code is k's one-hot
    # closed form: the last coordinate's CDF falls in cluster k's slice with probability prior[k]
    cdf = (z[:, -1] + 1) / 2 if distribution == "uniform" else scipy.stats.norm.cdf(z[:, -1])
    np.testing.assert_array_equal(k, np.searchsorted(np.cumsum(prior), cdf, side="right"))
    np.testing.assert_allclose(np.bincount(k, minlength=4) / len(k), prior, atol=0.01)


@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_cluster_code_moves_z_into_the_asked_clusters(distribution):
    prior = np.array([0.5, 0.02, 0.3, 0.18])
    code, z = _code_and_z(distribution, prior, 20_000)
    k = np.random.default_rng(1).integers(0, 4, 20_000)
    moved = keras.ops.convert_to_numpy(code.with_clusters(z, k))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(code.cluster_of(moved)), k)
    np.testing.assert_array_equal(moved[:, :-1], z[:, :-1])
    # within its slice the last coordinate keeps its place: uniform there (closed form)
    cdf = (moved[:, -1] + 1) / 2 if distribution == "uniform" else scipy.stats.norm.cdf(
        moved[:, -1])
    ends = np.concatenate([[0], np.cumsum(prior)])
    place = (cdf - ends[k]) / prior[k]
    assert scipy.stats.kstest(place, "uniform").pvalue > 0.01


def test_wgan_gp_critic_pairs_fakes_with_the_real_clusters(digits_small):
    gan = ganzoo.build("wgan_gp", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 32, "precision": "float32"},
                       self_conditioning={"clusters": 4, "components": 16})
    history = gan.fit(digits_small[0][:256], epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    x = digits_small[0][:64].astype(np.float32) / 127.5 - 1
    k = gan.cluster_of_data(x)
    z = gan.noise_of_clusters(gan.latent_numpy(64, seed=2), k)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(gan.cluster_of_noise(z)),
                                  keras.ops.convert_to_numpy(k))


def test_pixel_clusters_recover_separated_groups():
    rng = np.random.default_rng(0)
    prototypes = rng.uniform(-1, 1, (3, 8, 8, 1))
    group = rng.integers(0, 3, 600)
    images = prototypes[group] + rng.normal(0, 0.1, (600, 8, 8, 1))
    clusters = PixelClusters(3, components=5)
    shares = clusters.fit(images, seed=0)
    assert clusters.is_fitted
    labels = keras.ops.convert_to_numpy(clusters(images))
    table = np.zeros((3, 3), int)
    np.add.at(table, (labels, group), 1)
    assert (np.count_nonzero(table, axis=1) == 1).all()  # one group per cluster, none split
    np.testing.assert_allclose(shares, np.bincount(labels, minlength=3) / 600)
    fresh = prototypes[group[:50]] + rng.normal(0, 0.1, (50, 8, 8, 1))
    np.testing.assert_array_equal(table[:, group[:50]].argmax(0),
                                  keras.ops.convert_to_numpy(clusters(fresh)))


def test_generator_jumps_between_clusters_only_with_the_last_coordinate():
    gan = _tiny()
    gan.generator.get_layer("cluster_code").set_prior([0.25] * 4)
    z = np.repeat(gan.latent_numpy(1, seed=0), 4, axis=0)
    z[:, -1] = [-0.9, -0.6, 0.6, 0.9]  # slices [-1, -0.5), [-0.5, 0), [0, 0.5), [0.5, 1]
    out = gan.generate(z=z)
    assert np.abs(out[0] - out[1]).max() < 1e-6      # same cluster: the same image
    assert np.abs(out[1] - out[2]).max() > 1e-3      # another cluster: another image
    assert len(gan.discriminator.inputs) == 2        # D takes [image, cluster]


def test_self_conditioned_dcgan_fits_round_trips_and_exports(digits_small, tmp_path):
    images, _ = digits_small
    gan = _tiny()
    history = gan.fit(images, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    assert gan.pixel_clusters.is_fitted
    # G draws clusters with the shares they have among the training images
    labels = keras.ops.convert_to_numpy(gan.pixel_clusters(images.astype(np.float32) / 127.5 - 1))
    picks = keras.ops.convert_to_numpy(gan.cluster_of_noise(gan.latent_numpy(20_000, seed=1)))
    np.testing.assert_allclose(np.bincount(picks, minlength=4) / len(picks),
                               np.bincount(labels, minlength=4) / len(labels), atol=0.05)
    centres = keras.ops.convert_to_numpy(gan.pixel_clusters.centres)
    gan.fit(images, epochs=1, verbose=0)  # a second fit keeps the clusters it learned
    np.testing.assert_array_equal(centres, keras.ops.convert_to_numpy(gan.pixel_clusters.centres))
    path = tmp_path / "sc.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.pixel_clusters.is_fitted
    np.testing.assert_allclose(loaded.generate(8, seed=3), gan.generate(8, seed=3), atol=1e-6)
    meta = export.export_generator(gan, tmp_path / "g.tflite", format="tflite")
    assert meta["verification"]["max_abs_diff"] < 1e-4


def test_self_conditioning_errors_name_the_fix(digits_small):
    with pytest.raises(config_lib.ConfigError, match="self_conditioning.clusters"):
        ganzoo.build("dcgan", self_conditioning={"clusters": 1})
    with pytest.raises(config_lib.ConfigError, match="raise latent_dim"):
        ganzoo.build("dcgan", latent_dim=1, self_conditioning={"clusters": 4})
    with pytest.raises(config_lib.ConfigError, match="self_conditioning"):
        ganzoo.build("cgan", self_conditioning={"clusters": 4})
    gan = _tiny(clusters=40)
    with pytest.raises(config_lib.ConfigError, match="at least 400 images"):
        gan.fit(digits_small[0][:256], epochs=1, verbose=0)
    assert not gan.pixel_clusters.is_fitted and int(gan.g_optimizer.iterations) == 0


def test_a_self_conditioned_presets_card_says_so(tmp_path, digits_small):
    from ganzoo import presets

    gan = _tiny()
    gan.fit(digits_small[0], epochs=1, verbose=0)
    preset = presets.save(gan, tmp_path / "p")
    card = (tmp_path / "p" / "README.md").read_text()
    assert "self_conditioning.clusters: 4" in card and "No labels are used" in card
    presets.save(ganzoo.build("dcgan", generator={"filters": 8},
                              discriminator={"filters": 8}), tmp_path / "q")
    assert "self_conditioning" not in (tmp_path / "q" / "README.md").read_text()
    # the cluster prior travels inside G's weights: the preset draws what the model drew
    np.testing.assert_allclose(ganzoo.from_preset(preset.path).generate(16, seed=0),
                               gan.generate(16, seed=0), atol=0.02)


@pytest.mark.parametrize("name", ["wgan", "wgan_gp"])
def test_self_conditioned_critics_fit_and_see_the_clusters(name, digits_small):
    images, _ = digits_small
    gan = ganzoo.build(name, seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 32, "precision": "float32"},
                       self_conditioning={"clusters": 4, "components": 16})
    assert len(gan.discriminator.inputs) == 2                # the critic takes [image, cluster]
    x = images[:8].astype(np.float32) / 127.5 - 1
    history = gan.fit(images, epochs=1, verbose=0)
    assert gan.pixel_clusters.is_fitted
    assert all(np.isfinite(history.history[k][-1]) for k in ("d_loss", "g_loss", "w_distance"))
    # the critic's score of an image depends on the cluster it is told
    c = keras.ops.convert_to_numpy(gan.pixel_clusters(x))
    scores = [keras.ops.convert_to_numpy(gan.D(x, (c + s) % 4, training=False)) for s in (0, 1)]
    assert np.abs(scores[0] - scores[1]).max() > 0.01 * np.abs(scores[0]).max()  # clipped: tiny
    assert "self_conditioning.clusters: 4" in type(gan).card_objective(gan.config)


def test_an_mlp_discriminator_joins_the_one_hot_cluster_to_the_flattened_image():
    # closed form: the first maxout layer reads 784 pixels + K one-hot entries (not K maps of
    # 784 each), so a self-conditioned MLP D stays the paper's size
    for k in (0, 50):
        gan = ganzoo.build("vanilla", self_conditioning={"clusters": k})
        first = gan.discriminator.get_layer("hidden1")
        assert first.kernel.shape == (784 + k, 240 * 5)
    assert gan.D(np.zeros((2, 28, 28, 1), np.float32), np.array([0, 49])).shape == (2, 1)
