"""DCGAN on 500 MNIST digits: no augmentation, DiffAugment and ADA, at equal steps.

    python benchmarks/small_data.py [--train 500] [--steps 3000] [--eval-every 500] \\
        [--runs none,diffaugment,ada] [--policy color,translation,cutout]

Trains ``dcgan`` (its default config: the paper's networks at 28 px, batch 128, ganzoo's speed
defaults) on the first ``--train`` MNIST training digits (``$GANZOO_DATA_DIR/mnist.npz``), seed
0, once per setting: no augmentation, DiffAugment (``augment.policy``, Zhao et al. 2020) and
ADA (``augment.ada``, Karras et al. 2020, target 0.6). Every ``--eval-every`` steps the shipped
MNIST judge scores ``--n`` samples against the whole test set (10,000 digits): IS, FID,
precision and recall; and D's overfitting is measured as the gap in E[sign(D(x))] (ADA's r_t)
between the training digits and as many held-out test digits.

Leaks (augmented-looking samples) are counted on the last samples and on the real test digits
for reference: the mean distance of each image's centre of mass from the image centre in pixels
(translation moves it; MNIST centres it), the background level (the 4x4 corners, in [-1, 1]:
its mean, and its spread across images, which brightness raises) and the share of images
holding a 7x7 mid-grey block, every pixel within 0.25 of 0 (what cutout writes; translation's
grey border fill shows in the background level instead). At the end,
``ganzoo.metrics.memorization`` gives the median distance of each sample to its nearest
training digit over held-out digits' (1: as far as new data; 0: copies).

Writes results/small_data.json, small_data_curves.png (FID and the r_t gap against steps) and a
grid per setting (small_data_<setting>.png).
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import ganzoo
from ganzoo import datasets, images, judges, metrics, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def settings(policy):
    """The runs' config overrides (dotted keys), by setting name."""
    return {"none": {},
            "diffaugment": {"augment.policy": policy},
            "ada": {"augment.ada.enabled": True}}


def sign_mean(gan, x):
    """ADA's overfitting heuristic E[sign(D(x))] over ``x`` (uint8), without augmentation."""
    out = gan.D(keras.ops.convert_to_tensor(metrics._scaled(x)), None)
    return float(np.mean(np.sign(keras.ops.convert_to_numpy(out).astype(np.float32))))


def leaks(x):
    """Signs of augmentation in images ``x`` (N, H, W, 1), uint8 or [-1, 1]: centre-of-mass
    distance from the centre (px), background level of the 4x4 corners (mean, and its spread
    across images), share with a 7x7 mid-grey block."""
    v = metrics._scaled(x)[..., 0]
    n, h, w = v.shape
    mass = (v + 1.0) / 2.0
    total = mass.sum(axis=(1, 2)) + 1e-6
    rows, cols = np.arange(h), np.arange(w)
    cy = (mass.sum(axis=2) * rows).sum(axis=1) / total
    cx = (mass.sum(axis=1) * cols).sum(axis=1) / total
    offset = np.hypot(cy - (h - 1) / 2, cx - (w - 1) / 2)
    corners = np.concatenate([v[:, :4, :4], v[:, :4, -4:], v[:, -4:, :4], v[:, -4:, -4:]],
                             1).mean(axis=(1, 2))
    grey = (np.abs(v) < 0.25).astype(np.float32)
    # share of 7x7 windows that are all mid-grey, via a summed-area table
    s = np.pad(grey.cumsum(1).cumsum(2), ((0, 0), (1, 0), (1, 0)))
    k = 7
    box = s[:, k:, k:] - s[:, :-k, k:] - s[:, k:, :-k] + s[:, :-k, :-k]
    return {"com_offset_px": round(float(offset.mean()), 3),
            "background": round(float(corners.mean()), 4),
            "background_spread": round(float(corners.std()), 4),
            "grey_block_share": round(float((box.max(axis=(1, 2)) >= k * k).mean()), 4)}


class Scorer(keras.callbacks.Callback):
    """Scores the model at each (shortened) epoch end: IS, FID, precision/recall against the
    test set, and the r_t gap between training and held-out digits."""

    def __init__(self, judge, test_feats, x_train, x_held, n):
        super().__init__()
        self.judge, self.test_feats, self.n = judge, test_feats, n
        self.x_train, self.x_held = x_train, x_held
        self.points = []

    def on_epoch_end(self, epoch, logs=None):
        gan = self.model
        probs, feats = self.judge.probs_and_features(gan.generate(self.n, seed=1))
        pr = metrics.precision_recall(self.test_feats[:5000], feats[:5000])
        rt_train, rt_held = sign_mean(gan, self.x_train), sign_mean(gan, self.x_held)
        point = {"steps": int(gan.train_steps),
                 "inception_score": round(metrics.inception_score(probs)[0], 3),
                 "fid": round(metrics.frechet_distance(feats, self.test_feats), 3),
                 "precision": round(pr["precision"], 3), "recall": round(pr["recall"], 3),
                 "rt_train": round(rt_train, 3), "rt_held": round(rt_held, 3),
                 "rt_gap": round(rt_train - rt_held, 3),
                 "ada_p": (round(float(gan.ada_p.numpy()), 4) if hasattr(gan, "ada_p")
                           else None)}
        self.points.append(point)
        print(json.dumps(point), flush=True)


