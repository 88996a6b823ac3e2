import os
import subprocess
import sys

import pytest

import ganzoo
from ganzoo import cards, cli, schema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARDS = os.path.join(ROOT, "docs", "model_cards")


CARD_NAMES = ganzoo.list_models() + ["mnist_classifier", "cifar10_judge"]


@pytest.mark.parametrize("name", CARD_NAMES)
def test_committed_card_is_current(name):
    path = os.path.join(CARDS, f"{name}.md")
    assert os.path.isfile(path), f"no card for {name}: run python tools/make_model_cards.py"
    with open(path, encoding="utf-8") as f:
        committed = f.read()
    assert committed == dict(cards.all_cards())[name], \
        f"docs/model_cards/{name}.md is stale: run python tools/make_model_cards.py"


def test_classifier_card_states_its_data_and_measured_accuracy():
    text = dict(cards.all_cards())["mnist_classifier"]
    info = ganzoo.classifiers.mnist_classifier_info()
    assert f"**Test accuracy: {100 * info['test_accuracy']:.2f} %**" in text
    assert info["data"]["sha256"] in text and "tools/train_mnist_classifier.py" in text


def test_card_content_comes_from_the_real_model_and_config():
    text = ganzoo.card("dcgan")
    gan = ganzoo.build("dcgan")
    assert f"**{gan.generator.count_params():,}**" in text
    assert f"**{gan.discriminator.count_params():,}**" in text
    assert "| `optimizer.generator.learning_rate` | `0.0002` |" in text
    assert "arXiv:1511.06434" in text
    for section in ("## Intended use", "## Architecture", "## Objective", "## Default hyper",
                    "## Data and results", "## Export", "## Limitations", "## How to use"):
        assert section in text
    assert "k = 5" in ganzoo.card("wgan") and "clipped to [-0.01, 0.01]" in ganzoo.card("wgan")


def test_check_mode_detects_a_stale_card(tmp_path):
    tool = os.path.join(ROOT, "tools", "make_model_cards.py")
    where = ["--out", str(tmp_path), "--keys", str(tmp_path / "config_keys.md")]
    assert subprocess.run([sys.executable, tool, *where], timeout=300,
                          capture_output=True).returncode == 0
    assert subprocess.run([sys.executable, tool, "--check", *where],
                          timeout=300, capture_output=True).returncode == 0
    (tmp_path / "dcgan.md").write_text("hand-edited\n")
    result = subprocess.run([sys.executable, tool, "--check", *where],
                            timeout=300, capture_output=True, text=True)
    assert result.returncode == 1 and "dcgan" in result.stderr
    (tmp_path / "config_keys.md").write_text("hand-edited\n")
    result = subprocess.run([sys.executable, tool, "--check", *where],
                            timeout=300, capture_output=True, text=True)
    assert result.returncode == 1 and "config_keys.md" in result.stderr


def test_config_keys_page_is_current_and_documents_every_key():
    path = os.path.join(ROOT, "docs", "config_keys.md")
    committed = open(path, encoding="utf-8").read()
    assert committed == cards.config_reference(), \
        "docs/config_keys.md is stale: run python tools/make_model_cards.py"
    for name in ganzoo.list_models():
        config = ganzoo.resolve_config(name)
        for key, _, _, doc in schema.rows(ganzoo.registry.get_class(name).config_schema, config):
            assert doc.strip(), f"{name}: config key {key} has no doc"
            assert f"`{key}`" in committed


def test_cli_cards_and_card(capsys):
    assert cli.main(["cards"]) == 0
    out = capsys.readouterr().out
    for name in ganzoo.list_models():
        assert name in out
    assert "best measured" in out
    vanilla = next(line for line in out.splitlines() if line.startswith("vanilla "))
    assert cards.best_metric("vanilla") in vanilla and "ring: 8/8 modes" in vanilla
    assert cli.main(["card", "vanilla"]) == 0
    assert "arXiv:1406.2661" in capsys.readouterr().out
    assert cli.main(["card", "nope"]) == 2


def test_docs_site_builds_strict_with_every_card_and_image(tmp_path):
    import re

    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                             str(site)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert result.returncode == 0, result.stderr[-3000:]
    for name in CARD_NAMES:
        page = site / "model_cards" / name / "index.html"
        assert page.is_file(), name
        for src in re.findall(r'<img[^>]+src="([^"]+)"', page.read_text()):
            assert (page.parent / src).resolve().is_file(), (name, src)
    with open(os.path.join(ROOT, "docs", "index.md"), encoding="utf-8") as f:
        index = f.read()
    for name in CARD_NAMES:
        assert f"(model_cards/{name}.md)" in index, f"docs/index.md does not link {name}"
