"""StyleGAN2 learning the embedded digits on this CPU: Inception Score (shipped MNIST judge)
against training minutes, and the card's truncation sweep and style-mixing grid.

    python benchmarks/stylegan2_digits.py [--epochs 12] [--every 2] [--channel-base 1024]
                                          [--channel-max 64] [--samples 1000] [--save M.keras]
                                          [--data digits|mnist] [--precision float32]
                                          [--name stylegan2_digits] [--ada] [--size 16]
                                          [--latent 64] [--mapping-layers 2] [--mixing 0]

Trains ``stylegan2`` with ``config="grey28"`` at the given widths on the 4,500 embedded training
digits (``--data mnist``: the 60,000 MNIST training digits of ``$GANZOO_DATA_DIR/mnist.npz``),
in ``--precision`` (``auto``: bf16 where the CPU has bf16 units), seed 0, with ADA
(``augment.ada.enabled``, the official target 0.6) with ``--ada``. After every
``--every`` epochs it scores ``--samples`` EMA samples (constant noise, no truncation) with the
shipped MNIST judge (IS, 10 splits), beside the same judge's IS of as many real test digits.
``--size 16`` trains at 16x16 on the digits shrunk by area averaging; its samples and the real
digits (shrunk the same way) are upsampled bilinearly to 28x28 for the judge. ``--latent`` sets
z and w's sizes (grey28: 128), ``--mapping-layers`` and ``--mixing`` the mapping depth and the
style-mixing probability (grey28: 4 and 0.9; the official cifar configuration: 2 and 0).
Writes results/<name>.json and results/<name>.png: 16 samples, a truncation
sweep (rows: 4 z's; columns ψ = 0, 0.25, 0.5, 0.75, 1) and a style-mixing grid (first row and
column the sources; image (r, c) takes row r's w for the first num_ws // 2 layers and column c's
after).
"""

import argparse
import os
import time

import numpy as np
import tensorflow as tf
from PIL import Image

import ganzoo
from ganzoo import files, images, judges, metrics, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))
PSIS = (0.0, 0.25, 0.5, 0.75, 1.0)


def diversity(images):
    """The per-pixel standard deviation across ``images`` (in [-1, 1]), averaged over pixels."""
    return round(float(images.std(axis=0).mean()), 3)


def judged(images):
    """Images as the MNIST judge takes them: upsampled bilinearly to 28x28 if smaller."""
    if images.shape[1] == 28:
        return images
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 127.5 - 1.0
    return tf.image.resize(images, [28, 28], "bilinear").numpy()


