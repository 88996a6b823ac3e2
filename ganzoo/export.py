"""Export trained generators to SavedModel or TFLite, verified against Keras.

Every export goes through a SavedModel written with ``keras.export.ExportArchive``;
TFLite is converted from that SavedModel (``TFLiteConverter.from_saved_model``),
never from concrete functions of a live Keras model (that path produces NaN
models with variable ops). After writing, the artifact is loaded back
(``tf.saved_model.load``, or the ``ai-edge-litert`` interpreter for TFLite),
run on fixed inputs and compared with the Keras generator; an export whose
difference exceeds the tolerance of its mode is refused. A metadata JSON is
written beside the artifact (``<out>.json``).

Signatures (name ``generate``, also ``serving_default`` in SavedModel):

- unconditional: ``generate(z: float32 [batch, latent_dim]) -> {"images": ...}``
- conditional: ``generate(z, label: int32 [batch]) -> {"images": ...}``

The output is float32 in [-1, 1], or with ``output="uint8"`` 0-255 pixels
computed in the graph (``floor(x * 127.5 + 128)``, clipped), so mobile code needs no
arithmetic. Models of 2-D points output ``{"points": float32 [batch, D]}``.
The batch size is dynamic in both formats. BatchNorm and dropout run in
inference mode; an EMA generator is exported when the model has one.
"""

import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings

import numpy as np

from ganzoo import images as images_lib

FORMATS = ("saved_model", "tflite")
QUANTIZATIONS = (None, "float16", "dynamic", "int8")
OUTPUTS = ("float", "uint8")

#: max |export - keras| allowed, in units of the [-1, 1] output, set from measurement on the
#: five image families and the ring (docs/benchmarks.md, "Export"): float32 measured <= 8.3e-7,
#: float16 <= 4.0e-4, dynamic <= 0.013, int8 <= 0.035. uint8 outputs also allow one level.
TOLERANCE = {None: 1e-4, "float16": 5e-3, "dynamic": 0.05, "int8": 0.1}
UINT8_LEVEL = 1.0 / 127.5


class ExportError(ValueError):
    """An export that cannot be done as asked, or whose artifact disagrees with Keras."""


def export_generator(model_or_path, out, format="saved_model", quantize=None, output="float",
                     force=False, tolerance=None, samples=16, representative=128, seed=0):
    """Export a GAN's generator and verify it against Keras.

    Args:
        model_or_path: a ganzoo model, a ``.keras`` file or a run directory.
        out: artifact path (a directory for SavedModel, a file for TFLite).
        format: ``"saved_model"`` or ``"tflite"``.
        quantize: TFLite only: ``None`` (float32), ``"float16"``, ``"dynamic"``
            (int8 weights) or ``"int8"`` (int8 weights and activations, calibrated
            on ``representative`` latent draws; float input and output).
        output: ``"float"`` ([-1, 1]) or ``"uint8"`` (0-255, images only).
        force: replace an existing artifact at ``out``.
        tolerance: max allowed |export - keras|; default :data:`TOLERANCE` of the mode.
        samples: fixed inputs used for verification.
        representative: latent draws for int8 calibration (at least 100).
        seed: seed of the verification and calibration inputs.

    Returns:
        The metadata dict (also written to ``<out>.json``).

    Raises:
        ExportError: bad arguments, or verification above tolerance (nothing is left
            at ``out``).
        FileExistsError: ``out`` exists and ``force`` is false.

    Example:

    ```python
    meta = ganzoo.export.export_generator("runs/demo", "dcgan.tflite", format="tflite",
                                          output="uint8")
    meta["verification"]["max_abs_diff"]   # about 1e-6 for float32
    ```
    """
    _check_arguments(format, quantize, output, representative)
    out = os.path.abspath(os.fspath(out))
    meta_path = out + ".json"
    if not force and (os.path.exists(out) or os.path.exists(meta_path)):
        raise FileExistsError(f"{out!r} already exists; pass force=True (--force) to replace it.")
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"Cannot write to {parent!r}.")
    model = _load(model_or_path)
    if output == "uint8" and not model.is_image:
        raise ExportError(f"output='uint8' is for image generators; {model.name} makes "
                          f"{model.data_shape}-vectors. Use output='float'.")

    if quantize == "int8" and _has_instance_norm(model):
        warnings.warn(f"{model.name}'s generator uses instance normalisation, which quantizes "
                      "badly to int8 (measured max diff 0.3 on CycleGAN); prefer "
                      "quantize='float16'.", stacklevel=2)
    inputs = _fixed_inputs(model, samples, seed)
    expected = _keras_outputs(model, inputs, output)
    tol = TOLERANCE[quantize] if tolerance is None else float(tolerance)
    if output == "uint8" and tolerance is None:
        tol = max(tol, UINT8_LEVEL * 1.001)  # a value on a level boundary may round either way
    scale = 127.5 if output == "uint8" else 1.0
    work = tempfile.mkdtemp(prefix=".ganzoo-export-", dir=parent)
    try:
        saved_model = os.path.join(work, "saved_model")
        _write_saved_model(model, saved_model, output)
        if format == "saved_model":
            artifact = saved_model
            got = _run_saved_model(artifact, inputs)
        else:
            artifact = os.path.join(work, "model.tflite")
            with open(artifact, "wb") as f:
                f.write(_convert_tflite(model, saved_model, quantize, representative, seed))
            got = _run_tflite(artifact, inputs)
        diff = np.abs(got.astype(np.float64) - expected.astype(np.float64)) / scale
        verification = {"samples": samples, "max_abs_diff": float(diff.max()),
                        "psnr_db": _psnr(got / scale, expected / scale, model.is_image),
                        "tolerance": tol, "units": "[-1, 1] output units"}
        if not diff.max() <= tol:
            raise ExportError(
                f"Verification failed: the {format} artifact differs from Keras by "
                f"{diff.max():.4g} (tolerance {tol:g} for quantize={quantize!r}). "
                + _quantize_hint(model, quantize))
        meta = _metadata(model, format, quantize, output, verification, artifact)
        _replace(artifact, out)
        with open(meta_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1)
        os.replace(meta_path + ".tmp", meta_path)
        return meta
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_arguments(format, quantize, output, representative):
    if format not in FORMATS:
        raise ExportError(f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}.")
    if quantize not in QUANTIZATIONS:
        raise ExportError(f"Unknown quantization {quantize!r}; choose float16, dynamic or int8 "
                          "(or none).")
    if quantize is not None and format != "tflite":
        raise ExportError(f"quantize={quantize!r} applies to TFLite; use format='tflite'.")
    if output not in OUTPUTS:
        raise ExportError(f"Unknown output {output!r}; choose 'float' or 'uint8'.")
    if quantize == "int8" and representative < 100:
        raise ExportError(f"int8 calibration needs at least 100 representative samples, "
                          f"got {representative}.")


