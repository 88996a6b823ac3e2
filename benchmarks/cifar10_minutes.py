"""CIFAR-10 at equal training minutes: DCGAN, WGAN-GP, SNGAN, BigGAN, BigGAN + DiffAugment,
StyleGAN2 (issues 17 and 18), scored by the shipped CIFAR-10 judge.

    GANZOO_DATA_DIR=../shared/data python benchmarks/cifar10_minutes.py VARIANT \\
        [--minutes 60] [--piece-minutes 30] [--runs ~/ganzoo-runs/cifar10_minutes]
    python benchmarks/cifar10_minutes.py --report     # rewrite the table from the finished runs

Each variant trains at its default config (``dcgan`` and ``wgan_gp`` at their ``cifar10``
presets; see :data:`VARIANTS`) on the 50,000 training images, seed 0, with constant learning
rates (``training.linear_decay_from: null``: a decay planned over epochs would not end with a
time budget) until ``--minutes`` of training time are spent (``ganzoo train --minutes``: the
time is counted across resumed pieces, each up to its last checkpoint, so the restarts' start-up
and the steps redone after a piece's end are not counted). A call trains one piece of at most
``--piece-minutes`` of wall time in a child ``ganzoo train`` stopped by SIGTERM, and exits with
status 3 when the variant needs another call; the run folders live outside the repository.

A finished run is scored as the CIFAR-10 presets are (``zoo_configs/recipes.yaml``): 10,000
samples (seed 0, every class equally often for conditional models) scored with the shipped
CIFAR-10 judge: IS, and FID and precision/recall in its features against 10,000 training
images, and the conditional accuracy (the judge agrees with the asked class) of
class-conditional models. 10,000 real test images measured with the same protocol are the
ceiling. Writes
``results/cifar10_minutes.json`` (every finished variant; rows already recorded there for
variants whose run folders are not on this machine are kept) and a sample grid per variant
(``results/cifar10_minutes_<variant>.png``: 8x8 samples, a row per class for conditional
models).
"""

import argparse
import json
import os
import sys

import numpy as np

import ganzoo
from ganzoo import files, images, judges, recipes, results, runs

import common

HERE = os.path.dirname(os.path.abspath(__file__))
AGAIN = 3
DATASET = "$GANZOO_DATA_DIR/cifar10_jpeg.npz"
EVALUATE = {"metrics": ["is", "fid", "pr"], "n": 10_000, "judge": "cifar10",
            "reference": DATASET}

#: variant: (registered model, config preset, overrides, checkpoint every N steps: about a
#: minute of training on 2 cores, from docs/benchmarks.md's throughput table)
VARIANTS = {
    "dcgan": ("dcgan", "cifar10", {}, 150),
    "wgan_gp": ("wgan_gp", "cifar10", {}, 120),
    "sngan": ("sngan", None, {}, 20),
    "sngan_cnn": ("sngan", "cnn", {}, 30),
    "biggan": ("biggan", None, {}, 12),
    "biggan_diffaugment": ("biggan", None, {"augment.policy": "color,translation,cutout"}, 12),
    "stylegan2": ("stylegan2", "narrow", {}, 30),
    "stylegan2_ada": ("stylegan2", "narrow", {"augment.ada.enabled": True}, 30),
}
COMMON = {"training.linear_decay_from": None}


def card_images(rows):
    """The grid each model's card shows: its plain variant's (the row named as the model)
    where the table has one, else its first row's; e.g. ``biggan``'s for BigGAN, not
    ``biggan_diffaugment``'s (docs/benchmarks.md shows every grid)."""
    images = {}
    for r in rows:
        if r["model"] and (r["model"] not in images or r["variant"] == r["model"]):
            images[r["model"]] = f"cifar10_minutes_{r['variant']}.png"
    return images