def figure(gan, path):
    """Samples, a truncation sweep and a style-mixing grid stacked in one PNG."""
    z = gan.latent_numpy(4, seed=1)
    sweep = np.stack([gan.generate(z=z, truncation=psi) for psi in PSIS], axis=1)
    mix = gan.style_mix(rows=4, cols=4, seed=2)
    sources = gan.generate(8, seed=2)
    cells = [np.ones((1,) + gan.data_shape, np.float32), sources[4:]]
    for r in range(4):
        cells += [sources[r:r + 1], mix[r]]
    parts = [images.make_grid(gan.generate(16, seed=0), ncols=8),
             images.make_grid(sweep.reshape((-1,) + gan.data_shape), ncols=len(PSIS)),
             images.make_grid(np.concatenate(cells), ncols=5)]
    width = max(p.shape[1] for p in parts)
    gap = np.full((8, width, parts[0].shape[2]), 255, np.uint8)
    rows = []
    for p in parts:
        pad = np.full((p.shape[0], width - p.shape[1], p.shape[2]), 255, np.uint8)
        rows += [np.concatenate([p, pad], axis=1), gap]
    canvas = np.concatenate(rows[:-1])
    img = Image.fromarray(canvas[..., 0] if canvas.shape[-1] == 1 else canvas)
    img = img.resize((img.width * 2, img.height * 2), Image.NEAREST)
    with files.atomic_path(path) as tmp:
        img.save(tmp, format="PNG")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--every", type=int, default=2)
    p.add_argument("--channel-base", type=int, default=1024)
    p.add_argument("--channel-max", type=int, default=64)
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--limit", type=int, default=None, help="training digits (smoke runs)")
    p.add_argument("--data", choices=("digits", "mnist"), default="digits",
                   help="the embedded digits, or MNIST from $GANZOO_DATA_DIR/mnist.npz")
    p.add_argument("--precision", default="float32",
                   help="training.precision (float32, mixed_bfloat16, auto)")
    p.add_argument("--name", default="stylegan2_digits", help="results file name")
    p.add_argument("--ada", action="store_true", help="adaptive augmentation (StyleGAN2-ADA)")
    p.add_argument("--size", type=int, default=28, choices=(16, 28), help="image size")
    p.add_argument("--latent", type=int, default=None, help="z and w sizes (grey28: 128)")
    p.add_argument("--mapping-layers", type=int, default=None, help="grey28: 4")
    p.add_argument("--mixing", type=float, default=None, help="style mixing probability (0.9)")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--save", default=None, help="also save the trained model (.keras) here")
    args = p.parse_args()
    if args.save and os.path.exists(args.save):   # checked before 15 minutes of training
        raise SystemExit(f"--save {args.save} exists; give a new path (nothing is replaced).")
    os.makedirs(args.out, exist_ok=True)
    if args.data == "mnist":
        path = ganzoo.datasets.shared_data_file("mnist.npz")
        x, _ = ganzoo.datasets.read_npz(path, "train")
        test, _ = ganzoo.datasets.read_npz(path, "test")
    else:
        x, _ = ganzoo.datasets.load_digits("train")
        test, _ = ganzoo.datasets.load_digits("test")
    x = ganzoo.datasets.shrink_images(x[:args.limit] if args.limit else x, args.size)
    judge = judges.load("mnist")
    n_real = min(args.samples, len(test))   # shuffled: the embedded test digits are in class order
    shuffled = test[np.random.default_rng(0).permutation(len(test))[:n_real]]
    real = ganzoo.datasets.shrink_images(shuffled, args.size)
    real_is = metrics.inception_score(judged(real), classifier=judge)[0]
    widths = {"channel_base": args.channel_base, "channel_max": args.channel_max}
    changed = {"data_shape": [args.size, args.size, 1]}
    if args.latent:
        changed["latent_dim"] = args.latent
    generator = dict(widths, **({"w_dim": args.latent} if args.latent else {}),
                     **({"mapping_layers": args.mapping_layers} if args.mapping_layers else {}))
    gan = ganzoo.build("stylegan2", config="grey28", seed=0, generator=generator,
                       discriminator=widths, training={"precision": args.precision},
                       augment={"ada": {"enabled": args.ada}}, **changed,
                       **({"loss": {"style_mixing_prob": args.mixing}}
                          if args.mixing is not None else {}))
    rows, seconds = [], 0.0
    for epoch in range(args.every, args.epochs + 1, args.every):
        start = time.perf_counter()
        history = gan.fit(x, epochs=args.every, verbose=0)
        seconds += time.perf_counter() - start
        samples = gan.generate(args.samples, seed=0)
        score = metrics.inception_score(judged(samples), classifier=judge)[0]
        rows.append({"model": "stylegan2", "epochs": epoch, "minibatches": gan.train_steps,
                     "minutes": round(seconds / 60, 2),
                     "inception_score": round(score, 3), "ratio_to_real": round(score / real_is, 3),
                     "diversity": diversity(samples),
                     "d_loss": round(history.history["d_loss"][-1], 3),
                     "g_loss": round(history.history["g_loss"][-1], 3)})
        if args.ada:
            rows[-1]["ada_p"] = round(float(gan.ada_p.numpy()), 3)
        print(rows[-1], flush=True)
    rows.append({"model": None, "epochs": None, "minibatches": None, "minutes": None,
                 "inception_score": round(real_is, 3), "ratio_to_real": 1.0,
                 "diversity": diversity(real.astype(np.float32) / 127.5 - 1.0)})
    figure(gan, os.path.join(args.out, args.name + ".png"))
    if args.save:
        gan.save(args.save)
    result = results.make(
        args.name, "StyleGAN2 on " + ("MNIST" if args.data == "mnist" else "the embedded digits")
        + (f" at {args.size} px" if args.size != 28 else ""),
        f"`stylegan2` with `config=\"grey28\"` at {args.size}x{args.size} px, channel_base "
        f"{args.channel_base}, channel_max {args.channel_max}, z and w "
        f"{gan.latent_dim}, {gan.config['generator']['mapping_layers']} mapping layers, style "
        f"mixing {gan.config['loss']['style_mixing_prob']:g} (G "
        f"{gan.generator.count_params():,}, D "
        f"{gan.discriminator.count_params():,} parameters), batch 32, precision "
        f"{args.precision} (here {gan.precision}), "
        "seed 0, " + ("with ADA (target 0.6), " if args.ada else "")
        + f"on the {len(x):,} " + ("MNIST" if args.data == "mnist" else "embedded")
        + " training digits" + (f" shrunk to {args.size} px by area averaging (samples and "
                                 "real digits upsampled bilinearly to 28 px for the judge)"
                                 if args.size != 28 else "")
        + f"; after every {args.every} epochs the IS of "
        f"{args.samples} EMA samples (constant noise, no truncation) by the shipped MNIST "
        f"judge (10 splits) beside its IS of {n_real} real test digits (the last row); "
        "diversity: the per-pixel standard deviation across those samples, averaged over the "
        "pixels, in [-1, 1] units (a collapsed generator's is near 0). Minutes "
        "are training time on this machine. The image: 16 samples; a truncation sweep (rows 4 "
        "z's, columns ψ = 0, 0.25, 0.5, 0.75, 1: ψ = 0 is w̄'s image); a style-mixing grid "
        "(first row and column the sources, each image row's w before layer num_ws // 2 and "
        "the column's after).",
        {"epochs": "epochs", "minibatches": "minibatches", "minutes": "minutes",
         "inception_score": "IS", "ratio_to_real": "IS / real IS",
         "diversity": "diversity", "d_loss": "D loss", "g_loss": "G loss",
         **({"ada_p": "ADA p"} if args.ada else {})},
        rows, common.command(), common.machine(),
        formats={"ratio_to_real": "{:.2f}", "inception_score": "{:.2f}"},
        images={"stylegan2": args.name + ".png"},
        judge=common.judge_protocol(judge, args.samples, real=n_real, real_split="test",
                                    seed=0, resize="none" if args.size == 28 else
                                    f"bilinear {args.size} -> 28 px (real: area 28 -> "
                                    f"{args.size}, then the same)"))
    print("wrote", common.write_results(args.out, result))


if __name__ == "__main__":
    main()
