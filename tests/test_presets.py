"""Presets: save -> from_preset round trips, handles (folder, https with hash, hf), CLI commands
over a preset handle, fine-tuning from a preset."""

import functools
import hashlib
import http.server
import os
import shutil
import tarfile
import threading

import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo import cli, presets

from conftest import SMALL_NETS


def _digits(folder, n):
    """The first ``n`` embedded train digits as ``folder/digits.npz``."""
    images, labels = ganzoo.datasets.load_digits("train")
    data = folder / "digits.npz"
    np.savez(data, x_train=images[:n, ..., 0], y_train=labels[:n])
    return data


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A narrow DCGAN (with EMA) trained one short epoch on 256 embedded digits."""
    folder = tmp_path_factory.mktemp("run")
    data = _digits(folder, 256)
    run = ganzoo.train("dcgan", str(data), str(folder / "run"), epochs=1, seed=0, verbose=0,
                       training={"batch_size": 32}, ema={"enabled": True},
                       **SMALL_NETS["dcgan"])
    return run


@pytest.fixture(scope="module")
def preset_dir(trained_run, tmp_path_factory):
    return presets.save(trained_run.path, tmp_path_factory.mktemp("p") / "dcgan_digits",
                        full=True).path


def test_run_records_training(trained_run):
    training = trained_run.info["training"]
    assert training["steps"] == 256 // 32 and training["epochs"] == 1
    assert training["seconds"] > 0 and "cores" in training["hardware"]


def test_round_trip_within_float16(trained_run, preset_dir):
    model = ganzoo.from_preset(preset_dir, full=False)
    assert isinstance(model.preset, presets.Preset)
    want = trained_run.model.generate(16, seed=3)
    got = model.generate(16, seed=3)
    assert got.shape == want.shape == (16, 28, 28, 1)
    assert np.abs(got - want).max() < 2e-2  # float16 weights
    assert np.abs(got - want).max() > 0  # they are float16, not a copy of float32
    exact = presets.save(trained_run.path, os.path.join(os.path.dirname(preset_dir), "f32"),
                         dtype="float32")
    np.testing.assert_allclose(ganzoo.from_preset(exact.path).generate(16, seed=3), want,
                               atol=1e-5)


def test_samples_png_is_what_the_weights_draw(preset_dir):
    model = ganzoo.from_preset(preset_dir)
    meta = model.preset.metadata
    record = meta["samples"]
    samples = model.generate(record["n"], seed=record["seed"])
    grid = ganzoo.images.make_grid(samples, ncols=record["ncols"])[..., 0]
    png = np.asarray(Image.open(os.path.join(preset_dir, presets.SAMPLES)))
    small = png[::record["scale"], ::record["scale"]]
    assert small.shape == grid.shape
    assert np.abs(small.astype(int) - grid.astype(int)).max() <= 1
    assert grid.std() > 10  # a grid of samples, not a blank image


def test_metadata_and_card(trained_run, preset_dir):
    meta = presets.Preset(preset_dir).metadata
    assert meta["model"] == "dcgan" and meta["sampling_networks"] == ["ema_generator"]
    assert meta["dataset"]["sha256"] == trained_run.info["data_sha256"]
    assert meta["recipe"]["steps"] == 8 and meta["recipe"]["command"].startswith("ganzoo train")
    assert meta["versions"]["keras"] and meta["parameters"]["generator"] > 0
    card = open(os.path.join(preset_dir, presets.CARD)).read()
    assert card.startswith("---\nlibrary_name: keras") and "![samples](samples.png)" in card
    sizes = {f: os.path.getsize(os.path.join(preset_dir, f)) for f in os.listdir(preset_dir)}
    assert sizes[presets.FULL_WEIGHTS] > 2 * sizes[presets.WEIGHTS]  # D and optimizer state


def test_full_flavour_restores_every_network(trained_run, preset_dir):
    model = ganzoo.from_preset(preset_dir)  # full by default when present
    original = trained_run.model
    for attr, net in original.networks().items():
        for a, b in zip(net.get_weights(), getattr(model, attr).get_weights()):
            np.testing.assert_allclose(a, b, atol=2e-3, rtol=2e-3)
    assert model.d_optimizer.iterations.numpy() == original.d_optimizer.iterations.numpy()
    sampling = ganzoo.from_preset(preset_dir, full=False)  # generator starts from the EMA
    for a, b in zip(sampling.generator.get_weights(), sampling.ema_generator.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_refuses_to_overwrite_and_bad_handles(trained_run, preset_dir, tmp_path):
    with pytest.raises(FileExistsError, match="force"):
        presets.save(trained_run.path, preset_dir)
    with pytest.raises(presets.PresetError, match="Built-in presets"):
        ganzoo.from_preset("no_such_preset")
    broken = tmp_path / "broken"
    shutil.copytree(preset_dir, broken)
    os.remove(broken / presets.WEIGHTS)
    with pytest.raises(presets.PresetError, match="model.weights.h5 missing"):
        ganzoo.from_preset(str(broken))
    with pytest.raises(presets.PresetError, match="different architecture"):
        ganzoo.from_preset(preset_dir, generator={"filters": 16})


def test_hf_handles():
    assert presets.parse_hf("hf://owner/name") == ("owner/name", None)
    assert presets.parse_hf("hf://owner/name@v1") == ("owner/name", "v1")
    with pytest.raises(presets.PresetError, match="hf://owner/name"):
        presets.parse_hf("hf://just-a-name")
    try:
        import huggingface_hub  # noqa: F401
    except ImportError:
        with pytest.raises(presets.PresetError, match=r"ganzoo\[hub\]"):
            ganzoo.from_preset("hf://owner/name")


@pytest.fixture
def served(preset_dir, tmp_path):
    """The preset as a .tar.gz on a loopback HTTP server: (url, sha256)."""
    archive = tmp_path / "www" / "dcgan_digits.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(preset_dir, arcname="dcgan_digits")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    handler = functools.partial(_Quiet, directory=str(archive.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{archive.name}", digest
    server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_https_handle_downloads_and_checks_the_hash(served, preset_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    url, digest = served
    with pytest.raises(presets.PresetError, match="sha256"):
        ganzoo.from_preset(url)  # no hash: refused before downloading
    with pytest.raises(presets.PresetError, match="does not match"):
        ganzoo.from_preset(f"{url}#sha256={'0' * 64}")
    model = ganzoo.from_preset(f"{url}#sha256={digest}")
    local = ganzoo.from_preset(preset_dir)
    np.testing.assert_array_equal(model.generate(4, seed=0), local.generate(4, seed=0))


def test_cli_commands_take_a_preset(trained_run, preset_dir, tmp_path, capsys):
    grid = tmp_path / "grid.png"
    assert cli.main(["sample", preset_dir, "--n", "8", "--out", str(grid)]) == 0
    assert grid.exists()
    assert cli.main(["card", preset_dir]) == 0
    assert "![samples](samples.png)" in capsys.readouterr().out
    out = tmp_path / "g.tflite"
    assert cli.main(["export", preset_dir, "--format", "tflite", "--out", str(out)]) == 0
    assert out.exists()
    assert cli.main(["presets"]) == 0
    again = tmp_path / "again"
    assert cli.main(["save-preset", trained_run.path, str(again), "--dtype", "float32"]) == 0
    assert presets.Preset(again).metadata["weights_dtype"] == "float32"
    assert cli.main(["save-preset", trained_run.path, str(again)]) == 2  # exists: --force
    assert cli.main(["save-preset", str(tmp_path), str(tmp_path / "b")]) == 2  # not a run
    assert not (tmp_path / "b").exists()


def test_fine_tuning_from_a_preset_trains(preset_dir, small_npz, tmp_path):
    before = ganzoo.from_preset(preset_dir)
    out = tmp_path / "tuned"
    assert cli.main(["train", "dcgan", "--from-preset", preset_dir, "--dataset", small_npz,
                     "--epochs", "1", "--set", "training.batch_size=64", "--out", str(out),
                     "--verbose", "0"]) == 0
    run = ganzoo.Run(out)
    assert run.info["from_preset"] == preset_dir
    assert run.config["training"]["batch_size"] == 64
    tuned = run.model
    changed = [not np.allclose(a, b) for a, b in zip(before.generator.get_weights(),
                                                      tuned.generator.get_weights())]
    assert any(changed)
    # started from the preset, not from scratch: close to it after 4 steps
    fresh = ganzoo.build("dcgan", seed=0, **SMALL_NETS["dcgan"])
    start = before.generator.get_weights()[0]
    assert (np.abs(tuned.generator.get_weights()[0] - start).mean()
            < np.abs(fresh.generator.get_weights()[0] - start).mean())
    with pytest.raises(ValueError, match="is a 'dcgan' preset"):
        ganzoo.train("cgan", small_npz, str(tmp_path / "x"), from_preset=preset_dir)


@pytest.fixture(scope="module")
def recipe_preset(tmp_path_factory):
    """A preset made by a recipe (4 epochs on 512 embedded digits) with its measured FID/IS."""
    from ganzoo import recipes

    folder = tmp_path_factory.mktemp("recipe")
    data = _digits(folder, 512)
    r = {"name": "dcgan_digits", "model": "dcgan", "config": dict(
        SMALL_NETS["dcgan"], training={"batch_size": 32}), "dataset": str(data),
        "dataset_name": "digits", "seed": 0, "epochs": 4,
        "evaluate": {"metrics": ["is", "fid"], "n": 500, "judge": "mnist",
                     "reference": str(data)},
        # tight: a same-seed CPU retraining is exact, and 1 step instead of 64 is ~2 % off
        "tolerance": {"fid": {"rel": 0.005}, "inception_score": {"rel": 0.005}}}
    run = recipes.train(r, str(folder / "run"), verbose=0)
    report = recipes.evaluate(r, run.model)
    return presets.save(run.path, folder / "dcgan_digits", metrics=report, recipe=r).path


def test_reproduce_retrains_and_checks_the_recorded_metrics(recipe_preset, tmp_path, capsys):
    from ganzoo import recipes

    meta = presets.Preset(recipe_preset).metadata
    assert meta["recipe"]["epochs"] == 4 and meta["dataset"]["name"] == "digits"
    assert set(recipes.scalars(meta["metrics"])) == {"inception_score.mean", "fid"}
    result = recipes.reproduce(recipe_preset, out=str(tmp_path / "again"), verbose=0)
    assert result["passed"], result["comparison"]  # same seed, same CPU: same weights
    assert result["steps"] == meta["recipe"]["steps"] == 4 * 512 // 32
    # a smoke budget stops after the first step: the metrics fall outside, exit status 1
    assert cli.main(["reproduce", recipe_preset, "--budget-minutes", "0.0001", "--out",
                     str(tmp_path / "short"), "--verbose", "0"]) == 1
    assert "OUTSIDE" in capsys.readouterr().out
    short = ganzoo.files.read_json(str(tmp_path / "short" / "reproduce.json"))
    assert short["steps"] == 1 and not short["passed"]


def test_compare_tolerances():
    from ganzoo import recipes

    rows = recipes.compare({"fid": 10.0, "inception_score": {"mean": 9.0, "std": 0.1}},
                           {"fid": 12.0, "inception_score": {"mean": 8.9, "std": 3.0}},
                           {"fid": {"rel": 0.1}, "inception_score.mean": {"abs": 0.2}})
    assert [(r[0], r[-1]) for r in rows] == [("fid", False), ("inception_score.mean", True)]


def test_ceiling_measures_real_test_data_with_the_recipes_protocol():
    from ganzoo import recipes

    r = {"model": "cgan", "config": None, "dataset": "digits", "seed": 0, "epochs": 1,
         "evaluate": {"metrics": ["is", "cond_acc"], "n": 400, "judge": "mnist"}}
    report = recipes.ceiling(r)
    values = recipes.scalars(report["metrics"])
    assert report["n"] == 400 and report["model"] == "real_test_data"
    assert values["inception_score.mean"] > 8.5  # ten well-recognised classes
    assert values["conditional_accuracy"] > 0.95  # real digits of the asked class
    # an image-to-image recipe has no real ceiling: its targets would score perfectly
    assert recipes.ceiling({"model": "pix2pix", "dataset": "digits_edges"}) is None


def test_built_in_presets_load_by_name_and_open_their_cards(preset_dir, tmp_path, monkeypatch,
                                                            capsys):
    from ganzoo import cards

    builtin = tmp_path / "builtin"
    shutil.copytree(preset_dir, builtin / "dcgan_digits")
    monkeypatch.setattr(presets, "BUILTIN_DIR", str(builtin))
    assert [p["name"] for p in ganzoo.list_presets()] == ["dcgan_digits"]
    assert ganzoo.from_preset("dcgan_digits").generate(2, seed=0).shape == (2, 28, 28, 1)
    assert presets.is_handle("dcgan_digits") and not presets.is_handle("dcgan_other")
    assert cli.main(["presets"]) == 0
    assert "dcgan_digits" in capsys.readouterr().out
    card = cards.render("dcgan")
    assert card.index("## Trained presets") < card.index("## Summary")
    assert "](../images/presets/dcgan_digits.png)" in card
    assert "](images/presets/dcgan_digits.png)" in cards.render_gallery()
    cards.draw_presets(str(tmp_path / "img"))
    drawn = np.asarray(Image.open(tmp_path / "img" / "dcgan_digits.png"))
    shipped = np.asarray(Image.open(builtin / "dcgan_digits" / presets.SAMPLES))
    assert np.abs(drawn.astype(int) - shipped.astype(int)).max() <= 1


BUILT_IN = [p["name"] for p in presets.list_presets()]


def test_built_in_presets_match_their_recipes():
    from ganzoo import recipes

    assert sorted(BUILT_IN) == sorted(recipes.recipes())  # every recipe shipped, nothing else
    for name in BUILT_IN:
        meta = presets.Preset(os.path.join(presets.BUILTIN_DIR, name)).metadata
        recipe = recipes.recipe(name)
        assert meta["recipe"]["command"] == recipes.command(recipe)
        assert meta["recipe"]["epochs"] == recipe["epochs"] and meta["metrics"]
        # `ganzoo reproduce` reads the tolerance the preset records: it must be the recipe's
        assert meta["recipe"].get("tolerance") == recipe.get("tolerance"), (
            f"{name}: metadata.json's recipe.tolerance differs from zoo_configs/recipes.yaml's")


def test_shipped_presets_fit_the_size_budget():
    # issue 16: the shipped weights together stay under 40 MB in the repository
    total = sum(os.path.getsize(os.path.join(root, f))
                for root, _, names in os.walk(presets.BUILTIN_DIR) for f in names)
    assert total < 40e6, f"shipped presets take {total / 1e6:.1f} MB"


def _grid_cells(grid, size, ncols, pad=2):
    """The images of a :func:`ganzoo.images.make_grid` grid, row by row."""
    (h, w), rows = size, (grid.shape[0] - pad) // (size[0] + pad)
    return [[grid[pad + r * (h + pad):pad + r * (h + pad) + h, pad + q * (w + pad):
                  pad + q * (w + pad) + w] for q in range(ncols)] for r in range(rows)]


@pytest.mark.parametrize("name", BUILT_IN)
def test_built_in_preset_loads_and_draws_its_samples_png(name):
    model = ganzoo.from_preset(name)
    meta = model.preset.metadata
    record = meta["samples"]
    png = np.asarray(Image.open(os.path.join(presets.BUILTIN_DIR, name, presets.SAMPLES)))
    if record["kind"] != "samples":  # image-to-image: translate the panel's own input column,
        small = png[::2, ::2]         # so no dataset is needed. pix2pix rows: input | output |
        cells = _grid_cells(small if small.ndim == 3 else small[..., None],  # target; CycleGAN:
                            model.data_shape[:2], ncols=3)  # n rows A -> G(A) -> F(G(A)), n of B
        first = np.stack([row[0] for row in cells])[..., :model.data_shape[-1]]
        if model.paired:
            assert len(cells) == record["n"]
            a, b = first, np.stack([row[2] for row in cells])
        else:
            assert len(cells) == 2 * record["n"]
            a, b = first[:record["n"]], first[record["n"]:]
        panel, ncols = model.sample_panel(a, b)
        grid = ganzoo.images.make_grid(panel, ncols=ncols)
        grid = grid[..., 0] if small.ndim == 2 else grid
        assert np.abs(small.astype(int) - grid.astype(int)).max() <= 2
        return
    samples = model.generate(record["n"], seed=record["seed"], labels=record["labels"])
    assert samples.shape[1:] == tuple(meta["recipe"].get("data_shape") or model.data_shape)
    grid = ganzoo.images.make_grid(samples, ncols=record["ncols"])
    small = png[::record["scale"], ::record["scale"]]
    grid = grid[..., 0] if small.ndim == 2 else grid
    assert np.abs(small.astype(int) - grid.astype(int)).max() <= 2  # float16 weights, rounding


@pytest.mark.skipif(not BUILT_IN, reason="no built-in presets in this tree")
def test_a_recorded_metric_is_recomputed():
    """A stale metadata.json fails: the smallest noise-to-image preset's IS, recomputed from
    2,000 samples, is within 3 % of the recorded 10,000-sample value."""
    from ganzoo import recipes

    def size(name):
        return os.path.getsize(os.path.join(presets.BUILTIN_DIR, name, presets.WEIGHTS))

    names = [n for n in sorted(BUILT_IN, key=size)
             if "inception_score" in presets.Preset(
                 os.path.join(presets.BUILTIN_DIR, n)).metadata["metrics"]]
    model = ganzoo.from_preset(names[0])
    meta = model.preset.metadata
    r = dict(recipes.recipe(names[0]))
    # IS needs no real images: the suite must not read $GANZOO_DATA_DIR
    r["evaluate"] = dict(r["evaluate"], metrics=["is"], n=2000, reference=None)
    got = recipes.scalars(recipes.evaluate(r, model)["metrics"])["inception_score.mean"]
    want = recipes.scalars(meta["metrics"])["inception_score.mean"]
    assert got == pytest.approx(want, rel=0.03)


def test_a_presets_card_lists_where_its_recipe_departs_from_the_paper():
    from ganzoo import registry

    for name, meta in ((p["name"], presets.Preset(os.path.join(presets.BUILTIN_DIR, p["name"])))
                       for p in presets.list_presets()):
        notes = registry.get_class(meta.metadata["model"]).preset_notes(meta.config)
        # every key the preset's config file changes is named, with the paper's value beside it
        changed = ganzoo.schema.flatten(ganzoo.config.read_zoo_config(
            f"{meta.metadata['model']}_{meta.metadata['recipe']['config']}"))
        for key in changed:
            if key != "model":
                assert f"`{key}`" in notes, (name, key)
    notes = registry.get_class("pix2pix").preset_notes(
        ganzoo.resolve_config("pix2pix", "digits_edges"))
    assert "`generator.filters` 16 (64)" in notes and "`training.batch_size` 16 (1)" in notes
    assert registry.get_class("dcgan").preset_notes(ganzoo.resolve_config("dcgan")) == ""
