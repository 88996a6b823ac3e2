"""pix2pix and CycleGAN (issue 4): shapes, learning, the image pool, loaders, save/load."""

import json
import types

import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo import cli, datasets, image_nets, presets
from ganzoo.image_pool import ImagePool

TINY_P2P = dict(image_shape=(32, 32, 1), generator={"filters": 8},
                discriminator={"filters": 8, "receptive_field": 16}, training={"batch_size": 16})
TINY_CYCLE = dict(image_shape=(32, 32, 1), generator={"filters": 8, "blocks": 2},
                  discriminator={"filters": 8, "receptive_field": 16}, training={"batch_size": 4})


# ----------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("size, depth", [(64, 6), (128, 7), (256, 8)])
def test_unet_output_shape_and_depth(size, depth):
    g = image_nets.unet_generator((size, size, 3), out_channels=1, filters=4)
    assert g.output_shape == (None, size, size, 1)
    downs = [x for x in g.layers if x.name.startswith("down") and x.name[4:].isdigit()]
    assert len(downs) == depth
    assert len([layer for layer in g.layers if layer.name.endswith("_dropout")]) == 3


def test_unet_channels_double_up_to_max_filters():
    gan = ganzoo.build("pix2pix", image_shape=(64, 64, 3),
                       generator={"filters": 4, "max_filters": 16})
    downs = [x for x in gan.generator.layers if x.name.startswith("down") and x.name[4:].isdigit()]
    assert [x.filters for x in downs] == [4, 8, 16, 16, 16, 16]
    paper = ganzoo.build("pix2pix", image_shape=(64, 64, 3), generator={"filters": 128})
    assert max(x.filters for x in paper.generator.layers if x.name.startswith("down")
               and x.name[4:].isdigit()) == 512  # the paper's C512 cap by default


@pytest.mark.parametrize("size, grids", [
    (64, {1: 64, 16: 30, 70: 6}), (128, {1: 128, 16: 62, 70: 14, 286: 2}),
    (256, {1: 256, 16: 126, 70: 30, 286: 6})])
def test_patchgan_grid_for_each_receptive_field(size, grids):
    for rf, grid in grids.items():
        d = image_nets.patch_discriminator((size, size, 3), rf, filters=4, condition_channels=3)
        assert d.input_shape == (None, size, size, 6)
        assert d.output_shape == (None, grid, grid, 1), rf
        assert image_nets.patch_grid(size, rf) == grid
    if 286 not in grids:
        with pytest.raises(ValueError, match="needs larger images"):
            image_nets.patch_discriminator((size, size, 3), 286)


def test_resnet_generator_blocks_follow_the_image_size():
    small = image_nets.resnet_generator((64, 64, 3), filters=4)
    large = image_nets.resnet_generator((256, 256, 3), filters=4)
    count = lambda g: len([layer for layer in g.layers if layer.name.endswith("_add")])  # noqa: E731
    assert (count(small), count(large)) == (6, 9)
    assert small.output_shape == (None, 64, 64, 3)
    assert any(type(layer).__name__ == "ReflectionPadding2D" for layer in small.layers)
    norms = [layer for layer in small.layers if type(layer).__name__ == "GroupNormalization"]
    # one group per channel
    assert norms and all(layer.groups == layer.input.shape[-1] for layer in norms)


def test_default_configs_build_the_papers_networks():
    p2p = ganzoo.build("pix2pix")
    assert 54.4e6 < p2p.generator.count_params() < 54.5e6  # the paper's 256 px U-Net: 54.4M
    assert p2p.discriminator.output_shape == (None, 30, 30, 1)
    cyc = ganzoo.build("cyclegan")
    assert 11.3e6 < cyc.G.count_params() < 11.4e6  # 9 blocks at 256 px
    assert cyc.config["pool"]["capacity"] == 50 and cyc.config["loss"]["cycle_weight"] == 10


# ----------------------------------------------------------------------------- learning


def test_pix2pix_learns_edges_to_digits():
    # measured: test L1 0.069 after 2 epochs (0.237 for the mean digit, 0.256 for the input)
    gan = ganzoo.build("pix2pix", seed=0, data={"jitter": False}, **TINY_P2P)
    gan.fit(datasets.load_paired("digits_edges", seed=0), epochs=2, verbose=0)
    edges, digits = datasets.read_pairs("digits_edges", "test")
    out = gan.translate(edges)
    target = digits / 127.5 - 1
    l1 = float(np.abs(out - target).mean())
    baseline = float(np.abs(target - target.mean(0)).mean())
    assert l1 < 0.10 and l1 < 0.5 * baseline, (l1, baseline)


def test_cyclegan_cycle_loss_falls():
    gan = ganzoo.build("cyclegan", seed=0, **TINY_CYCLE)
    thin, bold = datasets.read_unpaired("digits_thickness")
    a = gan.as_float(thin[:64])

    def cycle_l1():
        return float(np.abs(gan.translate(gan.translate(a), direction="b2a") - a).mean())

    before = cycle_l1()
    history = gan.fit(datasets.load_unpaired("digits_thickness", seed=0).take(400), epochs=1,
                      verbose=0)
    after = cycle_l1()
    assert after < 0.5 * before, (before, after)
    assert np.isfinite(history.history["g_loss"][0])