def _load(model_or_path):
    from ganzoo.models.base import GAN
    from ganzoo.registry import load

    if isinstance(model_or_path, GAN):
        return model_or_path
    if isinstance(model_or_path, (str, os.PathLike)):
        return load(model_or_path)
    raise ExportError(f"Expected a ganzoo model or a path to one, got "
                      f"{type(model_or_path).__name__}.")


def _has_instance_norm(model):
    import keras

    def walk(layer):
        yield layer
        for child in getattr(layer, "layers", []):
            yield from walk(child)

    # GroupNormalization(groups=-1) is instance norm; Keras stores -1 as the channel count
    return any(isinstance(layer, keras.layers.GroupNormalization)
               and layer.groups in (-1, layer.input.shape[-1])
               for layer in walk(model.sampling_generator))


def _quantize_hint(model, quantize):
    if quantize == "int8" and _has_instance_norm(model):
        return "Instance normalisation quantizes badly to int8; use quantize='float16'."
    if quantize in ("dynamic", "int8"):
        return "Try quantize='float16', or pass a larger tolerance if this error is acceptable."
    return "Please report this with the model's config."


# ----------------------------------------------------------------------------- graph


def _signature(model):
    import tensorflow as tf

    spec = [tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")]
    if model.num_classes:
        spec.append(tf.TensorSpec([None], tf.int32, name="label"))
    return spec


def _write_saved_model(model, path, output):
    import keras
    import tensorflow as tf

    generator = model.sampling_generator
    key = "images" if model.is_image else "points"
    to_uint8 = output == "uint8"

    def generate(z, label=None):
        x = generator(z if label is None else [z, label], training=False)
        if to_uint8:  # as ganzoo.images.to_uint8; a round op breaks under int8 quantization
            x = tf.cast(tf.clip_by_value(x * 127.5 + 128.0, 0.0, 255.0), tf.uint8)
        return {key: x}

    archive = keras.export.ExportArchive()
    archive.track(generator)
    fn = generate if model.num_classes else (lambda z: generate(z))
    archive.add_endpoint("generate", fn, input_signature=_signature(model))
    archive.write_out(path, verbose=False)


def _convert_tflite(model, saved_model, quantize, representative, seed):
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model, signature_keys=["generate"])
    if quantize == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif quantize == "int8":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        calib = _fixed_inputs(model, representative, seed + 1)

        def dataset():
            for i in range(representative):
                yield {k: v[i:i + 1] for k, v in calib.items()}

        converter.representative_dataset = dataset
    try:
        return converter.convert()
    except Exception as e:  # the converter raises ConverterError and others
        raise ExportError(f"TFLite cannot convert {model.name}'s generator: {e}") from e


