"""Mode coverage on the 8-Gaussian ring for the MLP-capable variants.

    python benchmarks/ring_coverage.py [--models vanilla,wgan_gp,wgan] [--seeds 0,1,2]

Trains each model's ``ring`` preset for its configured epochs, scores 2,500 samples with
``ganzoo.toy.mode_coverage`` (a mode is covered with >= 20 samples within 3 std; quality is
the fraction within 3 std of a mode; for cgan, 2,500 samples asking for each mode in turn, and
the fraction within 3 std of the requested mode), and writes results/ring_coverage.json and a
scatter PNG per model.
"""

import argparse
import json
import os
import time

import numpy as np

import ganzoo
from ganzoo import images, results, toy

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="vanilla,wgan_gp,wgan,cgan")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=None, help="default: each preset's epochs")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in args.models.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            extra = {"training__epochs": args.epochs} if args.epochs else {}
            gan = ganzoo.build(name, config="ring", seed=seed, **extra)
            start = time.perf_counter()
            gan.fit(ganzoo.datasets.load("ring", seed=seed), verbose=0)
            seconds = time.perf_counter() - start
            labels = gan.default_labels(2500)
            samples = gan.generate(2500, seed=1, labels=labels)
            score = toy.mode_coverage(samples)
            if labels is not None:  # conditional: how many land on the mode they were asked for
                dist = np.linalg.norm(samples - toy.ring_centers()[labels], axis=1)
                score["on_requested_mode"] = float((dist <= 3 * toy.STD).mean())
            row = {"model": name, "seed": seed, "epochs": gan.config["training"]["epochs"],
                   "generator_steps": int(gan.g_optimizer.iterations),
                   "seconds": round(seconds, 1), **score}
            rows.append(row)
            print(json.dumps(row), flush=True)
            if seed == 0:
                images.save_scatter(samples, os.path.join(args.out, f"ring_{name}.png"),
                                    reference=toy.ring_data(2500, seed=9),
                                    title=f"{name}: {score['modes_covered']}/8 modes, "
                                          f"{score['high_quality']:.0%} within 3 std")
    common.write_results(args.out, to_result({"machine": common.machine(), "runs": rows},
                                             common.command()))


def to_result(raw, command, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout."""
    return results.make(
        "ring_coverage", "8-Gaussian ring",
        "Each model's `ring` preset trained on 2-D points from 8 Gaussians (std 0.02 on a "
        "circle of radius 2); 2,500 samples scored with `ganzoo.toy.mode_coverage`: a mode is "
        "covered with >= 20 samples within 3 std, quality is the share within 3 std of a mode "
        "(cgan: of the mode it was asked for).",
        {"seed": "seed", "generator_steps": "generator steps", "seconds": "wall time (s)",
         "modes_covered": "modes covered (of 8)", "high_quality": "within 3 std of a mode",
         "on_requested_mode": "on the requested mode"},
        raw["runs"], command, raw["machine"], date,
        formats={"high_quality": "{:.1%}", "on_requested_mode": "{:.1%}"},
        headline={"formats": ["ring: {on_requested_mode:.1%} on the requested mode",
                              "ring: {modes_covered}/8 modes, {high_quality:.0%} within 3 std"],
                  "best": ["modes_covered", "on_requested_mode", "high_quality"], "priority": 2},
        images={r["model"]: f"ring_{r['model']}.png" for r in raw["runs"]})


if __name__ == "__main__":
    main()
