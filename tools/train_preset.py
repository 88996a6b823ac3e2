"""Train a built-in preset from its recipe, in resumable pieces, then measure and ship it.

    GANZOO_DATA_DIR=../shared/data python tools/train_preset.py cgan_mnist \\
        [--runs ~/ganzoo-runs/presets] [--minutes 55] [--seed S] [--no-ship]

Each call trains for at most ``--minutes`` (a piece: the run keeps its checkpoint and the next
call resumes it; exit status 3 says "call me again"). When training has finished, it evaluates
the run and the real test data (the ceiling) with the recipe's protocol
(``zoo_configs/recipes.yaml``), prints the metrics beside the recipe's targets, and writes the
preset into ``ganzoo/weights/presets/NAME`` (float16 weights; a temporary folder renamed into
place). ``--seed`` trains another seed into its own run folder (for the seed-to-seed spread)
and only reports.
"""

import argparse
import json
import os
import sys

import ganzoo
from ganzoo import presets, recipes, runs

AGAIN = 3


def train_piece(r, out, minutes):
    """Run (or resume) the recipe's training in a child process for at most ``minutes``; True
    when training has finished."""
    args = [r["model"], "--dataset", recipes.dataset_path(r["dataset"]), "--seed",
            str(r["seed"]), "--epochs", str(r["epochs"]), "--verbose", "2"]
    if r.get("config"):
        args += ["--config", r["config"]]
    return runs.train_piece(args, out, minutes, who="train_preset")


def check_targets(r, report):
    """Lines comparing the measured metrics with the recipe's targets."""
    values = recipes.scalars(report["metrics"])
    lines = []
    for key, target in (r.get("targets") or {}).items():
        got = values.get(key)
        low, high = target.get("min"), target.get("max")
        ok = got is not None and (low is None or got >= low) and (high is None or got <= high)
        bound = f">= {low}" if low is not None else f"<= {high}"
        lines.append(f"  {key}: {got if got is None else round(got, 4)} (target {bound}) "
                     f"{'ok' if ok else 'MISSED'}")
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name", choices=sorted(recipes.recipes()))
    p.add_argument("--runs", default=os.path.expanduser("~/ganzoo-runs/presets"))
    p.add_argument("--minutes", type=float, default=55)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--no-ship", action="store_true")
    args = p.parse_args()
    r = recipes.recipe(args.name)
    if args.seed is not None:
        r["seed"] = args.seed
    out = os.path.join(args.runs, args.name + ("" if args.seed is None else f"-seed{args.seed}"))
    if not train_piece(r, out, args.minutes):
        return AGAIN
    run = ganzoo.Run(out)
    report_path = os.path.join(out, "evaluation", "report.json")
    if os.path.isfile(report_path):
        report = ganzoo.files.read_json(report_path)
    else:
        report = recipes.evaluate(r, run.model, out=os.path.join(out, "evaluation"),
                                  data_sha256=run.info.get("data_sha256"))
    if "real_ceiling" not in report:
        real = recipes.ceiling(r)  # None for image-to-image recipes
        report["real_ceiling"] = real and real["metrics"]
        ganzoo.files.write_json(report_path, report)
    print(f"{args.name} (seed {r['seed']}, {run.info['training']['steps']} steps, "
          f"{run.info['training']['seconds'] / 60:.1f} min):")
    print(json.dumps(recipes.scalars(report["metrics"]), indent=1))
    print("\n".join(check_targets(r, report)))
    if args.no_ship or args.seed is not None:
        return 0
    target = os.path.join(presets.BUILTIN_DIR, args.name)
    preset = presets.save(out, target, metrics=report, recipe=r, force=True)
    # the shipped (float16) weights measured with the same protocol as the float32 run
    stored = recipes.evaluate(r, presets.from_preset(target, full=False))
    meta = preset.metadata
    meta["weights_check"] = {"float32_run": recipes.scalars(report["metrics"]),
                             f"{meta['weights_dtype']}_preset": recipes.scalars(stored["metrics"])}
    ganzoo.files.write_json(os.path.join(target, presets.METADATA), meta)
    print(json.dumps(meta["weights_check"], indent=1))
    print(f"train_preset: shipped {preset.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