# ----------------------------------------------------------------------------- image pool


def test_image_pool_capacity_and_swap_probability():
    pool = ImagePool(10, (1, 1, 1), swap_probability=0.5, seed=0)
    returned = [float(pool(np.full((1, 1, 1, 1), i, np.float32))[0, 0, 0, 0]) for i in range(2000)]
    assert returned[:10] == list(range(10))             # filling: new images come straight back
    assert int(pool.count.numpy()) == 10                # never more than the capacity
    later = np.array(returned[10:])
    swapped = later != np.arange(10, 2000)
    assert 0.45 < swapped.mean() < 0.55                 # half the time a past image comes back
    assert (later[swapped] < np.arange(10, 2000)[swapped]).all()  # and it is a past one
    assert ImagePool(0, (1, 1, 1))(np.ones((2, 1, 1, 1), np.float32)).shape == (2, 1, 1, 1)


def test_cyclegan_trains_in_mixed_bfloat16_with_its_image_pools():
    # the pools store float32 images: under a mixed policy a bf16 layer's variables are read as
    # cast copies, which cannot be updated in place (this failed on CPUs with bf16 units)
    tiny = {**TINY_CYCLE, "training": {**TINY_CYCLE["training"], "precision": "mixed_bfloat16"}}
    gan = ganzoo.build("cyclegan", seed=0, **tiny, pool={"capacity": 6})
    history = gan.fit(datasets.load_unpaired("digits_thickness", seed=0).take(12), epochs=1,
                      verbose=0)
    assert np.isfinite(history.history["g_loss"][0])
    assert int(gan.pool_x.count.numpy()) == int(gan.pool_y.count.numpy()) == 6
    stored = gan.pool_y.images.numpy()
    assert gan.pool_y.images.dtype == "float32" and np.abs(stored).max() > 0


# ----------------------------------------------------------------------------- loaders


def _save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array.squeeze()).save(path)


def test_paired_loaders_read_every_layout(tmp_path):
    edges, digits = datasets.read_pairs("digits_edges", "test")
    for i in range(3):  # side by side: A | B
        _save(tmp_path / "sbs" / "train" / f"{i}.png", np.concatenate([edges[i], digits[i]], 1))
        _save(tmp_path / "ab" / "A" / f"{i}.png", edges[i])
        _save(tmp_path / "ab" / "B" / f"{i}.png", digits[i])
    np.savez(tmp_path / "pairs.npz", a_train=edges[:3], b_train=digits[:3])
    for source in (tmp_path / "sbs", tmp_path / "ab", tmp_path / "pairs.npz"):
        a, b = datasets.read_pairs(source)
        np.testing.assert_array_equal(a, edges[:3])
        np.testing.assert_array_equal(b, digits[:3])
    x, y = next(iter(datasets.load_paired(tmp_path / "ab", direction="b2a", shuffle=False)))
    np.testing.assert_allclose(x.numpy(), digits[0] / 127.5 - 1, atol=1e-6)


def test_unpaired_loaders_read_every_layout(tmp_path):
    thin, bold = datasets.read_unpaired("digits_thickness", "test")
    for i in range(3):
        _save(tmp_path / "cg" / "trainA" / f"{i}.png", thin[i])
    for i in range(5):
        _save(tmp_path / "cg" / "trainB" / f"{i}.png", bold[i])
    a, b = datasets.read_unpaired(tmp_path / "cg")
    assert a.shape == (3, 32, 32, 1) and b.shape == (5, 32, 32, 1)
    np.savez(tmp_path / "u.npz", trainA=thin[:3], trainB=bold[:5])
    assert datasets.read_unpaired(tmp_path / "u.npz")[1].shape == (5, 32, 32, 1)
    ds = datasets.load_unpaired(tmp_path / "cg")
    assert len(list(ds)) == 5                     # an epoch is as long as the larger domain


def test_cycle_gan_from_tensorflow_datasets():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=6):
        a, b = datasets.read_unpaired("cycle_gan/horse2zebra")
    assert a.shape[1:] == b.shape[1:] and a.shape[-1] == 3 and len(a) == 6 and b.dtype == np.uint8