def recipe(variant, n=EVALUATE["n"]):
    """The variant as a :mod:`ganzoo.recipes` recipe (what ``recipes.evaluate`` reads)."""
    model, config, overrides, _ = VARIANTS[variant]
    spec = dict(EVALUATE, n=n)
    if ganzoo.resolve_config(model, config).get("num_classes"):
        spec["metrics"] = spec["metrics"] + ["cond_acc"]
    return {"model": model, "config": config, "overrides": {**COMMON, **overrides},
            "dataset": DATASET, "seed": 0, "evaluate": spec}


def train_piece(variant, out, minutes, piece_minutes, save_every=None):
    """Train (or resume) ``variant`` for at most ``piece_minutes``; True once it has finished."""
    model, config, overrides, every = VARIANTS[variant]
    args = [model, "--dataset", recipes.dataset_path(DATASET), "--seed", "0", "--epochs", "1000",
            "--minutes", str(minutes), "--save-every", str(save_every or every), "--verbose",
            "2"]
    if config:
        args += ["--config", config]
    for key, value in {**COMMON, **overrides}.items():
        args += ["--set", f"{key}={'null' if value is None else value}"]
    return runs.train_piece(args, out, piece_minutes, who="cifar10_minutes")


def score(variant, out, grid_dir, n):
    """Evaluate a finished run (cached in ``out/evaluation/report.json``) and write its grid."""
    r = recipe(variant, n)
    path = os.path.join(out, "evaluation", "report.json")
    run = ganzoo.Run(out)
    if os.path.isfile(path):
        report = files.read_json(path)
    else:
        report = recipes.evaluate(r, run.model, out=os.path.join(out, "evaluation"),
                                  data_sha256=run.info.get("data_sha256"))
    gan = run.model
    labels = None
    if getattr(gan, "num_classes", None):
        labels = np.repeat(np.arange(gan.num_classes), 8)[:80]
    samples = gan.generate(len(labels) if labels is not None else 64, seed=0, labels=labels)
    images.save_grid(samples, os.path.join(grid_dir, f"cifar10_minutes_{variant}.png"),
                     ncols=8, scale=2)
    return report, run.info["training"]


def ceiling(runs_dir, conditional, n):
    """The real test images' metrics with the table's protocol (cached in ``runs_dir``)."""
    path = os.path.join(runs_dir, "real_ceiling.json")
    if os.path.isfile(path):
        cached = files.read_json(path)
        if "conditional_accuracy" in cached or not conditional:
            return cached
    real = recipes.ceiling(recipe("biggan" if conditional else "dcgan", n))["metrics"]
    files.write_json(path, real)
    return real


def scores(metrics):
    """A report's metrics as the table's score columns (conditional accuracy None for an
    unconditional report); the variants' rows and the real row read them alike."""
    flat = recipes.scalars(metrics)
    return {"inception_score": round(flat.get("inception_score.mean", float("nan")), 3),
            "fid": round(flat.get("fid", float("nan")), 2),
            "precision": round(flat.get("precision_recall.precision", float("nan")), 3),
            "recall": round(flat.get("precision_recall.recall", float("nan")), 3),
            "cond_acc": (round(flat["conditional_accuracy"], 3)
                         if "conditional_accuracy" in flat else None)}


def row(variant, report, training, batch):
    model, config, overrides, _ = VARIANTS[variant]
    settings = ([f"config {config}"] if config else []) + [f"{k}={v}" for k, v in
                                                          overrides.items()]
    return {"model": model, "variant": variant, "settings": ", ".join(settings) or "defaults",
            "minutes": round(training["seconds"] / 60, 1), "steps": training["steps"],
            "images_seen": training["steps"] * batch, **scores(report["metrics"])}


def _recorded(out_dir, budget):
    """The rows (and raw records) of an earlier ``cifar10_minutes.json`` in ``out_dir`` with the
    same budget, by variant: kept for the variants whose run folders are not on this machine."""
    path = os.path.join(out_dir, "cifar10_minutes.json")
    if not os.path.isfile(path):
        return {}, {}
    old = files.read_json(path)
    if old.get("extra", {}).get("budget_minutes") != budget:
        return {}, {}
    rows = {r["variant"]: r for r in old["rows"] if r.get("model")}
    return rows, old["extra"].get("runs", {})


