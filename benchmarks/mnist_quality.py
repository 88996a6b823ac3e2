"""IS and FID on real MNIST: the ceiling (real test digits) next to DCGAN and cGAN after a budget.

    python benchmarks/mnist_quality.py [--models dcgan,cgan] [--epochs 5] [--data mnist.npz]

Reads MNIST (``--data``, default ``$GANZOO_DATA_DIR/mnist.npz``), all with the shipped MNIST
classifier (``ganzoo.classifiers``):

- ceiling: IS of the 10,000 test digits, FID / KID / precision-recall of test vs train;
- each model trained on the 60,000 training digits for ``--epochs`` epochs (default config,
  seed 0), with ``ganzoo.callbacks.InceptionScore`` and ``FID`` (10,000 samples vs the training
  digits) after every epoch; then IS, FID, KID and precision/recall of 10,000 samples (cGAN:
  1,000 per class).

Writes results/mnist_quality.json, a per-epoch curve PNG and a sample grid per model.
"""

import argparse
import json
import os
import time

import numpy as np

import ganzoo
from ganzoo import datasets, images, metrics, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def scores(judge, fake, train_feats, n_pr=5000):
    probs, feats = judge.probs_and_features(fake)
    is_mean, is_std = metrics.inception_score(probs)
    kid_mean, kid_std = metrics.kernel_inception_distance(feats, train_feats)
    pr = metrics.precision_recall(train_feats[:n_pr], feats[:n_pr])
    return {"inception_score": round(is_mean, 3), "inception_score_std": round(is_std, 3),
            "fid": round(metrics.frechet_distance(feats, train_feats), 3),
            "kid": round(kid_mean, 5), "kid_std": round(kid_std, 5),
            "precision": round(pr["precision"], 3), "recall": round(pr["recall"], 3)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="dcgan,cgan")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--data", default=None)
    p.add_argument("--limit", type=int, default=None, help="use the first N train digits (smoke)")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    path, x, y, judge, train_feats = common.mnist_reference(args.data, args.limit)
    xt, _ = datasets.read_npz(path, "test")
    os.makedirs(args.out, exist_ok=True)
    result = {"machine": common.machine(),
              "judge": judge.name, "n": args.n,
              "judge_protocol": common.judge_protocol(judge, args.n, len(x), "train", seed=1),
              "command": f"python benchmarks/mnist_quality.py --models {args.models} "
                         f"--epochs {args.epochs}",
              "ceiling": {"what": "real MNIST test digits vs train",
                          **scores(judge, xt[:args.n], train_feats)},
              "models": {}}
    print(json.dumps(result["ceiling"]), flush=True)
    for name in args.models.split(","):
        gan = ganzoo.build(name, seed=0, **common.paper_settings(name))
        n_cb = min(args.n, 10_000)
        callbacks = [ganzoo.callbacks.InceptionScore(every=1, n=n_cb, judge="mnist"),
                     ganzoo.callbacks.FID(reference=x, every=1, n=n_cb, judge="mnist")]
        start = time.perf_counter()
        history = gan.fit(x, y if gan.num_classes else None, epochs=args.epochs, verbose=2,
                          callbacks=callbacks)
        seconds = time.perf_counter() - start
        fake = gan.generate(args.n, seed=1)  # conditional: every class equally often
        row = {"epochs": args.epochs, "train_seconds": round(seconds, 1),
               "steps": int(gan.g_optimizer.iterations),
               "per_epoch": {key: [round(v, 3) for v in history.history[key]]
                             for key in ("inception_score", "fid")},
               **scores(judge, fake, train_feats)}
        result["models"][name] = row
        print(name, json.dumps(row), flush=True)
        ganzoo.images.plot_history(
            {k: history.history[k] for k in ("inception_score", "fid")},
            os.path.join(args.out, f"mnist_{name}_curve.png"))
        grid_labels = None if not gan.num_classes else np.repeat(np.arange(10, dtype=np.int32), 8)
        images.save_grid(gan.generate(80 if grid_labels is not None else 64, seed=0,
                                      labels=grid_labels),
                         os.path.join(args.out, f"mnist_{name}.png"),
                         ncols=8, scale=2)
    common.write_results(args.out, to_result(result))


def to_result(raw, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout: a row per model and the
    real test digits as the reference row; per-epoch curves stay in the rows (not shown)."""
    rows = [{"model": name, **r} for name, r in raw["models"].items()]
    rows.append({"model": None, "label": "real test digits (ceiling)",
                 **{k: v for k, v in raw["ceiling"].items() if k != "what"}})
    for row in rows[:-1]:
        row["label"] = f"{row['model']}, {row['epochs']} epochs"
    return results.make(
        "mnist_quality", "MNIST",
        f"Default config, seed 0, trained on the 60,000 MNIST training digits; {raw['n']:,} "
        f"samples scored with the shipped MNIST classifier (`{raw['judge']}`, "
        "[card](mnist_classifier.md)) against the training digits; the real test digits are "
        "the ceiling.",
        {"label": "", "train_seconds": "training (s)", "inception_score": "IS", "fid": "FID",
         "kid": "KID", "precision": "precision", "recall": "recall"},
        rows, raw["command"], raw["machine"], date,
        formats={"inception_score": "{:.2f}", "fid": "{:.2f}", "kid": "{:.4f}",
                 "precision": "{:.3f}", "recall": "{:.3f}", "train_seconds": "{:.0f}"},
        headline={"formats": ["MNIST IS {inception_score:.2f}, FID {fid:.1f} ({epochs} epochs)"],
                  "best": ["inception_score"], "priority": 1},
        images={name: f"mnist_{name}.png" for name in raw["models"]},
        extra={"judge": raw["judge"], "n": raw["n"]}, judge=raw.get("judge_protocol"))


if __name__ == "__main__":
    main()
