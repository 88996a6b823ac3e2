"""Why does the unconditional DCGAN plateau on MNIST? One change at a time, measured.

    python benchmarks/dcgan_plateau.py [--variants baseline,ema,...] [--epochs 3] [--n 10000]
                                       [--work ~/ganzoo-runs/dcgan_plateau]

Each variant is the default ``dcgan`` config with one change (the candidates the presets issue
names: batch statistics of separate real/fake batches in D, capacity, kernel size, learning
rates, averaging of G's weights, training length; and self-conditioning on clusters of the
digits, the change that fixed it), trained with seed 0 on the 60,000 MNIST
training digits (``$GANZOO_DATA_DIR/mnist.npz``) for ``--epochs``. After every epoch the
shipped MNIST judge scores ``--n`` samples: Inception Score, FID against the shipped train-split
statistics, and the share of the most and least frequent class among the samples (a
class-coverage check: the real digits have 9.0 % - 11.2 %). At the end the generator is also
sampled in training mode (BatchNorm on the batch's own statistics, as in training) to see
whether inference-mode BatchNorm statistics cost quality. Each finished variant is kept in
``--work`` (so an interrupted sweep resumes where it stopped) and collected in
``results/dcgan_plateau.json`` with ``dcgan_plateau.png`` (IS and FID per epoch).

``--runs LABEL=FOLDER[:WEIGHTS],...`` adds rows for longer runs trained elsewhere (the run of
``zoo_configs/dcgan_mnist.yaml``, a checkpoint of it): each is scored the same way, once with
the generator it samples from (the EMA of G when the run keeps one) and once with G itself, so
the average's share of the quality is measured rather than assumed.
"""

import argparse
import json
import os
import time

import keras
import numpy as np
import scipy.stats

import ganzoo
from ganzoo import datasets, judges, metrics, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))
#: name -> (overrides of the default dcgan config, what it tests)
VARIANTS = {
    "baseline": ({}, "zoo_configs/dcgan.yaml with the paper's settings (common.paper_settings)"),
    "ema": ({"ema": {"enabled": True, "decay": 0.999}},
            "sample from an exponential moving average of G's weights"),
    "d_layer_norm": ({"discriminator": {"norm": "layer"}},
                     "D without batch statistics (layer norm): real and fake batches are no "
                     "longer normalised separately"),
    "d_no_norm": ({"discriminator": {"norm": "none"}}, "D without any normalisation"),
    "wide": ({"generator": {"filters": 128}, "discriminator": {"filters": 128}},
             "twice the channels in G and D"),
    "kernel5": ({"generator": {"kernel_size": 5}, "discriminator": {"kernel_size": 5}},
                "5x5 kernels (the DCGAN TensorFlow port)"),
    "normal_z": ({"latent_distribution": "normal"}, "Gaussian instead of uniform z"),
    "lr_1e-4": ({"optimizer": {"generator": {"learning_rate": 1e-4},
                               "discriminator": {"learning_rate": 1e-4}}},
                "half the learning rate in G and D"),
    "batch_64": ({"training": {"batch_size": 64}}, "batches of 64 (twice the steps per epoch)"),
    "fast": ({"training": {"reuse_fakes": True, "precision": "mixed_bfloat16"}},
             "one G pass for both updates (dcgan.torch) and bfloat16 compute: quality per step"),
    "self_cond_50": ({"self_conditioning": {"clusters": 50}},
                     "self-conditioning: D sees each digit's k-means cluster (50 clusters of 50 "
                     "PCA components of the pixels), z's last coordinate picks G's; no labels"),
    "self_cond_10": ({"self_conditioning": {"clusters": 10}},
                     "self-conditioning on 10 clusters (as many as digit classes)"),
    # longer: capacity at a budget where the default has stopped improving (its 20-epoch
    # checkpoint is a --runs row)
    "wide_fast_10": ({"generator": {"filters": 128}, "discriminator": {"filters": 128},
                      "training": {"reuse_fakes": True, "precision": "mixed_bfloat16",
                                   "epochs": 10}},
                     "twice the channels, fast settings, 10 epochs"),
}


class EpochScores(keras.callbacks.Callback):
    """IS, FID and class shares of ``n`` samples after every epoch."""

    def __init__(self, judge, stats, n):
        super().__init__()
        self.judge, self.stats, self.n, self.points = judge, stats, n, []

    def on_epoch_end(self, epoch, logs=None):
        self.points.append(dict(epoch=epoch + 1, **score(self.model.generate(self.n, seed=1),
                                                         self.judge, self.stats)))
        print(f"  epoch {epoch + 1}: {self.points[-1]}", flush=True)


