"""Image-to-image metrics: L1, PSNR and SSIM against paired targets; domain success and FID in a
domain judge's features."""

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import evaluation, judges

TINY_P2P = dict(data_shape=(32, 32, 1), generator={"filters": 4}, discriminator={"filters": 4})
TINY_CYCLE = dict(data_shape=(32, 32, 1), generator={"filters": 4, "blocks": 1},
                  discriminator={"filters": 4})


def test_paired_metrics_equal_their_definitions():
    gan = ganzoo.build("pix2pix", seed=0, **TINY_P2P)
    report = evaluation.evaluate_translation(gan, ["l1", "psnr", "ssim"],
                                             reference="digits_edges", n=40)
    a, b = ganzoo.datasets.read_pairs("digits_edges", "test")
    out, target = gan.translate(a[:40]), gan.as_float(b[:40])
    m = report["metrics"]
    assert m["l1"] == pytest.approx(float(np.abs(out - target).mean()), rel=1e-6)
    x, y = (out + 1) / 2, (target + 1) / 2
    assert m["psnr_db"] == pytest.approx(float(tf.reduce_mean(tf.image.psnr(x, y, 1.0))),
                                         rel=1e-5)
    assert m["ssim"] == pytest.approx(float(tf.reduce_mean(tf.image.ssim(x, y, 1.0))), rel=1e-5)
    # and the definitions themselves on a known pair: identical images
    assert float(tf.image.ssim(tf.constant(y), tf.constant(y), 1.0)[0]) == pytest.approx(1.0)
    assert report["test_images"] == 40


def test_unpaired_models_have_no_paired_metrics_and_domain_needs_a_judge():
    gan = ganzoo.build("cyclegan", seed=0, **TINY_CYCLE)
    with pytest.raises(ValueError, match="an unpaired model has none"):
        evaluation.evaluate_translation(gan, ["ssim"], reference="digits_thickness")
    with pytest.raises(judges.JudgeError, match="ganzoo judge train"):
        evaluation.evaluate_translation(gan, ["domain"], reference="digits_thickness")


@pytest.mark.parametrize("direction", ["a2b", "b2a"])
def test_cycle_l1_is_the_test_inputs_round_trip_error(direction):
    gan = ganzoo.build("cyclegan", seed=0, **TINY_CYCLE)
    report = evaluation.evaluate_translation(gan, ["cycle_l1"], reference="digits_thickness",
                                             direction=direction, n=30)
    a, b = ganzoo.datasets.read_unpaired("digits_thickness", "test")
    x = gan.as_float((a if direction == "a2b" else b)[:30])
    there, back = (("a2b", "b2a") if direction == "a2b" else ("b2a", "a2b"))
    expected = np.abs(gan.translate(gan.translate(x, there), back) - x).mean()
    assert report["metrics"]["cycle_l1"] == pytest.approx(float(expected), rel=1e-5)
    assert report["metrics"]["cycle_l1"] > 0.01  # untrained: far from its inputs
    with pytest.raises(ValueError, match="translates one way"):
        evaluation.evaluate_translation(ganzoo.build("pix2pix", seed=0, **TINY_P2P),
                                        ["cycle_l1"], reference="digits_edges")


def test_domain_success_of_real_targets_is_the_domain_judges_accuracy(tmp_path):
    judge = judges.train("digits_thickness", tmp_path / "thickness", epochs=1, batch_size=64,
                         verbose=0)
    assert judge.record["classes"] == ["A", "B"] and judge.record["test_accuracy"] > 0.9
    gan = ganzoo.build("cyclegan", seed=0, **TINY_CYCLE)
    report = evaluation.evaluate_translation(gan, ["domain", "fid"],
                                             reference="digits_thickness",
                                             judge=str(tmp_path / "thickness"))
    _, b = ganzoo.datasets.read_unpaired("digits_thickness", "test")
    expected = float((judge.probs(b).argmax(1) == 1).mean())
    success = report["metrics"]["domain_success"]
    assert success["real_targets"] == pytest.approx(expected)
    assert 0.0 <= success["translated"] <= 1.0
    assert report["metrics"]["fid"]["translated"] >= 0 and report["judge"] == "thickness"
    assert report["judge_sha256"] == judge.record["weights_sha256"]
    fid = report["metrics"]["fid"]
    a_train, b_train = ganzoo.datasets.read_unpaired("digits_thickness", "train")
    assert fid["real_images"] == len(b_train) and fid["real_split"] == "train"
    # real test targets lie closer to the real train targets than the untranslated inputs do
    assert fid["real_targets"] < fid["inputs"]


@pytest.mark.skipif("cyclegan_digits_thickness" not in
                    [p["name"] for p in ganzoo.list_presets()],
                    reason="no built-in presets in this tree")
def test_cli_evaluate_scores_the_direction_asked(tmp_path, capsys):
    """`ganzoo evaluate --direction b2a` scores F: the same numbers as the Python API's b2a,
    not G's; a direction for a one-way model or a noise model is refused before writing."""
    import json

    from ganzoo import cli

    for d in ("a2b", "b2a"):
        assert cli.main(["evaluate", "cyclegan_digits_thickness", "--direction", d, "--n", "40",
                         "--out", str(tmp_path / d)]) == 0
    got = {d: json.loads((tmp_path / d / "report.json").read_text()) for d in ("a2b", "b2a")}
    assert got["b2a"]["direction"] == "b2a" and got["a2b"]["direction"] == "a2b"
    want = evaluation.evaluate_translation("cyclegan_digits_thickness", ["cycle_l1"],
                                           reference="digits_thickness", direction="b2a", n=40)
    assert got["b2a"]["metrics"]["cycle_l1"] == pytest.approx(want["metrics"]["cycle_l1"],
                                                              rel=1e-6)
    assert got["b2a"]["metrics"]["cycle_l1"] != pytest.approx(got["a2b"]["metrics"]["cycle_l1"],
                                                              rel=1e-3)
    capsys.readouterr()
    assert cli.main(["evaluate", "pix2pix_digits_edges", "--direction", "b2a",
                     "--out", str(tmp_path / "p2p")]) == 2
    assert "translate a2b only" in capsys.readouterr().err
    assert cli.main(["evaluate", "dcgan_mnist", "--direction", "b2a",
                     "--out", str(tmp_path / "dc")]) == 2
    assert "Drop --direction" in capsys.readouterr().err
    assert not (tmp_path / "p2p").exists() and not (tmp_path / "dc").exists()