# ----------------------------------------------------------------------------- verification


def _fixed_inputs(model, n, seed):
    inputs = {"z": model.latent_numpy(n, seed)}
    if model.num_classes:
        inputs["label"] = (np.arange(n) % model.num_classes).astype(np.int32)
    return inputs


def _keras_outputs(model, inputs, output):
    x = model.generate(z=inputs["z"], labels=inputs.get("label"))
    return images_lib.to_uint8(x) if output == "uint8" else x


def _run_saved_model(path, inputs):
    import tensorflow as tf

    fn = tf.saved_model.load(path).signatures["generate"]
    result = fn(**{k: tf.constant(v) for k, v in inputs.items()})
    return next(iter(result.values())).numpy()


def _run_tflite(path, inputs):
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=path).get_signature_runner("generate")
    return next(iter(runner(**inputs).values()))


def _psnr(got, expected, is_image):
    """PSNR in dB over the [-1, 1] range (peak-to-peak 2); vectors use their own range."""
    mse = float(np.mean((np.asarray(got, np.float64) - np.asarray(expected, np.float64)) ** 2))
    peak = 2.0 if is_image else float(np.ptp(expected)) or 1.0
    return float("inf") if mse == 0 else float(10 * np.log10(peak ** 2 / mse))


# ----------------------------------------------------------------------------- files


def _metadata(model, format, quantize, output, verification, artifact):
    import ganzoo

    config = model.config
    key = "images" if model.is_image else "points"
    inputs = [{"name": "z", "dtype": "float32", "shape": [None, model.latent_dim],
               "distribution": config["latent_distribution"]}]
    if model.num_classes:
        inputs.append({"name": "label", "dtype": "int32", "shape": [None],
                       "range": [0, model.num_classes - 1]})
    out_dtype = "uint8" if output == "uint8" else "float32"
    value_range = [0, 255] if output == "uint8" else ([-1.0, 1.0] if model.is_image else None)
    size = (os.path.getsize(artifact) if os.path.isfile(artifact) else
            sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(artifact) for f in fs))
    return {
        "model": model.registry_name, "ganzoo_version": ganzoo.__version__,
        "config_sha256": hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest(),
        "format": format, "quantization": quantize, "signature": "generate",
        "latent_dim": model.latent_dim, "num_classes": model.num_classes,
        "ema_generator": model.ema_generator is not None,
        "inputs": inputs,
        "outputs": [{"name": key, "dtype": out_dtype, "shape": [None, *model.data_shape],
                     "range": value_range}],
        "size_bytes": size, "verification": verification,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _replace(src, dst):
    if os.path.isdir(dst) and not os.path.islink(dst):
        shutil.rmtree(dst)
    elif os.path.exists(dst):
        os.remove(dst)
    os.replace(src, dst)


def add_arguments(parser):
    """The export options shared by ``ganzoo export`` and ``tools/export_generator.py``."""
    parser.add_argument("model", help="run directory or .keras file")
    parser.add_argument("--format", default="saved_model", choices=FORMATS)
    parser.add_argument("--out", required=True,
                        help="artifact path (a directory for saved_model, a .tflite file)")
    parser.add_argument("--quantize", default=None, choices=[q for q in QUANTIZATIONS if q],
                        help="TFLite quantization (default: none, float32)")
    parser.add_argument("--output", default="float", choices=OUTPUTS,
                        help="float [-1, 1] or uint8 0-255 pixels baked into the graph")
    parser.add_argument("--force", action="store_true", help="replace an existing artifact")


def run_from_args(args):
    """Run an export from parsed :func:`add_arguments` options and print a summary."""
    meta = export_generator(args.model, args.out, format=args.format, quantize=args.quantize,
                            output=args.output, force=args.force)
    v = meta["verification"]
    print(f"ganzoo: wrote {args.out} ({meta['size_bytes'] / 1e6:.2f} MB) and {args.out}.json; "
          f"verified on {v['samples']} inputs: max |diff| {v['max_abs_diff']:.3g}, "
          f"PSNR {v['psnr_db']:.1f} dB")
    return 0
