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
from ganzoo import datasets, images, metrics

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
              "command": f"python benchmarks/mnist_quality.py --models {args.models} "
                         f"--epochs {args.epochs}",
              "ceiling": {"what": "real MNIST test digits vs train",
                          **scores(judge, xt[:args.n], train_feats)},
              "models": {}}
    print(json.dumps(result["ceiling"]), flush=True)
    for name in args.models.split(","):
        gan = ganzoo.build(name, seed=0)
        n_cb = min(args.n, 10_000)
        callbacks = [ganzoo.callbacks.InceptionScore(every=1, n=n_cb),
                     ganzoo.callbacks.FID(reference=x, every=1, n=n_cb)]
        start = time.perf_counter()
        history = gan.fit(x, y if gan.num_classes else None, epochs=args.epochs, verbose=2,
                          callbacks=callbacks)
        seconds = time.perf_counter() - start
        labels = None if not gan.num_classes else np.arange(args.n, dtype=np.int32) % 10
        fake = gan.generate(args.n, seed=1, labels=labels)
        row = {"epochs": args.epochs, "train_seconds": round(seconds, 1),
               "steps": int(gan.g_optimizer.iterations),
               "per_epoch": {key: [round(v, 3) for v in history.history[key]]
                             for key in ("inception_score", "fid")},
               **scores(judge, fake, train_feats)}
        result["models"][name] = row
        print(name, json.dumps(row), flush=True)
        ganzoo.callbacks.plot_history(
            {k: history.history[k] for k in ("inception_score", "fid")},
            os.path.join(args.out, f"mnist_{name}_curve.png"))
        grid_labels = None if not gan.num_classes else np.repeat(np.arange(10, dtype=np.int32), 8)
        images.save_grid(gan.generate(80 if grid_labels is not None else 64, seed=0,
                                      labels=grid_labels),
                         os.path.join(args.out, f"mnist_{name}.png"),
                         ncols=8, scale=2)
    with open(os.path.join(args.out, "mnist_quality.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
