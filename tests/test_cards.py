import os
import subprocess
import sys

import pytest

import ganzoo
from ganzoo import cards, cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CARDS = os.path.join(ROOT, "docs", "model_cards")


@pytest.mark.parametrize("name", ganzoo.list_models())
def test_committed_card_is_current(name):
    path = os.path.join(CARDS, f"{name}.md")
    assert os.path.isfile(path), f"no card for {name}: run python tools/make_model_cards.py"
    with open(path, encoding="utf-8") as f:
        committed = f.read()
    assert committed == cards.render(name), \
        f"docs/model_cards/{name}.md is stale: run python tools/make_model_cards.py"


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
    assert subprocess.run([sys.executable, tool, "--out", str(tmp_path)], timeout=300,
                          capture_output=True).returncode == 0
    assert subprocess.run([sys.executable, tool, "--check", "--out", str(tmp_path)],
                          timeout=300, capture_output=True).returncode == 0
    (tmp_path / "dcgan.md").write_text("hand-edited\n")
    result = subprocess.run([sys.executable, tool, "--check", "--out", str(tmp_path)],
                            timeout=300, capture_output=True, text=True)
    assert result.returncode == 1 and "dcgan" in result.stderr


def test_cli_cards_and_card(capsys):
    assert cli.main(["cards"]) == 0
    out = capsys.readouterr().out
    for name in ganzoo.list_models():
        assert name in out
    assert cli.main(["card", "vanilla"]) == 0
    assert "arXiv:1406.2661" in capsys.readouterr().out
    assert cli.main(["card", "nope"]) == 2
