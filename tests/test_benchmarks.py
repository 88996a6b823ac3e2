"""Each benchmark script runs end to end on a tiny budget (numbers are not checked here)."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(script, *args, out):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", script), *args,
                             "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


def test_ring_coverage_script(tmp_path):
    _run("ring_coverage.py", "--models", "vanilla", "--seeds", "0", "--epochs", "1", out=tmp_path)
    runs = json.loads((tmp_path / "ring_coverage.json").read_text())["runs"]
    assert runs[0]["model"] == "vanilla" and runs[0]["generator_steps"] == 200
    assert (tmp_path / "ring_vanilla.png").is_file()


def test_cgan_digits_script(tmp_path):
    _run("cgan_digits.py", "--heads", "c_plus_1", "--epochs", "1", out=tmp_path)
    result = json.loads((tmp_path / "cgan_digits.json").read_text())
    assert len(result["heads"]["c_plus_1"]) == 1 and result["judge_test_accuracy"] > 0.9
    assert (tmp_path / "cgan_c_plus_1.png").is_file()


def test_export_latency_script(tmp_path):
    _run("export_latency.py", "--models", "cgan", "--repeats", "3", out=tmp_path)
    (row,) = json.loads((tmp_path / "export_latency.json").read_text())["runs"]
    assert row["model"] == "cgan" and row["tflite_int8_mb"] < row["tflite_float32_mb"]


def test_digits_budget_script(tmp_path):
    _run("digits_budget.py", "--models", "vanilla", "--seconds", "1", out=tmp_path)
    (row,) = json.loads((tmp_path / "digits_budget.json").read_text())["runs"]
    assert row["model"] == "vanilla" and row["epochs"] == 1 and 0 <= row["confident"] <= 1
    assert (tmp_path / "digits_vanilla.png").is_file()
