"""Training cost of each 32x32 noise-to-image variant at its default config, on CIFAR-10.

    python benchmarks/variant_throughput.py [--variants dcgan,lsgan,wgan_gp,sngan,sngan_cnn,biggan]
                                            [--variants stylegan2[,stylegan2_fused] --name
                                             stylegan2_throughput]
                                            [--rounds 2] [--steps 12]
                                            [--precisions float32,mixed_bfloat16]

Each variant is built with its shipped defaults at 32x32x3 (``sngan_cnn`` is ``sngan`` with
``config="cnn"``; ``biggan`` trains on the labels too; ``stylegan2_fused`` is ``stylegan2`` with
its modulated convolutions as grouped convolutions, ``generator.fused``, which trains on GPUs
only; its config refuses a machine without one, before any timing) and timed in float32 and in
``mixed_bfloat16``, segments interleaved round by round in one process (one warm-up round
first; the median of the rest is reported). Images per second count the real images of D
updates, the unit of an epoch. Each row gives the FLOPs of one D update with its share of the G
updates (forward FLOPs of every Conv/Dense layer from the layer shapes, backward = 2 x forward;
``update_flops``) and the fraction of this machine's fp32 matmul peak, measured in the same run.
Data: ``cifar10_jpeg.npz`` in ``$GANZOO_DATA_DIR`` (the first ``--images`` decoded). Writes
``results/<--name>.json`` (default ``variant_throughput``).
"""

import argparse
import os
import statistics

import keras
import tensorflow as tf

import ganzoo
from ganzoo import datasets, results

import common
from train_throughput import forward_flops, matmul_peak, time_fit

HERE = os.path.dirname(os.path.abspath(__file__))

#: row name -> (registered model, config preset or None)
VARIANTS = {"dcgan": ("dcgan", "cifar10"), "lsgan": ("lsgan", None),
            "wgan_gp": ("wgan_gp", "cifar10"), "sngan": ("sngan", None),
            "sngan_cnn": ("sngan", "cnn"), "biggan": ("biggan", None),
            "stylegan2": ("stylegan2", None), "stylegan2_fused": ("stylegan2", None)}
#: the rows timed by default: StyleGAN2 has its own results file (--name stylegan2_throughput)
DEFAULT_VARIANTS = [v for v in VARIANTS if not v.startswith("stylegan2")]
#: per-row overrides: StyleGAN2's modulated convolutions as one grouped convolution (GPUs only:
#: TensorFlow has no CPU gradient for grouped convolutions)
OVERRIDES = {"stylegan2_fused": {"generator": {"fused": True}}}


def update_flops(g, d, d_steps, g_batch_ratio, shared=False):
    """FLOPs per real image of one D update, G's updates spread over the D updates.

    A D update on m real and m generated images costs g + 2d (forward) + 4d (D's backward) per
    image; a G update on ``g_batch_ratio`` x m samples costs 3g + 2d per sample (G forward and
    backward, D forward and its activation gradients), once every ``d_steps`` D updates. With
    ``shared`` (dcgan's ``reuse_fakes``) G's update reuses the D update's samples and outputs:
    D's activation gradients and G's backward, d + 2g more (train_throughput's 3g + 7d).
    """
    if shared:
        return 3 * g + 7 * d
    return g + 6 * d + (3 * g + 2 * d) * g_batch_ratio / d_steps