def score(samples, judge, stats):
    probs, feats = judge.probs_and_features(samples)
    shares = np.bincount(probs.argmax(1), minlength=10) / len(probs)
    marginal = probs.mean(0)  # p(y)
    return {"is": round(metrics.inception_score(probs)[0], 3),
            # IS = exp(H(p(y))) * exp(-E H(p(y|x))) (one split): the class-coverage cap times
            # the judge's confidence; and the share of samples it names with p > 0.9
            "coverage_cap": round(float(np.exp(scipy.stats.entropy(marginal))), 3),
            "confident": round(float(np.mean(probs.max(1) > 0.9)), 4),
            "fid": round(metrics.frechet_distance_from_statistics(
                *metrics.feature_statistics(feats), stats[0], stats[1]), 2),
            "class_share_min": round(float(shares.min()), 4),
            "class_share_max": round(float(shares.max()), 4)}


def train_mode_samples(gan, n, seed=1, batch=500):
    """Samples with G's BatchNorm on each batch's own statistics (``training=True``)."""
    net = gan.sampling_generator
    z = gan.latent_numpy(n, seed=seed)
    return np.concatenate([keras.ops.convert_to_numpy(net(z[i:i + batch], training=True))
                           for i in range(0, n, batch)])


def run_variant(name, x, epochs, n, judge, stats, work):
    path = os.path.join(work, f"{name}.json")
    if os.path.isfile(path):
        with open(path) as f:
            return json.load(f)
    overrides, what = VARIANTS[name]
    # one change from the paper settings (the defaults when the sweep was made)
    gan = ganzoo.build("dcgan", seed=0, **{**common.paper_settings("dcgan"), **overrides})
    scores = EpochScores(judge, stats, n)
    start = time.perf_counter()
    epochs = overrides.get("training", {}).get("epochs", epochs)  # a variant may set its own
    gan.fit(x, epochs=epochs, verbose=0, callbacks=[scores])
    seconds = time.perf_counter() - start  # includes the per-epoch scoring (~3 s each)
    record = {"variant": name, "change": what, "overrides": overrides, "epochs": epochs,
              "steps": gan.train_steps, "seconds": round(seconds, 1), "curve": scores.points,
              "final": scores.points[-1],
              "train_mode_sampling": score(train_mode_samples(gan, n), judge, stats)}
    grid = os.path.join(work, f"{name}.png")
    ganzoo.images.save_samples(gan.generate(64, seed=0), grid)
    os.makedirs(work, exist_ok=True)
    ganzoo.files.write_json(path, record)
    return record


def run_rows(specs, n, judge, stats):
    """Records for ``LABEL=FOLDER[:WEIGHTS]`` runs: the sampled generator and, where it differs,
    G itself."""
    records = []
    for spec in [s for s in specs.split(",") if s.strip()]:
        label, where = spec.split("=", 1)
        folder, _, weights = where.partition(":")
        info = ganzoo.files.read_json(os.path.join(folder, "run.json"))
        if weights:  # a training checkpoint: networks and optimizers (build compiles)
            gan = ganzoo.build(info["model"], config=ganzoo.config.read_yaml(
                os.path.join(folder, "config.yaml")))
            gan.load_weights(weights)
            steps = int(gan.g_optimizer.iterations.numpy())
        else:
            gan = ganzoo.Run(folder).model
            steps = info.get("training", {}).get("steps")
        sampled = score(gan.generate(n, seed=1), judge, stats)
        records.append({"variant": label, "change": f"run {os.path.basename(folder)}",
                        "overrides": {}, "steps": steps, "seconds": None, "curve": [],
                        "final": sampled, "train_mode_sampling": score(
                            train_mode_samples(gan, n), judge, stats)})
        if gan.ema_generator is not None:
            gan.ema_generator = None  # sample from G itself
            raw = score(gan.generate(n, seed=1), judge, stats)
            records.append({"variant": label + ", G without EMA", "change": "G itself",
                            "overrides": {}, "steps": steps, "seconds": None, "curve": [],
                            "final": raw, "train_mode_sampling": score(
                                train_mode_samples(gan, n), judge, stats)})
        print(records[-1], flush=True)
    return records


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--data", default=None, help="mnist.npz (default $GANZOO_DATA_DIR/mnist.npz)")
    p.add_argument("--limit", type=int, default=None, help="first N digits only (smoke runs)")
    p.add_argument("--work", default=os.path.expanduser("~/ganzoo-runs/dcgan_plateau"))
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--runs", default="", help="LABEL=RUN_FOLDER[:CHECKPOINT.weights.h5],...: "
                   "also score these longer runs")
    args = p.parse_args()
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    path = args.data or datasets.shared_data_file("mnist.npz")
    x, _ = datasets.read_npz(path, "train")
    xt, _ = datasets.read_npz(path, "test")
    if args.limit:
        x = x[:args.limit]
    judge = judges.load("mnist")
    stats = judges.reference_statistics("mnist", "train")
    pick = np.random.default_rng(0).permutation(len(xt))[:args.n]  # any class order
    real = score(xt[pick], judge, stats)  # uint8, as the judge takes them
    records = []
    for v in names:  # the results file is rewritten after every variant: a cut sweep keeps them
        records.append(run_variant(v, x, args.epochs, args.n, judge, stats, args.work))
        write(records, real, args, x, judge, stats)
    if args.runs:
        records += run_rows(args.runs, args.n, judge, stats)
        write(records, real, args, x, judge, stats)