def test_loader_errors_name_the_problem(tmp_path):
    np.savez(tmp_path / "count.npz", a_train=np.zeros((5, 8, 8, 1), np.uint8),
             b_train=np.zeros((4, 8, 8, 1), np.uint8))
    with pytest.raises(datasets.DataError, match="5 A images but 4 B images"):
        datasets.read_pairs(tmp_path / "count.npz")
    np.savez(tmp_path / "size.npz", a_train=np.zeros((2, 8, 8, 1), np.uint8),
             b_train=np.zeros((2, 16, 16, 1), np.uint8))
    with pytest.raises(datasets.DataError, match="pairs must have one size"):
        datasets.read_pairs(tmp_path / "size.npz")
    np.savez(tmp_path / "chan.npz", trainA=np.zeros((2, 8, 8, 1), np.uint8),
             trainB=np.zeros((2, 8, 8, 3), np.uint8))
    with pytest.raises(datasets.DataError, match="one size and channel count"):
        datasets.read_unpaired(tmp_path / "chan.npz")
    (tmp_path / "cg" / "trainA").mkdir(parents=True)
    (tmp_path / "cg" / "trainB").mkdir()
    _save(tmp_path / "cg" / "trainA" / "0.png", np.zeros((8, 8), np.uint8))
    with pytest.raises(datasets.DataError, match="holds no images"):
        datasets.read_unpaired(tmp_path / "cg")
    (tmp_path / "cg" / "trainB" / "notes.txt").write_text("not an image")
    with pytest.raises(datasets.DataError, match="notes.txt.*is not an image"):
        datasets.read_unpaired(tmp_path / "cg")
    _save(tmp_path / "ab" / "A" / "x.png", np.zeros((8, 8), np.uint8))
    _save(tmp_path / "ab" / "B" / "y.png", np.zeros((8, 8), np.uint8))
    with pytest.raises(datasets.DataError, match=r"only in A: \['x'\]"):
        datasets.read_pairs(tmp_path / "ab")
    with pytest.raises(datasets.DataError, match="Unknown unpaired dataset"):
        datasets.read_unpaired("horse2zebra")
    gan = ganzoo.build("pix2pix", **TINY_P2P)
    expected = r"\(28, 28, 1\) but the model takes \(32, 32, 1\)"
    with pytest.raises(datasets.DataError, match=expected):
        gan.fit(np.zeros((16, 28, 28, 1), np.uint8), np.zeros((16, 28, 28, 1), np.uint8), verbose=0)
    with pytest.raises(datasets.DataError, match="16 inputs but 8 targets"):
        gan.fit(np.zeros((16, 32, 32, 1), np.uint8), np.zeros((8, 32, 32, 1), np.uint8), verbose=0)


# ----------------------------------------------------------------------------- save / CLI


@pytest.mark.parametrize("name, tiny", [("pix2pix", TINY_P2P), ("cyclegan", TINY_CYCLE)])
def test_keras_save_load_round_trip(name, tiny, tmp_path):
    gan = ganzoo.build(name, seed=0, **tiny)
    source = "digits_edges" if name == "pix2pix" else "digits_thickness"
    data = gan.load_data(source, config=gan.config, seed=0)
    gan.fit(data.take(32), epochs=1, verbose=0)
    gan.save(tmp_path / "m.keras")
    again = ganzoo.load(tmp_path / "m.keras")
    x = datasets.read_pairs("digits_edges", "test")[0][:4]
    np.testing.assert_allclose(again.translate(x), gan.translate(x), atol=1e-6)
    assert again.train_steps == gan.train_steps
    if name == "cyclegan":
        np.testing.assert_allclose(again.translate(x, direction="b2a"),
                                   gan.translate(x, direction="b2a"), atol=1e-6)


def test_cli_train_and_sample_cyclegan(tmp_path):
    out = tmp_path / "run"
    assert cli.main(["train", "cyclegan", "--dataset", "digits_thickness", "--epochs", "1",
                     "--batch-size", "64", "--set", "generator.filters=4",
                     "--set", "generator.blocks=1", "--set", "discriminator.filters=4",
                     "--set", "discriminator.receptive_field=16", "--out", str(out),
                     "--verbose", "0"]) == 0
    assert json.loads((out / "run.json").read_text())["dataset"] == "digits_thickness"
    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(out), "--n", "3", "--out", str(grid)]) == 0
    w, h = Image.open(grid).size   # 3 columns (A, G(A), F(G(A))), 6 rows (3 from A, 3 from B)
    assert (w, h) == (2 * (3 * 34 + 2), 2 * (6 * 34 + 2))
    assert (out / "samples" / "final.png").exists()


def test_a_b2a_pix2pix_panel_shows_b_as_its_input(tmp_path):
    # facades stores (photo, label map); pix2pix_facades translates b -> a
    a = np.zeros((6, 32, 32, 1), np.uint8)
    b = np.full((6, 32, 32, 1), 255, np.uint8)
    np.savez(tmp_path / "pairs.npz", a_train=a, b_train=b, a_test=a, b_test=b)
    gan = ganzoo.build("pix2pix", **TINY_P2P, direction="b2a")
    run = types.SimpleNamespace(info={"dataset": str(tmp_path / "pairs.npz")})
    inputs, targets = presets._example_pairs(gan, run)
    assert (inputs == 255).all() and (targets == 0).all()
    forward = ganzoo.build("pix2pix", **TINY_P2P)
    inputs, targets = presets._example_pairs(forward, run)
    assert (inputs == 0).all() and (targets == 255).all()
