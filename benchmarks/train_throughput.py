"""Training throughput: ganzoo ``fit`` against the loops users copy, on the same networks.

    python benchmarks/train_throughput.py [--rounds 5] [--steps 40]
                                          [--workloads mnist,cifar,facades]

Contenders, all on one generator and discriminator architecture per workload (the ganzoo
config's), timed in one process with their segments interleaved round by round:

- ``keras_io``: a ``keras.Model`` whose ``train_step`` has the shape of the keras.io DCGAN
  example: a D update on G(z), then a G update on fresh z, so G runs forward twice per step.
  Real and fake go through D as separate batches (as in ganzoo).
- ``tutorial``: a ``tf.function`` step in a Python loop in the shape of the TensorFlow
  DCGAN / pix2pix tutorials: one G pass, both losses under two tapes, both updates.
- ``ganzoo ...``: ``ganzoo.build(...).fit`` with the paper-faithful defaults and with the speed
  options (``training.reuse_fakes``, ``training.precision``, ``training.steps_per_execution``).

Throughput is measured from the end of a segment's first step (tracing, iterator start and
shuffle-buffer fill excluded) to its last, and the median over rounds is reported after one
warm-up round. Each row also gives the step's FLOPs (forward FLOPs of Conv/Dense layers counted
from the layer shapes, backward = 2 x forward, per the update structure; see ``step_flops``)
and the resulting fraction of this machine's fp32 matmul peak, measured in the same run.

Data (``$GANZOO_DATA_DIR``, default ``../shared/data``): ``mnist.npz`` (DCGAN 28x28),
``cifar10_jpeg.npz`` (DCGAN 32x32x3, the first ``--cifar-images`` decoded), ``facades_128.npz``
(pix2pix 128 px, labels -> photos, ``--filters`` filters, batch 1 as in the paper, jitter off
for every contender so that only the training loops differ). Writes
``results/train_throughput.json``.
"""

import argparse
import io
import json
import os
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

import ganzoo
from ganzoo import datasets, losses, results, style_layers

import common

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------- FLOPs


def forward_flops(model):
    """Forward FLOPs per example of the Conv2D / Conv2DTranspose / Dense layers and StyleGAN2's
    equalised and modulated ones (2 per MAC)."""
    macs = 0
    for outer in model._flatten_layers(include_self=False, recursive=False):
        if isinstance(outer, keras.Model):
            macs += forward_flops(outer) // 2
            continue
        # a wrapper (SpectralNormalization) runs its inner layer on its own input and output
        layer = outer.layer if isinstance(outer, keras.layers.Wrapper) else outer
        if isinstance(layer, (style_layers.EqualizedConv2D, style_layers.ModulatedConv2D)):
            x = layer.input[0].shape if isinstance(layer.input, list) else layer.input.shape
            y, k = layer.output.shape, layer.kernel_size
            macs += y[1] * y[2] * y[3] * k * k * x[-1]
            if isinstance(layer, style_layers.ModulatedConv2D):   # the affine map to styles
                macs += layer.input[1].shape[-1] * x[-1]
            continue
        if isinstance(layer, style_layers.EqualizedDense):
            macs += layer.input.shape[-1] * layer.units
            continue
        if not isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose,
                                  keras.layers.Dense)):
            continue
        x, y = outer.input.shape, outer.output.shape
        if isinstance(layer, keras.layers.Conv2DTranspose):
            kh, kw = layer.kernel_size
            macs += x[1] * x[2] * x[3] * kh * kw * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            macs += y[1] * y[2] * y[3] * kh * kw * x[-1]
        elif isinstance(layer, keras.layers.Dense):
            rows = int(np.prod(x[1:-1])) if len(x) > 2 else 1
            macs += rows * x[-1] * layer.units
    return 2 * macs