def timed_steps(steps, d_steps):
    """At least ``steps`` D updates, with the timed ones (all but the first) a whole number of
    rounds of ``d_steps``, so every segment holds the same share of G updates."""
    rounds = max(1, -(-(steps - 1) // d_steps))
    return rounds * d_steps + 1


def load_cifar(n):
    """The first ``n`` CIFAR-10 training images and labels (``datasets.read_npz`` decodes the
    JPEG layout)."""
    images, labels = datasets.read_npz(datasets.shared_data_file("cifar10_jpeg.npz"), "train")
    return images[:n], labels[:n].astype("int32")


def _overrides(row, precision, filters=None):
    model = VARIANTS[row][0]
    key = "channel_max" if model == "stylegan2" else "filters"
    over = {k: dict(v) for k, v in OVERRIDES.get(row, {}).items()}
    if filters is not None:
        for net in ("generator", "discriminator"):
            over.setdefault(net, {})[key] = filters
    return dict(over, data_shape=[32, 32, 3], training={"precision": precision})


def build(row, precision, filters=None):
    model, preset = VARIANTS[row]
    return ganzoo.build(model, config=preset, seed=0, **_overrides(row, precision, filters))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variants", default=",".join(DEFAULT_VARIANTS),
                   help="comma-separated (default: all but StyleGAN2, whose segments take "
                        "minutes here; time it with --name stylegan2_throughput)")
    p.add_argument("--rounds", type=int, default=2, help="timed rounds after one warm-up")
    p.add_argument("--steps", type=int, default=12, help="D updates per timed segment")
    p.add_argument("--images", type=int, default=2000)
    p.add_argument("--precisions", default="float32,mixed_bfloat16",
                   help="training.precision values to time (mixed_bfloat16 is 8x slower than "
                        "float32 on CPUs without bf16 units: leave it out there)")
    p.add_argument("--peak-n", type=int, default=2048, help="matmul size for the peak")
    p.add_argument("--filters", type=int, default=None, help="every network's filters (smoke)")
    p.add_argument("--out", default=os.path.join(HERE, "results"), help="folder for the JSON")
    p.add_argument("--name", default="variant_throughput",
                   help="results file stem (a separate file for a separately timed group, e.g. "
                        "stylegan2_throughput)")
    args = p.parse_args()
    rows_wanted = args.variants.split(",")
    unknown = sorted(set(rows_wanted) - set(VARIANTS))
    if unknown:
        raise SystemExit(f"unknown variants {unknown}: choose from {', '.join(VARIANTS)}")
    for row in rows_wanted:   # each config checked (e.g. stylegan2_fused needs a GPU) first
        for precision in args.precisions.split(","):
            try:
                ganzoo.resolve_config(VARIANTS[row][0], VARIANTS[row][1],
                                      **_overrides(row, precision, args.filters))
            except ganzoo.ConfigError as e:
                raise SystemExit(f"--variants {row}: {e}") from None
    images, labels = load_cifar(args.images)
    peak = matmul_peak(n=args.peak_n)
    print(f"fp32 matmul peak {peak:.1f} GFLOP/s", flush=True)
    contenders = {}
    for row in rows_wanted:
        for precision in args.precisions.split(","):
            gan = build(row, precision, args.filters)
            data = (images, labels) if gan.num_classes else images
            contenders[(row, precision)] = (gan, data)
    rates = {key: [] for key in contenders}
    for r in range(args.rounds + 1):
        for key, (gan, data) in contenders.items():
            batch = int(gan.config["training"]["batch_size"])
            rate = time_fit(gan, data, timed_steps(args.steps, gan.d_steps), batch)
            if r or not args.rounds:
                rates[key].append(rate)
            print(f"round {r} {key}: {rate:.1f} images/s", flush=True)
    rows = []
    for (row, precision), values in rates.items():
        gan = contenders[(row, precision)][0]
        cfg = gan.config["training"]
        g, d = forward_flops(gan.generator), forward_flops(gan.discriminator)
        ratio = 2.0 if gan.config["model"] == "sngan" else 1.0   # SNGAN's G draws 2m samples
        flops = update_flops(g, d, cfg["d_steps"], ratio, shared=cfg.get("reuse_fakes", False))
        med = statistics.median(values)
        rows.append({"model": gan.config["model"], "variant": row, "precision": precision,
                     "images_per_s": round(med, 1), "batch_size": cfg["batch_size"],
                     "d_steps": cfg["d_steps"], "g_params_m": round(gan.generator.count_params()
                                                                   / 1e6, 2),
                     "d_params_m": round(gan.discriminator.count_params() / 1e6, 2),
                     "gflop_per_image": round(flops / 1e9, 3),
                     "fraction_of_fp32_peak": round(flops * med / 1e9 / peak, 3)})
        print(row, precision, rows[-1], flush=True)
    result = results.make(
        args.name, "Training cost of the 32x32 variants",
        "Real images per second of D updates (G's updates included at their share) for each "
        "variant's default config at 32x32x3 on CIFAR-10 at each precision timed, medians "
        f"of {args.rounds} interleaved rounds of at least {args.steps} D updates (the timed ones a "
        "whole number of each variant's rounds of D steps) after one warm-up; FLOPs "
        "from the layer shapes (backward = 2 x forward) against the fp32 matmul peak "
        f"({peak:.0f} GFLOP/s in this run). TensorFlow {tf.__version__}, Keras "
        f"{keras.__version__}.",
        {"variant": "variant", "precision": "precision", "images_per_s": "images/s",
         "d_steps": "D steps per G step", "g_params_m": "G params (M)",
         "d_params_m": "D params (M)", "gflop_per_image": "GFLOP per image",
         "fraction_of_fp32_peak": "share of fp32 peak"},
        rows, common.command(), common.machine(),
        formats={"images_per_s": "{:.1f}", "fraction_of_fp32_peak": "{:.1%}"},
        extra={"fp32_matmul_peak_gflops": round(peak, 1), "images": args.images,
               "filters": args.filters})
    os.makedirs(args.out, exist_ok=True)
    print("wrote", common.write_results(args.out, result))


if __name__ == "__main__":
    main()