def report(runs_dir, out_dir, budget, n):
    """Rewrite ``results/cifar10_minutes.json`` from every finished, scored variant: the runs in
    ``runs_dir``, and the rows the file already records (same budget) for variants whose run
    folders are not here (runs of earlier sessions or other machines)."""
    kept_rows, kept_raw = _recorded(out_dir, budget)
    rows, raw = [], {}
    for variant in VARIANTS:
        out = os.path.join(runs_dir, variant)
        path = os.path.join(out, "evaluation", "report.json")
        if not os.path.isfile(path):
            if variant in kept_rows:
                rows.append(kept_rows[variant])
                raw[variant] = kept_raw.get(variant)
            continue
        run = ganzoo.Run(out)
        batch = int(ganzoo.resolve_config(VARIANTS[variant][0], VARIANTS[variant][1])
                    ["training"]["batch_size"])
        rows.append(row(variant, files.read_json(path), run.info["training"], batch))
        raw[variant] = {"training": run.info["training"], "metrics": files.read_json(path)[
            "metrics"]}
    if not rows:
        raise SystemExit("cifar10_minutes: no finished variant yet.")
    real = ceiling(runs_dir, any(r["cond_acc"] is not None for r in rows), n)
    rows.append({"model": None, "variant": "real test images", **scores(real)})
    columns = {"variant": "variant", "settings": "settings", "minutes": "training minutes",
               "steps": "D steps", "images_seen": "real images seen",
               "inception_score": "IS", "fid": "FID", "precision": "precision",
               "recall": "recall", "cond_acc": "conditional accuracy"}
    judge = judges.load("cifar10")
    result = results.make(
        "cifar10_minutes", "CIFAR-10 at equal training minutes",
        f"Each variant trained for {budget:g} minutes of training time on 2 CPU cores (50,000 "
        f"training images, seed 0, constant learning rates), then {n:,} samples (seed 0) "
        "scored with the shipped CIFAR-10 judge (FID and precision/recall against 10,000 "
        "training images); the real row is 10,000 test images. The command runs once per "
        "VARIANT, called again until it exits 0 (each call trains a piece that resumes).",
        columns, rows,
        f"python benchmarks/cifar10_minutes.py VARIANT --minutes {budget:g}", common.machine(),
        formats={"inception_score": "{:.2f}", "fid": "{:.1f}", "precision": "{:.3f}",
                 "recall": "{:.3f}", "cond_acc": "{:.3f}", "images_seen": "{:,}",
                 "steps": "{:,}"},
        images=card_images(rows),
        extra={"budget_minutes": budget, "runs": raw},
        judge=common.judge_protocol(judge, n, 10_000, "train", seed=0))
    common.write_results(out_dir, result)
    for r in rows:
        print(json.dumps(r))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("variant", nargs="?", choices=sorted(VARIANTS))
    p.add_argument("--report", action="store_true", help="only rewrite the results file")
    p.add_argument("--minutes", type=float, default=60, help="training minutes per variant")
    p.add_argument("--piece-minutes", type=float, default=30,
                   help="wall minutes of this call's piece of training")
    p.add_argument("--runs", default=os.path.expanduser("~/ganzoo-runs/cifar10_minutes"))
    p.add_argument("--save-every", type=int, default=None,
                   help="checkpoint every N steps (default: the variant's, about a minute)")
    p.add_argument("--n", type=int, default=EVALUATE["n"], help="samples scored")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    if not args.report and args.variant is None:
        p.error("name a variant, or pass --report")
    if args.variant:
        out = os.path.join(args.runs, args.variant)
        os.makedirs(args.runs, exist_ok=True)
        if not train_piece(args.variant, out, args.minutes, args.piece_minutes,
                           args.save_every):
            return AGAIN
        score(args.variant, out, args.out, args.n)
    report(args.runs, args.out, args.minutes, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