def plot(runs, path):
    plt = images._pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name, run in runs.items():
        steps = [p["steps"] for p in run["points"]]
        axes[0].plot(steps, [p["fid"] for p in run["points"]], marker="o", label=name)
        axes[1].plot(steps, [p["rt_gap"] for p in run["points"]], marker="o", label=name)
    axes[0].set_yscale("log")
    axes[0].set_title("FID against the 10,000 test digits (MNIST judge)")
    axes[1].set_title("D overfitting: E[sign D(train)] - E[sign D(held-out)]")
    for ax in axes:
        ax.set_xlabel("training steps")
        ax.grid(alpha=0.3)
        ax.legend()
    images._save_figure(fig, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", type=int, default=500, help="training digits (the first N)")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--runs", default="none,diffaugment,ada")
    p.add_argument("--policy", default="color,translation,cutout")
    p.add_argument("--n", type=int, default=10_000, help="samples per score")
    p.add_argument("--data", default=None)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    if args.steps % args.eval_every:
        p.error("--steps must be a multiple of --eval-every")
    path = args.data or datasets.shared_data_file("mnist.npz")
    x_all, _ = datasets.read_npz(path, "train")
    x_test, _ = datasets.read_npz(path, "test")
    x_train = x_all[:args.train]
    x_held = x_test[-args.train:]
    judge = judges.load("mnist")
    test_feats = judge.features(x_test)
    os.makedirs(args.out, exist_ok=True)
    raw = {"machine": common.machine(), "command": common.command(), "train": args.train,
           "steps": args.steps, "policy": args.policy, "n": args.n,
           "real_test": leaks(x_test), "runs": {},
           "judge_protocol": common.judge_protocol(judge, args.n, len(x_test), "test", seed=1)}
    print("real test digits:", json.dumps(raw["real_test"]), flush=True)
    for name in args.runs.split(","):
        gan = ganzoo.build("dcgan", seed=0, **settings(args.policy)[name])
        batch = gan.config["training"]["batch_size"]
        # one "epoch" = eval_every steps over the small set repeated (the pipeline shuffles)
        reps = -(-args.eval_every * batch // args.train)
        x_rep = np.tile(x_train, (reps, 1, 1, 1))[:args.eval_every * batch]
        scorer = Scorer(judge, test_feats, x_train, x_held, args.n)
        start = time.perf_counter()
        gan.fit(x_rep, epochs=args.steps // args.eval_every, verbose=0, callbacks=[scorer])
        seconds = time.perf_counter() - start
        fake = gan.generate(args.n, seed=1)
        mem = metrics.memorization(fake[:2000], x_train, test=x_held, extractor=judge)
        run = {"overrides": settings(args.policy)[name], "seconds": round(seconds, 1),
               "points": scorer.points, "leaks": leaks(fake),
               "median_pixel_ratio": round(float(mem["median_pixel_ratio"]), 3),
               "flagged_fraction": round(float(mem["flagged_fraction"]), 4)}
        raw["runs"][name] = run
        print(name, json.dumps({k: v for k, v in run.items() if k != "points"}), flush=True)
        images.save_grid(gan.generate(64, seed=0),
                         os.path.join(args.out, f"small_data_{name}.png"), ncols=8, scale=2)
    plot(raw["runs"], os.path.join(args.out, "small_data_curves.png"))
    common.write_results(args.out, to_result(raw))


def to_result(raw, date=None):
    """The measurements in the :mod:`ganzoo.results` layout: a row per setting (its last
    scores, best FID, leak signs and memorisation); every scored point stays in ``extra``."""
    rows = []
    for name, run in raw["runs"].items():
        last = run["points"][-1]
        rows.append({"model": "dcgan", "setting": name, "fid": last["fid"],
                     "best_fid": min(p["fid"] for p in run["points"]),
                     "inception_score": last["inception_score"],
                     "precision": last["precision"], "recall": last["recall"],
                     "rt_gap": last["rt_gap"], "ada_p": last["ada_p"],
                     **run["leaks"], "median_pixel_ratio": run["median_pixel_ratio"],
                     "minutes": round(run["seconds"] / 60, 1)})
    rows.append({"model": None, "setting": "real test digits", **raw["real_test"]})
    columns = {"setting": "setting", "fid": "FID (end)", "best_fid": "best FID",
               "inception_score": "IS", "precision": "precision", "recall": "recall",
               "rt_gap": "r_t gap (train - held-out)", "ada_p": "ADA p",
               "com_offset_px": "centre-of-mass offset (px)", "background": "background",
               "background_spread": "background spread",
               "grey_block_share": "grey 7x7 blocks", "median_pixel_ratio": "nearest-train ratio",
               "minutes": "minutes"}
    return results.make(
        "small_data", f"DCGAN on {raw['train']} MNIST digits",
        f"{raw['steps']:,} steps each, seed 0; scores of {raw['n']:,} samples against the "
        f"10,000 test digits with the shipped MNIST judge; DiffAugment policy '{raw['policy']}'.",
        columns, rows, raw["command"], raw["machine"], date,
        formats={"grey_block_share": "{:.0%}", "inception_score": "{:.2f}", "fid": "{:.1f}",
                 "best_fid": "{:.1f}", "rt_gap": "{:.2f}", "background": "{:.3f}",
                 "background_spread": "{:.3f}", "com_offset_px": "{:.2f}",
                 "median_pixel_ratio": "{:.2f}"},
        images={"dcgan": "small_data_curves.png"},
        extra={k: raw[k] for k in ("train", "steps", "policy", "n", "real_test", "runs")},
        judge=raw["judge_protocol"])


if __name__ == "__main__":
    main()