def step_flops(kind, g, d, batch):
    """FLOPs of one training step from per-example forward FLOPs ``g`` (G) and ``d`` (D).

    Backward through a network costs 2 x forward (activation and weight gradients), or 1 x
    when only activation gradients are needed (G's loss through D).

    - ``alternating`` (keras.io, ganzoo default): D step g + 2d + 4d, G step g + d + d + 2g,
      so 4g + 8d.
    - ``shared`` (tutorial, ganzoo ``reuse_fakes``): g + 2d + 4d + d + 2g = 3g + 7d.
    - ``pix2pix`` (ganzoo pix2pix: one G pass, D updated first, G's loss through the updated
      D): g + 2d + 4d + d + d + 2g = 3g + 8d.
    """
    per_example = {"alternating": 4 * g + 8 * d, "shared": 3 * g + 7 * d,
                   "pix2pix": 3 * g + 8 * d}[kind]
    return per_example * batch


def matmul_peak(dtype=tf.float32, n=2048, repeats=20):
    """Measured GFLOP/s of an n x n matmul chain (median of 5)."""
    a = tf.random.normal((n, n), dtype=tf.float32)
    a = tf.cast(a / n ** 0.5, dtype)

    @tf.function
    def chain(x):
        for _ in range(repeats):
            x = tf.matmul(x, a)
        return x

    chain(a).numpy()
    times = []
    for _ in range(5):
        t = time.perf_counter()
        chain(a).numpy()
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 * repeats / statistics.median(times) / 1e9


# ---------------------------------------------------------------------------- tasks


class NoiseTask:
    """DCGAN: G(z), z ~ U[-1, 1]; D sees real and fake images; non-saturating loss."""

    def __init__(self, latent_dim):
        self.latent_dim = latent_dim

    def g_input(self, batch):
        return tf.random.uniform((tf.shape(batch)[0], self.latent_dim), -1.0, 1.0)

    def d_inputs(self, batch, fake):
        return batch, fake

    def d_loss(self, real_out, fake_out):
        return losses.cross_entropy_discriminator_loss(real_out, fake_out)

    def g_loss(self, batch, fake, fake_out):
        return losses.non_saturating_generator_loss(fake_out)


class Pix2PixTask:
    """pix2pix: G(x); D sees concat(x, y) and concat(x, G(x)); BCE/2 for D, BCE + 100 L1 for G."""

    def g_input(self, batch):
        return batch[0]

    def d_inputs(self, batch, fake):
        x, y = batch
        return tf.concat([x, y], -1), tf.concat([x, fake], -1)

    def d_loss(self, real_out, fake_out):
        return 0.5 * losses.cross_entropy_discriminator_loss(real_out, fake_out)

    def g_loss(self, batch, fake, fake_out):
        return losses.non_saturating_generator_loss(fake_out) + 100.0 * losses.l1(batch[1], fake)


