"""StyleGAN2's modulated convolutions, fused or not: forward speed of the synthesis network.

    python benchmarks/modulated_conv.py [--batch 32] [--repeats 3] [--channel-max 512]

Builds ``stylegan2`` at its default config (32x32x3; ``--channel-max`` narrows it for smoke
runs), then times the synthesis network's forward pass (one traced call, then ``--repeats``
timed batches) with every modulated convolution as input/output scaling (``fused: false``) and
as one grouped convolution with per-sample kernels (``fused: true``, the official GPU form), in
one process, alternating. Both compute the same function (tests/models/test_stylegan2.py).
Training with ``fused: true`` is not timed: TensorFlow has no CPU gradient for grouped
convolutions. Writes results/modulated_conv.json.
"""

import argparse
import os
import time

import keras
import tensorflow as tf

import ganzoo
from ganzoo import results, style_layers

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def rate(synthesis, ws, fused, repeats):
    """Images per second of ``synthesis`` on ``ws`` with every modulated convolution fused or
    not."""
    for layer in synthesis.layers:
        if isinstance(layer, style_layers.ModulatedConv2D):
            layer.fused = fused
    forward = tf.function(lambda w: synthesis(w, training=False))
    forward(ws).numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        forward(ws).numpy()
    return repeats * int(ws.shape[0]) / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--channel-max", type=int, default=512)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    widths = {"channel_max": args.channel_max}
    gan = ganzoo.build("stylegan2", seed=0, generator=widths, discriminator=widths)
    synthesis = gan.synthesis()
    ws = tf.constant(gan.broadcast(gan.w_of(gan.latent_numpy(args.batch, seed=0))))
    rates = {False: [], True: []}
    for _ in range(args.rounds):
        for fused in (False, True):
            rates[fused].append(rate(synthesis, ws, fused, args.repeats))
            print("fused" if fused else "non-fused", round(rates[fused][-1], 1), "images/s",
                  flush=True)
    rows = [{"model": "stylegan2", "form": "fused (grouped)" if fused else "non-fused (scaling)",
             "images_per_s": round(max(values), 1),
             "relative": round(max(values) / max(rates[False]), 2)}
            for fused, values in rates.items()]
    result = results.make(
        "modulated_conv", "StyleGAN2's modulated convolutions: fused or not",
        f"Forward pass of the default `stylegan2` synthesis network (32x32x3, channel_max "
        f"{args.channel_max}), batch {args.batch}, float32: the best of {args.rounds} "
        f"alternating rounds of {args.repeats} timed batches after a traced one, with the "
        "modulated convolutions as input/output scaling (`generator.fused: false`) and as one "
        "grouped convolution with per-sample kernels (`true`). Training with `true` is not "
        f"timed: TensorFlow has no CPU gradient for grouped convolutions. TensorFlow "
        f"{tf.__version__}, Keras {keras.__version__}.",
        {"form": "modulated convolution", "images_per_s": "images/s",
         "relative": "relative to non-fused"},
        rows, common.command(), common.machine(), formats={"images_per_s": "{:.1f}"})
    print("wrote", common.write_results(args.out, result))


if __name__ == "__main__":
    main()