def write(records, real, args, x, judge, stats):
    plot(records, real, os.path.join(args.out, "dcgan_plateau.png"))
    columns = {"variant": "variant", "IS": "IS", "FID": "FID", "rarest": "rarest class",
               "commonest": "commonest class", "coverage_cap": "coverage cap of IS",
               "confident": "judged with p > 0.9", "train_is": "train-mode IS",
               "train_fid": "train-mode FID", "steps": "G steps",
               "seconds": "seconds"}
    rows = [{"model": None, "variant": "real test digits", "IS": real["is"], "FID": real["fid"],
             "rarest": real["class_share_min"], "commonest": real["class_share_max"],
             "coverage_cap": real["coverage_cap"], "confident": real["confident"]}]
    rows += [{"model": "dcgan", "variant": r["variant"], "IS": r["final"]["is"],
              "FID": r["final"]["fid"], "rarest": r["final"]["class_share_min"],
              "commonest": r["final"]["class_share_max"],
              **{k: r["final"][k] for k in ("coverage_cap", "confident") if k in r["final"]},
              "train_is": r["train_mode_sampling"]["is"],
              "train_fid": r["train_mode_sampling"]["fid"], "steps": r["steps"],
              **({"seconds": r["seconds"]} if r["seconds"] else {})}
             for r in records]
    result = results.make(
        "dcgan_plateau", "DCGAN on MNIST: one change at a time",
        (f"Default dcgan with one change per row, seed 0, {args.epochs} epochs (unless the row "
         "says otherwise: see its G steps) on "
         f"{len(x):,} MNIST training digits (batch 128 unless the row changes it); "
         f"{args.n:,} samples (seed 1) scored after every epoch by the shipped MNIST judge: IS, "
         "FID against the shipped train-split statistics, and the shares of the rarest and the "
         "most frequent predicted class; IS split into the class-coverage cap exp(H(p(y))) and "
         "the share of samples the judge names with p > 0.9. *train-mode* samples the same "
         "generator with BatchNorm on each batch's own statistics. Seconds include the "
         "per-epoch scoring."),
        columns, rows, common.command(), common.machine(), section="reference",
        formats={"rarest": "{:.1%}", "commonest": "{:.1%}", "confident": "{:.1%}",
                 "seconds": "{:.0f}"},
        images={"dcgan": "dcgan_plateau.png"},
        extra={"variants": {r["variant"]: {"change": r["change"], "overrides": r["overrides"],
                                           "curve": r["curve"], "steps": r["steps"]}
                            for r in records}},
        judge=common.judge_protocol(judge, args.n, real=stats[2], real_split="train", seed=1))
    common.write_results(args.out, result)
    print(json.dumps(result["rows"], indent=1))


def plot(records, real, path):
    plt = ganzoo.images._pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for r in [r for r in records if r["curve"]]:
        epochs = [p["epoch"] for p in r["curve"]]
        axes[0].plot(epochs, [p["is"] for p in r["curve"]], marker="o", label=r["variant"])
        axes[1].plot(epochs, [p["fid"] for p in r["curve"]], marker="o", label=r["variant"])
    axes[0].axhline(real["is"], ls="--", c="k", lw=1, label="real test digits")
    axes[1].axhline(real["fid"], ls="--", c="k", lw=1)
    axes[0].set(xlabel="epoch", ylabel="Inception Score (MNIST judge)")
    axes[1].set(xlabel="epoch", ylabel="FID (MNIST judge)", yscale="log")
    axes[0].legend(fontsize=7)
    ganzoo.images._save_figure(fig, path)


if __name__ == "__main__":
    main()
