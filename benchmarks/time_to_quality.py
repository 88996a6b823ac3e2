"""Wall-clock time for DCGAN and cGAN on MNIST to reach IS >= 9.0, IS >= 9.5, IS >= 0.95x the
real test digits' and an FID bound.

    python benchmarks/time_to_quality.py [--models dcgan,cgan] [--minutes 10] [--eval-every 100]
    python benchmarks/time_to_quality.py --models dcgan --config mnist --epochs 8 \
        --settings fast --fast "" --minutes 20 --eval-every 250     # the self-conditioned recipe

Each model trains on the 60,000 MNIST training digits (``$GANZOO_DATA_DIR/mnist.npz``, default
``../shared/data``), seed 0, in up to two settings (``--settings``): the paper defaults (float32,
alternating updates) and ganzoo's speed options (``--fast``, default ``reuse_fakes`` +
``precision=auto`` + ``steps_per_execution``), so the curves also show whether the faster
settings cost quality. ``--config`` applies a config preset to every run (``mnist``: the
self-conditioned recipe of the ``dcgan_mnist`` preset), and ``--epochs`` sets the length ``fit``
is given, which places the recipes' learning-rate decay (default: open-ended, no decay).
Every ``--eval-every`` steps and at each epoch end the clock pauses and the shipped MNIST
classifier (``ganzoo.classifiers``) scores ``--n`` fresh samples: Inception Score and FID
against the training digits (cGAN samples cycle through the ten classes). The clock counts
everything a user waits for in ``fit`` (input pipeline, tracing, training) except these
evaluations. A run stops when every threshold is reached or after ``--minutes`` of training.

Writes results/time_to_quality.json, ``ttq_<model>.png`` (IS and FID against training minutes,
one line per setting, thresholds dashed, epoch ends marked) and a sample grid per run.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import ganzoo
from ganzoo import images, metrics, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))
IS_TARGETS = (9.0, 9.5)
REAL_SHARE = 0.95  # the presets' bar: IS >= 0.95x the real test digits' (issue 16)


class QualityClock(keras.callbacks.Callback):
    """Scores the model every ``every`` steps and at epoch ends, on a clock that excludes it.

    Args:
        judge: a :class:`ganzoo.classifiers.Judge`.
        train_feats: the judge's features of the reference (training) images.
        every: training steps between scores.
        n: samples per score.
        minutes: training-time budget; ``fit`` stops after it.
        fid_target: FID bound counted as reached.
        start: ``time.perf_counter()`` at the start of ``fit``.
        real_is: the real test digits' Inception Score; ``REAL_SHARE`` of it is a target.
    """

    def __init__(self, judge, train_feats, every, n, minutes, fid_target, start, real_is):
        super().__init__()
        self.judge, self.train_feats, self.every, self.n = judge, train_feats, every, n
        self.budget, self.fid_target, self.start = 60.0 * minutes, fid_target, start
        self.real_is = real_is
        self.paused, self.points, self.epoch_ends, self.reached = 0.0, [], [], {}
        self.last = 0

    def train_seconds(self):
        return time.perf_counter() - self.start - self.paused

    def score(self, epoch_end=False):
        t = self.train_seconds()
        pause = time.perf_counter()
        gan = self.model
        probs, feats = self.judge.probs_and_features(gan.generate(self.n, seed=1))
        point = {"seconds": round(t, 1), "steps": gan.train_steps,
                 "inception_score": round(metrics.inception_score(probs)[0], 3),
                 "fid": round(metrics.frechet_distance(feats, self.train_feats), 3),
                 "epoch_end": epoch_end}
        self.points.append(point)
        self.last = point["steps"]
        hits = {f"is_{target}": point["inception_score"] >= target for target in IS_TARGETS}
        hits[f"is_{REAL_SHARE:g}x_real"] = point["inception_score"] >= REAL_SHARE * self.real_is
        hits[f"fid_{self.fid_target:g}"] = point["fid"] <= self.fid_target
        for key, hit in hits.items():
            if hit and key not in self.reached:
                self.reached[key] = {"seconds": point["seconds"], "steps": point["steps"]}
        print(json.dumps(point), flush=True)
        self.paused += time.perf_counter() - pause
        if len(self.reached) == len(hits) or t >= self.budget:
            gan.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        steps = self.model.train_steps
        if steps - self.last >= self.every:
            self.last = steps
            self.score()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_ends.append(round(self.train_seconds(), 1))
        if self.points and self.points[-1]["steps"] == self.model.train_steps:
            self.points[-1]["epoch_end"] = True
        elif not self.model.stop_training:
            self.score(epoch_end=True)


def image_prefix(name):
    """How the images of the results file ``name`` begin (``ttq`` for the default name)."""
    return "ttq" if name == "time_to_quality" else name


def plot(runs, fid_target, path, real_is=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for (label, run), color in zip(runs.items(), ("tab:blue", "tab:orange", "tab:green")):
        minutes = [p["seconds"] / 60 for p in run["points"]]
        for ax, key in zip(axes, ("inception_score", "fid")):
            ax.plot(minutes, [p[key] for p in run["points"]], color=color,
                    label=label.split(" (")[0])
            for t in run["epoch_ends"]:
                ax.axvline(t / 60, color=color, alpha=0.15)
    for target in IS_TARGETS:
        axes[0].axhline(target, color="grey", ls="--", lw=1)
    if real_is:
        axes[0].axhline(REAL_SHARE * real_is, color="black", ls=":", lw=1,
                        label=f"{REAL_SHARE:g}x real ({REAL_SHARE * real_is:.2f})")
    axes[1].axhline(fid_target, color="grey", ls="--", lw=1)
    axes[1].set_yscale("log")
    for ax, name in zip(axes, ("Inception Score (MNIST classifier)", "FID (MNIST classifier)")):
        ax.set_xlabel("training minutes (faint lines: epoch ends)")
        ax.set_title(name)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="dcgan,cgan")
    p.add_argument("--minutes", type=float, default=10.0, help="training budget per run")
    p.add_argument("--eval-every", type=int, default=100, help="steps between scores")
    p.add_argument("--n", type=int, default=10_000, help="samples per score")
    p.add_argument("--fid", type=float, default=10.0, help="FID bound (shipped classifier)")
    p.add_argument("--settings", default="paper,fast",
                   help="which runs: 'paper' (paper defaults), 'fast' (--fast), or both")
    p.add_argument("--fast", default="reuse_fakes=true,precision=auto,steps_per_execution=8",
                   help="training.* overrides of the fast run ('' = the config's own settings)")
    p.add_argument("--config", default=None,
                   help="config preset of every run (e.g. 'mnist': zoo_configs/<model>_mnist.yaml)")
    p.add_argument("--epochs", type=int, default=1000,
                   help="epochs fit is given: places a recipe's learning-rate decay (default "
                        "1000, i.e. open-ended)")
    p.add_argument("--data", default=None)
    p.add_argument("--limit", type=int, default=None, help="use the first N train digits (smoke)")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--name", default="time_to_quality",
                   help="results file NAME.json; its images are named NAME_<model>*.png "
                        "(ttq_<model>*.png for the default name)")
    p.add_argument("--replot", action="store_true",
                   help="only redraw the PNGs from the JSON in --out")
    args = p.parse_args()
    prefix = image_prefix(args.name)
    if args.replot:
        with open(os.path.join(args.out, args.name + ".json")) as f:
            saved = json.load(f)["extra"]
        for name, runs in saved["models"].items():
            plot(runs, saved["fid_target"], os.path.join(args.out, f"{prefix}_{name}.png"),
                 saved.get("real_inception_score"))
        return
    path, x, y, judge, train_feats = common.mnist_reference(args.data, args.limit)
    x_test, _ = ganzoo.datasets.read_npz(path, "test")
    real_is = float(metrics.inception_score(judge.probs(x_test[:args.n]))[0])
    os.makedirs(args.out, exist_ok=True)
    chosen = set(args.settings.split(","))
    settings = {}
    if "paper" in chosen:
        settings["paper defaults"] = None
    if "fast" in chosen:
        fast = {}
        for item in filter(None, args.fast.split(",")):
            key, value = ganzoo.config.parse_set_option(item)
            fast[f"training.{key}"] = value
        settings["fast (" + (args.fast or "the config's settings") + ")"] = fast
    result = {"machine": common.machine(),
              "judge": judge.name, "n": args.n, "fid_target": args.fid,
              "judge_protocol": common.judge_protocol(judge, args.n, len(x), "train", seed=1),
              "is_targets": list(IS_TARGETS), "minutes_budget": args.minutes,
              "real_inception_score": round(real_is, 3), "config": args.config,
              "epochs": args.epochs, "command": common.command(), "models": {},
              "name": args.name}
    print(f"real test digits: IS {real_is:.3f}; target {REAL_SHARE:g}x = "
          f"{REAL_SHARE * real_is:.3f}", flush=True)
    for name in args.models.split(","):
        runs = {}
        for label, overrides in settings.items():
            if overrides is None:
                overrides = common.paper_settings(name)
            gan = ganzoo.build(name, config=args.config, seed=0, **overrides)
            start = time.perf_counter()
            clock = QualityClock(judge, train_feats, args.eval_every, args.n, args.minutes,
                                 args.fid, start, real_is)
            gan.fit(x, y if gan.num_classes else None, epochs=args.epochs, verbose=0,
                    callbacks=[clock])
            runs[label] = {"overrides": overrides, "reached": clock.reached,
                           "train_seconds": round(clock.train_seconds(), 1),
                           "eval_seconds": round(clock.paused, 1), "steps": gan.train_steps,
                           "epoch_ends": clock.epoch_ends, "points": clock.points}
            print(name, label, json.dumps(clock.reached), flush=True)
            grid_labels = (None if not gan.num_classes
                           else np.repeat(np.arange(10, dtype=np.int32), 8))
            tag = "paper" if label.startswith("paper") else "fast"
            images.save_grid(gan.generate(80 if grid_labels is not None else 64, seed=0,
                                          labels=grid_labels),
                             os.path.join(args.out, f"{prefix}_{name}_{tag}.png"), ncols=8, scale=2)
        result["models"][name] = runs
        plot(runs, args.fid, os.path.join(args.out, f"{prefix}_{name}.png"), real_is)
    common.write_results(args.out, to_result(result))


def to_result(raw, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout: a row per model and
    setting with the training minutes to each target; every scored point stays in ``extra``."""
    keys = [(f"is_{t}", f"IS ≥ {t}") for t in raw["is_targets"]]
    if raw.get("real_inception_score"):
        share = REAL_SHARE * raw["real_inception_score"]
        keys.append((f"is_{REAL_SHARE:g}x_real", f"IS ≥ {REAL_SHARE:g}× real ({share:.2f})"))
    keys.append((f"fid_{raw['fid_target']:g}", f"FID ≤ {raw['fid_target']:g}"))
    rows = []
    for name, runs in raw["models"].items():
        for label, run in runs.items():
            row = {"model": name, "setting": label,
                   "best_inception_score": max(p["inception_score"] for p in run["points"]),
                   "train_minutes": round(run["train_seconds"] / 60, 1)}
            for key, _ in keys:
                reached = run["reached"].get(key)
                row[f"minutes_to_{key}"] = None if reached is None else round(
                    reached["seconds"] / 60, 1)
            rows.append(row)
    columns = {"setting": "setting"}
    columns.update({f"minutes_to_{key}": f"minutes to {head}" for key, head in keys})
    columns.update({"train_minutes": "minutes trained", "best_inception_score": "best IS"})
    stem = raw.get("name", "time_to_quality")
    prefix = image_prefix(stem)
    return results.make(
        stem, "Time to quality, MNIST",
        "Training minutes (evaluation excluded) until the shipped MNIST classifier's IS and FID "
        f"of {raw['n']:,} samples reach each target; '-' means not within the budget of "
        f"{raw['minutes_budget']:g} minutes.",
        columns, rows, raw["command"], raw["machine"], date,
        formats={"best_inception_score": "{:.2f}"},
        images={name: f"{prefix}_{name}.png" for name in raw["models"]},
        extra={k: raw[k] for k in ("judge", "n", "fid_target", "is_targets", "minutes_budget",
                                   "models", "real_inception_score", "config", "epochs")
               if k in raw}, judge=raw.get("judge_protocol"))


if __name__ == "__main__":
    main()
