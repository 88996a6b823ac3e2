"""Latent tools: the truncation trick, spherical walks, class sweeps, and their CLI."""

import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo import cli, sampling


@pytest.mark.parametrize("distribution", ["normal", "uniform"])
def test_truncation_redraws_only_the_entries_above_the_threshold(distribution):
    rng = np.random.default_rng(0)
    z = (rng.standard_normal((500, 16)) if distribution == "normal"
         else rng.uniform(-1, 1, (500, 16))).astype(np.float32)
    t = sampling.truncated(z, 0.5, distribution, seed=1)
    assert np.abs(t).max() <= 0.5
    kept = np.abs(z) <= 0.5
    np.testing.assert_array_equal(t[kept], z[kept])
    assert (t[~kept] != z[~kept]).all()
    np.testing.assert_array_equal(sampling.truncated(z, 0.5, distribution, seed=1), t)
    with pytest.raises(ValueError, match="positive"):
        sampling.truncated(z, 0.0)


def test_generate_with_truncation():
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8})
    z = gan.latent_numpy(8, seed=3, truncation=0.3)
    assert np.abs(z).max() <= 0.3 and np.abs(gan.latent_numpy(8, seed=3)).max() > 0.3
    np.testing.assert_array_equal(gan.generate(8, seed=3, truncation=0.3), gan.generate(z=z))


def test_truncation_leaves_the_self_conditioning_cluster_code_alone():
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       self_conditioning={"clusters": 5})
    z, t = gan.latent_numpy(64, seed=1), gan.latent_numpy(64, seed=1, truncation=0.2)
    np.testing.assert_array_equal(t[:, -1], z[:, -1])      # every cluster stays reachable
    assert np.abs(t[:, :-1]).max() <= 0.2 and np.abs(z[:, -1]).max() > 0.2


def test_slerp_closed_forms():
    a, b = np.eye(4, dtype=np.float32)[0] * 2, np.eye(4, dtype=np.float32)[1] * 2
    path = sampling.walk(a, b, steps=5, spherical=True)
    np.testing.assert_allclose(path[0], a, atol=1e-6)
    np.testing.assert_allclose(path[-1], b, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 2.0, atol=1e-5)   # on the circle
    np.testing.assert_allclose(path[2], (a + b) / np.sqrt(2), atol=1e-6)      # 45 degrees
    line = sampling.walk(a, b, steps=5, spherical=False)
    np.testing.assert_allclose(line[2], (a + b) / 2, atol=1e-6)
    assert sampling.walks(np.stack([a, b, b, a]), steps=3).shape == (6, 4)


def test_class_sweep_holds_z_per_row():
    z = np.arange(6, dtype=np.float32).reshape(2, 3)
    zs, labels = sampling.class_sweep(z, 4)
    assert zs.shape == (8, 3) and labels.tolist() == [0, 1, 2, 3] * 2
    np.testing.assert_array_equal(zs[:4], np.repeat(z[:1], 4, axis=0))


def grid_size(path):
    with Image.open(path) as im:
        return im.size


def test_cli_truncation_interpolate_and_class_sweep(tmp_path, capsys):
    out = tmp_path / "t.png"
    assert cli.main(["sample", "dcgan_mnist", "--n", "8", "--truncation", "0.5",
                     "--out", str(out)]) == 0 and out.is_file()
    walk = tmp_path / "walk.png"
    assert cli.main(["interpolate", "dcgan_mnist", "--rows", "2", "--steps", "5",
                     "--out", str(walk)]) == 0
    w, h = grid_size(walk)
    assert abs(w / h - 5 / 2) < 0.2                        # 5 columns, 2 rows
    sweep = tmp_path / "sweep.png"
    assert cli.main(["sample", "cgan_mnist", "--n", "20", "--class-sweep",
                     "--out", str(sweep)]) == 0
    w, h = grid_size(sweep)
    assert abs(w / h - 10 / 2) < 0.3                       # 10 classes, 2 rows
    # refused before anything is written
    bad = tmp_path / "bad.png"
    assert cli.main(["sample", "dcgan_mnist", "--class-sweep", "--out", str(bad)]) == 2
    assert cli.main(["sample", "dcgan_mnist", "--truncation", "-1", "--out", str(bad)]) == 2
    assert cli.main(["interpolate", "pix2pix_digits_edges", "--out", str(bad)]) == 2
    assert cli.main(["interpolate", "dcgan_mnist", "--steps", "1", "--out", str(bad)]) == 2
    assert not bad.exists()
    err = capsys.readouterr().err
    assert "--class-sweep is for conditional models" in err and "translates" in err
