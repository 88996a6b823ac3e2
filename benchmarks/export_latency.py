"""Artifact size and batch-1 latency of exported generators, per family.

    python benchmarks/export_latency.py [--models dcgan,cgan,vanilla,wgan,wgan_gp] [--repeats 200]

For each family (default config, untrained weights: latency and size do not depend on training):
Keras `predict`, a direct Keras call, the SavedModel signature, and TFLite float32 / float16 /
int8 through the ai-edge-litert interpreter, each timed as the median of `--repeats` batch-1
calls after warm-up, interleaved in one process. Writes results/export_latency.json.
"""

import argparse
import json
import os
import statistics
import tempfile
import time

import numpy as np
import tensorflow as tf

import ganzoo
from ganzoo import export, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def median_ms(fn, repeats, warmup=20):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(1000 * statistics.median(times), 3)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="dcgan,cgan,vanilla,wgan,wgan_gp")
    p.add_argument("--repeats", type=int, default=200)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    from ai_edge_litert.interpreter import Interpreter

    work = tempfile.mkdtemp()
    rows = []
    for name in args.models.split(","):
        gan = ganzoo.build(name, seed=0)
        feeds = {"z": gan.latent_numpy(1, seed=0)}
        if gan.num_classes:
            feeds["label"] = np.array([3], np.int32)
        keras_inputs = tf.constant(feeds["z"])
        if "label" in feeds:
            keras_inputs = [keras_inputs, tf.constant(feeds["label"])]
        gen = gan.sampling_generator
        row = {"model": name, "parameters": int(gen.count_params())}
        row["keras_predict_ms"] = median_ms(lambda: gen.predict(keras_inputs, verbose=0),
                                            args.repeats)
        row["keras_call_ms"] = median_ms(lambda: gen(keras_inputs, training=False), args.repeats)
        sm = os.path.join(work, f"{name}_sm")
        meta = export.export_generator(gan, sm)
        row["saved_model_mb"] = round(meta["size_bytes"] / 1e6, 2)
        fn = tf.saved_model.load(sm).signatures["generate"]
        tf_feeds = {k: tf.constant(v) for k, v in feeds.items()}
        row["saved_model_ms"] = median_ms(lambda: fn(**tf_feeds), args.repeats)
        for q in (None, "float16", "int8"):
            path = os.path.join(work, f"{name}_{q}.tflite")
            meta = export.export_generator(gan, path, format="tflite", quantize=q)
            runner = Interpreter(model_path=path).get_signature_runner("generate")
            key = q or "float32"
            row[f"tflite_{key}_mb"] = round(meta["size_bytes"] / 1e6, 2)
            row[f"tflite_{key}_ms"] = median_ms(lambda: runner(**feeds), args.repeats)
            row[f"tflite_{key}_max_abs_diff"] = meta["verification"]["max_abs_diff"]
        row["tflite_float32_vs_keras_call"] = round(
            row["tflite_float32_ms"] / row["keras_call_ms"], 3)
        rows.append(row)
        print(json.dumps(row), flush=True)
    common.write_results(args.out, to_result({"cpus": os.cpu_count(), "runs": rows},
                                             common.command(), common.machine()))


def to_result(raw, command, machine, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout (card section: export)."""
    columns = {"keras_call_ms": "Keras call (ms)", "saved_model_mb": "SavedModel (MB)",
               "saved_model_ms": "SavedModel (ms)"}
    for q in ("float32", "float16", "int8"):
        columns[f"tflite_{q}_mb"] = f"TFLite {q} (MB)"
        columns[f"tflite_{q}_ms"] = f"TFLite {q} (ms)"
    columns["tflite_int8_max_abs_diff"] = "int8 max difference"
    return results.make(
        "export_latency", "Export: size and batch-1 latency",
        f"The default generator exported with `ganzoo.export`; median batch-1 latency over "
        f"repeated calls after warm-up, interleaved in one process, on {raw['cpus']} CPU cores. "
        "The int8 difference is the export's own verification against Keras, in [-1, 1] units "
        "(tolerance 0.1). See [export.md](../export.md).",
        columns, raw["runs"], command, machine, date, section="export",
        formats={"tflite_int8_max_abs_diff": "{:.3g}"}, extra={"cpus": raw["cpus"]})


if __name__ == "__main__":
    main()