class KerasIOStyle(keras.Model):
    """The keras.io DCGAN example's ``train_step`` shape: D step, then G step on fresh z."""

    def __init__(self, generator, discriminator, task):
        super().__init__()
        self.generator, self.discriminator, self.task = generator, discriminator, task
        self.built = True

    def compile(self):
        super().compile()
        self.d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)

    def train_step(self, batch):
        G, D, task = self.generator, self.discriminator, self.task
        fake = G(task.g_input(batch), training=True)
        real_in, fake_in = task.d_inputs(batch, fake)
        with tf.GradientTape() as tape:
            d_loss = task.d_loss(D(real_in, training=True), D(fake_in, training=True))
        grads = tape.gradient(d_loss, D.trainable_weights)
        self.d_opt.apply_gradients(zip(grads, D.trainable_weights))
        with tf.GradientTape() as tape:
            fake = G(task.g_input(batch), training=True)
            g_loss = task.g_loss(batch, fake, D(task.d_inputs(batch, fake)[1], training=True))
        grads = tape.gradient(g_loss, G.trainable_weights)
        self.g_opt.apply_gradients(zip(grads, G.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


def tutorial_step(generator, discriminator, task):
    """The TensorFlow tutorials' ``tf.function`` step: one G pass, two tapes, both updates."""
    d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
    g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)

    @tf.function
    def step(batch):
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(task.g_input(batch), training=True)
            real_in, fake_in = task.d_inputs(batch, fake)
            real_out = discriminator(real_in, training=True)
            fake_out = discriminator(fake_in, training=True)
            d_loss = task.d_loss(real_out, fake_out)
            g_loss = task.g_loss(batch, fake, fake_out)
        g_vars, d_vars = generator.trainable_variables, discriminator.trainable_variables
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
        return d_loss, g_loss

    return step


def plain_pipeline(arrays, batch_size, seed=0):
    """What the tutorials build: in-memory slices, shuffle, batch, scale to [-1, 1], prefetch."""
    ds = tf.data.Dataset.from_tensor_slices(arrays)
    ds = ds.shuffle(len(arrays[0]) if isinstance(arrays, tuple) else len(arrays), seed=seed)
    ds = ds.batch(batch_size, drop_remainder=True)
    scale = lambda *t: tuple(tf.cast(v, tf.float32) / 127.5 - 1.0 for v in t)  # noqa: E731
    ds = ds.map(lambda *t: scale(*t) if len(t) > 1 else scale(*t)[0],
                num_parallel_calls=tf.data.AUTOTUNE)
    return ds.repeat().prefetch(tf.data.AUTOTUNE)


# ---------------------------------------------------------------------------- timing


class _StepClock(keras.callbacks.Callback):
    """Times fit from the end of its first executed batch to the end of its last."""

    def on_train_begin(self, logs=None):
        self.marks = []

    def on_train_batch_end(self, batch, logs=None):
        self.marks.append((batch, time.perf_counter()))

    def rate(self, batch_size):
        if len(self.marks) < 2:
            raise SystemExit("--steps must be at least 2 x --steps-per-execution")
        (b0, t0), (b1, t1) = self.marks[0], self.marks[-1]
        return (b1 - b0) * batch_size / (t1 - t0)


def time_fit(model, data, steps, batch_size):
    clock = _StepClock()
    args = data if isinstance(data, tuple) else (data,)
    model.fit(*args, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[clock])
    return clock.rate(batch_size)


def time_loop(step, iterator, steps, batch_size):
    step(next(iterator))[0].numpy()
    t = time.perf_counter()
    for _ in range(steps - 1):
        out = step(next(iterator))
    out[0].numpy()
    return (steps - 1) * batch_size / (time.perf_counter() - t)


# ---------------------------------------------------------------------------- workloads


def load_cifar(n):
    from PIL import Image

    with np.load(datasets.shared_data_file("cifar10_jpeg.npz"), allow_pickle=False) as f:
        blob, offsets = f["train_jpeg"], f["train_offsets"]
        return np.stack([np.asarray(Image.open(io.BytesIO(
            blob[offsets[i]:offsets[i + 1]].tobytes())).convert("RGB")) for i in range(n)])


def workloads(args):
    """name -> (model name, ganzoo overrides, task, arrays, flops kind of the ganzoo default)."""
    out = {}
    small = {} if args.dcgan_filters is None else {
        "generator": {"filters": args.dcgan_filters},
        "discriminator": {"filters": args.dcgan_filters}}
    for name in args.workloads.split(","):
        if name == "mnist":
            with np.load(datasets.shared_data_file("mnist.npz"), allow_pickle=False) as f:
                x = f["x_train"][:args.limit or None][..., None]
            out[name] = ("dcgan", dict(small), NoiseTask(100), x, "alternating")
        elif name == "cifar":
            x = load_cifar(args.cifar_images if not args.limit else args.limit)
            out[name] = ("dcgan", {"image_shape": (32, 32, 3), **small}, NoiseTask(100), x,
                         "alternating")
        elif name == "facades":
            with np.load(datasets.shared_data_file("facades_128.npz"), allow_pickle=False) as f:
                step = 128 // args.pix2pix_size  # every step-th pixel: smaller smoke runs
                pair = tuple(f[k][:args.limit or None, ::step, ::step]
                             for k in ("b_train", "a_train"))
            size = pair[0].shape[1]
            over = {"image_shape": (size, size, 3), "generator": {"filters": args.filters},
                    "discriminator": {"filters": args.filters}, "data": {"jitter": False}}
            out[name] = ("pix2pix", over, Pix2PixTask(), pair, "pix2pix")
        else:
            raise SystemExit(f"unknown workload {name!r}: use mnist, cifar, facades")
    return out


def ganzoo_variants(model_name, spe, xla=False):
    """Label -> training overrides for the ganzoo rows (``jit_compile`` is a compile option)."""
    rows = {"ganzoo (paper defaults)": {}}  # every row starts from common.paper_settings
    if model_name in common.PAPER_SETTINGS:  # ganzoo.build(model_name) with nothing changed
        rows["ganzoo defaults"] = {k.split(".", 1)[1]: v for k, v in
                                   ganzoo.resolve_config(model_name)["training"].items()
                                   if f"training.{k}" in common.PAPER_SETTINGS[model_name]}
    if model_name != "pix2pix":
        rows["ganzoo reuse_fakes"] = {"reuse_fakes": True}
    rows["ganzoo mixed_bfloat16"] = {"precision": "mixed_bfloat16"}
    fast = {"precision": "mixed_bfloat16", "steps_per_execution": spe}
    if model_name != "pix2pix":
        fast["reuse_fakes"] = True
        rows["ganzoo reuse_fakes + mixed_bfloat16"] = {"reuse_fakes": True,
                                                       "precision": "mixed_bfloat16"}
    rows[" + ".join(["ganzoo"] + [f"{k}={v}" for k, v in fast.items()])] = fast
    if xla:
        rows["ganzoo (paper defaults) + jit_compile"] = {"jit_compile": True}
        rows[" + ".join(["ganzoo"] + [f"{k}={v}" for k, v in fast.items()]) + " + jit_compile"] = \
            dict(fast, jit_compile=True)
    return rows


def run_workload(name, spec, args, peak):
    model_name, overrides, task, arrays, default_kind = spec
    ganzoo_rows = ganzoo_variants(model_name, args.steps_per_execution, args.xla)
    contenders, flops = {}, {}
    base = None  # the first (paper-default) model: its networks serve the reference loops
    for label, training in ganzoo_rows.items():
        training = dict(training)
        jit = training.pop("jit_compile", False)
        settings = {**common.paper_settings(model_name),
                    **{f"training.{k}": v for k, v in training.items()}}
        gan = ganzoo.build(model_name, seed=0, **overrides, **settings)
        if jit:
            gan.compile(jit_compile=True)
        if base is None:
            base = gan
        kind = "shared" if training.get("reuse_fakes") else default_kind
        contenders[label] = ("fit", gan, arrays)
        flops[label] = kind
    batch = int(base.config["training"]["batch_size"])
    g, d = forward_flops(base.generator), forward_flops(base.discriminator)
    # the two reference loops train copies of the same float32 networks
    kio = KerasIOStyle(base.generator, base.discriminator, task)
    kio.compile()
    contenders["keras_io"] = ("fit", kio, plain_pipeline(arrays, batch))
    flops["keras_io"] = "alternating"
    step = tutorial_step(base.generator, base.discriminator, task)
    contenders["tutorial"] = ("loop", step, iter(plain_pipeline(arrays, batch)))
    flops["tutorial"] = "shared"
    rates = {label: [] for label in contenders}
    for r in range(args.rounds + 1):
        for label, (how, obj, data) in contenders.items():
            if how == "fit":
                rate = time_fit(obj, data, args.steps, batch)
            else:
                rate = time_loop(obj, data, args.steps, batch)
            if r or not args.rounds:  # round 0 warms up (and is all there is with --rounds 0)
                rates[label].append(rate)
            print(f"{name} round {r} {label}: {rate:.1f} images/s", flush=True)
    rows = []
    ref = statistics.median(rates["keras_io"])
    for label, values in rates.items():
        med = statistics.median(values)
        f = step_flops(flops[label], g, d, batch)
        rows.append({"contender": label, "images_per_s": round(med, 1),
                     "min": round(min(values), 1), "max": round(max(values), 1),
                     "vs_keras_io": round(med / ref, 3), "step_gflop": round(f / 1e9, 3),
                     "update_structure": flops[label],
                     "fraction_of_fp32_peak": round(f * med / batch / 1e9 / peak, 3)})
    return {"model": model_name, "overrides": _plain(overrides), "batch_size": batch,
            "images": len(arrays[0]) if isinstance(arrays, tuple) else len(arrays),
            "g_forward_mflop_per_example": round(g / 1e6, 2),
            "d_forward_mflop_per_example": round(d / 1e6, 2), "rows": rows}


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return list(value) if isinstance(value, tuple) else value


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workloads", default="mnist,cifar,facades")
    p.add_argument("--rounds", type=int, default=5,
                   help="timed rounds after one warm-up round (0: report the warm-up; smoke runs)")
    p.add_argument("--steps", type=int, default=40, help="steps per timed segment")
    p.add_argument("--steps-per-execution", type=int, default=8)
    p.add_argument("--xla", action="store_true", help="add rows with jit_compile=True")
    p.add_argument("--cifar-images", type=int, default=10000)
    p.add_argument("--filters", type=int, default=32, help="pix2pix filters (paper: 64)")
    p.add_argument("--peak-n", type=int, default=2048, help="matmul size for the peak")
    p.add_argument("--limit", type=int, default=None, help="images per dataset (smoke runs)")
    p.add_argument("--pix2pix-size", type=int, default=128, choices=(32, 64, 128),
                   help="facades side in pixels (128: the file's; smaller for smoke runs)")
    p.add_argument("--dcgan-filters", type=int, default=None,
                   help="DCGAN filters (default: the config's 64; smaller for smoke runs)")
    p.add_argument("--out", default=os.path.join(HERE, "results"), help="folder for the JSON")
    args = p.parse_args()
    specs = workloads(args)  # reads every file before any timing
    peak = matmul_peak(n=args.peak_n)
    peak_bf16 = matmul_peak(tf.bfloat16, n=args.peak_n)
    print(f"fp32 matmul peak {peak:.1f} GFLOP/s, bf16 {peak_bf16:.1f} GFLOP/s", flush=True)
    result = {"machine": common.machine(),
              "tensorflow": tf.__version__, "keras": keras.__version__,
              "fp32_matmul_peak_gflops": round(peak, 1),
              "bf16_matmul_peak_gflops": round(peak_bf16, 1),
              "command": "python benchmarks/train_throughput.py " + " ".join(
                  f"--{k.replace('_', '-')}" + ("" if v is True else f" {v}")
                  for k, v in vars(args).items()
                  if k not in ("out", "limit", "dcgan_filters", "pix2pix_size")
                  and v not in (None, False)),
              "workloads": {}}
    for name, spec in specs.items():
        result["workloads"][name] = run_workload(name, spec, args, peak)
        for row in result["workloads"][name]["rows"]:
            print(name, json.dumps(row), flush=True)
    os.makedirs(args.out, exist_ok=True)
    print("wrote", common.write_results(args.out, to_result(result)))


def to_result(raw, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout: a row per workload and
    contender; each workload's settings stay in ``extra``."""
    rows = [{"model": w["model"], "workload": name, **row}
            for name, w in raw["workloads"].items() for row in w["rows"]]
    return results.make(
        "train_throughput", "Training speed against the loops users copy",
        "Images per second of one training step, batch as configured, the same generator and "
        "discriminator in every contender; medians of interleaved rounds after warm-up "
        f"(TensorFlow {raw['tensorflow']}, Keras {raw['keras']}). `keras_io`: the keras.io "
        "DCGAN example's train_step; `tutorial`: the TensorFlow DCGAN tutorial's tf.function "
        "loop. Details in [benchmarks](../benchmarks.md).",
        {"workload": "data", "contender": "setting", "images_per_s": "images/s",
         "vs_keras_io": "× keras.io-style", "fraction_of_fp32_peak": "share of fp32 peak"},
        rows, raw["command"], raw["machine"], date,
        formats={"images_per_s": "{:.0f}", "vs_keras_io": "{:.2f}",
                 "fraction_of_fp32_peak": "{:.1%}"},
        extra={k: v for k, v in raw.items() if k not in ("workloads", "machine", "command")}
        | {"workloads": {n: {k: v for k, v in w.items() if k != "rows"}
                         for n, w in raw["workloads"].items()}})


if __name__ == "__main__":
    main()
