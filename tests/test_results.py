"""One results layout (ganzoo.results) that cards read without knowing the benchmark."""

import json

import pytest

from ganzoo import cards, results


def _toy(**kw):
    rows = [{"model": "dcgan", "seed": 0, "score": 0.5, "modes": 7},
            {"model": "dcgan", "seed": 1, "score": 0.25, "modes": 8},
            {"model": "wgan", "seed": 0, "score": 0.75, "modes": 3},
            {"model": None, "label": "real data", "score": 1.0, "modes": 8}]
    args = dict(name="toy", title="Toy", protocol="A toy.", columns={"seed": "seed",
                "score": "score", "modes": "modes"}, rows=rows, command="python benchmarks/t.py",
                machine="2 CPUs", date="2026-12-02", formats={"score": "{:.0%}"},
                headline={"formats": ["{modes}/8 modes, {score:.0%}"], "best": ["modes", "score"],
                          "priority": 1}, images={"dcgan": "toy_dcgan.png"})
    args.update(kw)
    return results.make(**args)


def test_table_shows_a_models_rows_and_the_reference_rows():
    table = results.table(_toy(), "dcgan").splitlines()
    assert table[0] == "| seed | score | modes |"
    assert table[2:] == ["| 0 | 50% | 7 |", "| 1 | 25% | 8 |", "| - | 100% | 8 |"]


def test_headline_is_the_best_row_by_the_named_keys():
    assert results.headline(_toy(), "dcgan") == "8/8 modes, 25%"   # most modes wins first
    assert results.headline(_toy(), "wgan") == "3/8 modes, 75%"
    assert results.headline(_toy(), "cgan") is None
    second = _toy(name="other", headline={"formats": ["other {score}"], "best": ["score"],
                                          "priority": 2})
    assert results.best_metric("dcgan", [second, _toy()]) == "8/8 modes, 25%"  # priority 1


def test_invalid_results_are_refused_with_the_problem_named():
    with pytest.raises(ValueError, match="missing command"):
        results.validate({k: v for k, v in _toy().items() if k != "command"}, "t.json")
    with pytest.raises(ValueError, match="row 0 is not an object with a 'model' key"):
        _toy(rows=[{"seed": 0}])


def test_cards_read_any_results_folder(tmp_path, monkeypatch):
    (tmp_path / "toy.json").write_text(json.dumps(_toy()))
    (tmp_path / "old_layout.json").write_text(json.dumps({"runs": []}))  # skipped, not an error
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    assert [r["name"] for r in results.read_all()] == ["toy"]
    text = cards.render("dcgan")
    assert "**Toy.** A toy." in text and "| 1 | 25% | 8 |" in text
    assert "../images/results/toy_dcgan.png" in text
    assert cards.best_metric("dcgan") == "8/8 modes, 25%"
    assert cards.best_metric("vanilla") == "not measured"


def test_an_install_without_results_says_where_they_are(monkeypatch):
    monkeypatch.setattr(results, "results_dir", lambda: None)
    assert "not in this install" in cards.best_metric("dcgan")
    assert "does not include" in cards.render("dcgan")


JUDGE = {"name": "mnist_cnn", "sha256": "4c7aadd917f3b6dc0000", "generated": 10_000,
         "real": 60_000, "real_split": "train", "seed": 1, "resize": "none"}


def test_judged_results_carry_their_protocol_and_cards_print_it(tmp_path, monkeypatch):
    line = results.judge_line(_toy(judge=JUDGE))
    assert line == ("Judged by `mnist_cnn` (weights `4c7aadd917f3b6dc`): 10,000 generated vs "
                    "60,000 real images (train split), seed 1, resize none.")
    two = results.judge_line(_toy(judge=[JUDGE, {**JUDGE, "name": "cifar10", "real": None}]))
    assert two.count("`cifar10`") == 1 and two.count("generated") == 2
    assert results.judge_line(_toy()) == ""
    with pytest.raises(ValueError, match="judge protocol lacks real_split, seed"):
        _toy(judge={k: v for k, v in JUDGE.items() if k not in ("real_split", "seed")})
    (tmp_path / "toy.json").write_text(json.dumps(_toy(judge=JUDGE)))
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path))
    text = cards.render("dcgan")
    assert "| - | 100% | 8 |\n\n" + line in text  # beside the table it qualifies


def test_every_committed_judged_result_names_its_judge():
    judged = {"inception_score", "fid", "accuracy", "confident", "domain_success"}
    for result in results.read_all():
        keys = {k for row in result["rows"] for k in row}
        if keys & judged and result["section"] != "reference":
            assert result.get("judge"), result["name"]
