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
- image-to-image: ``translate(image: float32 [batch, H, W, C] in [-1, 1]) -> {"images": ...}``;
  CycleGAN exports one direction per artifact (``direction="a2b"`` or ``"b2a"``).

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

from ganzoo import files
from ganzoo import images as images_lib
from ganzoo.errors import GanzooError

FORMATS = ("saved_model", "tflite")
QUANTIZATIONS = (None, "float16", "dynamic", "int8")
OUTPUTS = ("float", "uint8")

#: max |export - keras| allowed, in units of the [-1, 1] output, set from measurement on the
#: five image families and the ring (docs/benchmarks.md, "Export"): float32 measured <= 8.3e-7,
#: float16 <= 4.0e-4, dynamic <= 0.013, int8 <= 0.035. uint8 outputs also allow one level.
TOLERANCE = {None: 1e-4, "float16": 5e-3, "dynamic": 0.05, "int8": 0.1}
UINT8_LEVEL = 1.0 / 127.5


class ExportError(GanzooError, ValueError):
    """An export that cannot be done as asked, or whose artifact disagrees with Keras."""


def export_generator(model_or_path, out, format="saved_model", quantize=None, output="float",
                     force=False, tolerance=None, samples=16, representative=128, seed=0,
                     direction="a2b", images=None, truncation=None, latent="z"):
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
        representative: latent draws (or input images) for int8 calibration (at least 100).
        seed: seed of the verification and calibration inputs.
        direction: CycleGAN only: ``"a2b"`` exports G, ``"b2a"`` exports F.
        images: image-to-image only: real input images (array, dataset name or path) for
            verification and int8 calibration; default: the run's dataset when ``model_or_path``
            is a run directory, else uniform noise images.
        truncation: StyleGAN2 only: ψ of the truncation trick in W, fixed in the artifact.
        latent: StyleGAN2 only: ``"z"`` (z [and label] -> image, the mapping network
            included; signature ``generate``) or ``"w"`` (w -> image, signature
            ``synthesize``: the same w for every layer).

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
    if quantize == "none":
        quantize = None
    _check_arguments(format, quantize, output, representative)
    out = os.path.abspath(os.fspath(out))
    meta_path = out + ".json"
    check_target(out, format, force)
    parent = os.path.dirname(out)
    from ganzoo.runs import check_writable

    check_writable(parent, "--out")
    model = _load(model_or_path)
    family = _family(model, model_or_path, direction, images, truncation, latent)
    if output == "uint8" and not model.is_image:
        raise ExportError(f"output='uint8' is for image generators; {model.name} makes "
                          f"{model.data_shape}-vectors. Use output='float'.")

    if quantize == "int8" and _has_instance_norm(family.network):
        warnings.warn(f"{model.name}'s generator uses instance normalisation, which quantizes "
                      "badly to int8 (measured max diff 0.3 on CycleGAN); prefer "
                      "quantize='float16'.", stacklevel=2)
    inputs = family.fixed_inputs(samples, seed)
    expected = family.keras_outputs(inputs)
    if output == "uint8":
        expected = images_lib.to_uint8(expected)
    tol = TOLERANCE[quantize] if tolerance is None else float(tolerance)
    if output == "uint8" and tolerance is None:
        tol = max(tol, UINT8_LEVEL * 1.001)  # a value on a level boundary may round either way
    scale = 127.5 if output == "uint8" else 1.0
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".ganzoo-export-", dir=parent)
    try:
        saved_model = os.path.join(work, "saved_model")
        _write_saved_model(family, saved_model, output)
        if format == "saved_model":
            artifact = saved_model
            got = _run_saved_model(artifact, inputs, family.signature)
        else:
            artifact = os.path.join(work, "model.tflite")
            with open(artifact, "wb") as f:
                f.write(_convert_tflite(family, saved_model, quantize, representative, seed))
            got = _run_tflite(artifact, inputs, family.signature)
        diff = np.abs(got.astype(np.float64) - expected.astype(np.float64)) / scale
        verification = {"samples": samples, "max_abs_diff": float(diff.max()),
                        "psnr_db": _psnr(got / scale, expected / scale, model.is_image),
                        "tolerance": tol, "units": "[-1, 1] output units"}
        if not diff.max() <= tol:
            raise ExportError(
                f"Verification failed: the {format} artifact differs from Keras by "
                f"{diff.max():.4g} (tolerance {tol:g} for quantize={quantize!r}). "
                + _quantize_hint(family.network, quantize))
        meta = _metadata(family, format, quantize, output, verification, artifact)
        files.fsync(artifact)
        _replace(artifact, out, work)
        files.write_json(meta_path, meta)
        return meta
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_arguments(format, quantize, output, representative):
    if format not in FORMATS:
        raise ExportError(f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}.")
    if quantize not in QUANTIZATIONS:
        raise ExportError(f"Unknown quantization {quantize!r}; choose float16, dynamic, int8 or "
                          "none.")
    if quantize is not None and format != "tflite":
        raise ExportError(f"quantize={quantize!r} applies to TFLite; use format='tflite'.")
    if output not in OUTPUTS:
        raise ExportError(f"Unknown output {output!r}; choose 'float' or 'uint8'.")
    if quantize == "int8" and representative < 100:
        raise ExportError(f"int8 calibration needs at least 100 representative samples, "
                          f"got {representative}.")


def _load(model_or_path):
    from ganzoo.models.zoo_model import ZooModel

    # Mixed-precision models export their float32 twin (same weights): TFLite has no bf16
    # kernels, and float32 is what the artifacts promise.
    from ganzoo.runs import check_outputs_finite, open_model

    if not isinstance(model_or_path, (ZooModel, str, os.PathLike)):
        raise ExportError(f"Expected a ganzoo model or a path to one, got "
                          f"{type(model_or_path).__name__}.")
    model = open_model(model_or_path)[0]
    check_outputs_finite(model)
    return model.as_float32()


def _has_instance_norm(network):
    import keras

    def walk(layer):
        yield layer
        for child in getattr(layer, "layers", []):
            yield from walk(child)

    # GroupNormalization(groups=-1) is instance norm; Keras stores -1 as the channel count
    return any(isinstance(layer, keras.layers.GroupNormalization)
               and layer.groups in (-1, layer.input.shape[-1])
               for layer in walk(network))


def _quantize_hint(network, quantize):
    if quantize == "int8" and _has_instance_norm(network):
        return "Instance normalisation quantizes badly to int8; use quantize='float16'."
    if quantize in ("dynamic", "int8"):
        return "Try quantize='float16', or pass a larger tolerance if this error is acceptable."
    return "Please report this with the model's config."


# ----------------------------------------------------------------------------- families


class _Generation:
    """Noise-to-sample models: ``generate(z[, label])``; StyleGAN2 also with a fixed
    truncation ψ, or ``synthesize(w)``."""

    def __init__(self, model, truncation=None, latent="z"):
        if latent not in ("z", "w"):
            raise ExportError(f"latent must be 'z' or 'w', not {latent!r}.")
        styled = hasattr(model, "export_network")
        if not styled and (truncation is not None or latent != "z"):
            raise ExportError(
                f"truncation and latent='w' fix StyleGAN2's truncation in W and export its "
                f"synthesis network; {model.name} has neither. Export z -> sample (drop "
                "--truncation/--latent) and truncate z before feeding it.")
        if truncation is not None and not truncation >= 0:
            raise ExportError(f"truncation must be ψ >= 0 (1 for none), got {truncation!r}.")
        self.model, self.truncation, self.latent = model, truncation, latent
        self.network = model.export_network(truncation, latent) if styled \
            else model.sampling_generator
        self.signature = "synthesize" if latent == "w" else "generate"
        self.output_key = "images" if model.is_image else "points"
        self.output_shape = list(model.data_shape)

    def input_specs(self):
        import tensorflow as tf

        if self.latent == "w":
            return [tf.TensorSpec([None, self.model.w_dim], tf.float32, name="w")]
        spec = [tf.TensorSpec([None, self.model.latent_dim], tf.float32, name="z")]
        if self.model.num_classes:
            spec.append(tf.TensorSpec([None], tf.int32, name="label"))
        return spec

    def call(self, *args):
        return self.network(args[0] if len(args) == 1 else list(args), training=False)

    def fixed_inputs(self, n, seed):
        z, labels = self.model.latent_numpy(n, seed), self.model.default_labels(n)
        if self.latent == "w":  # w's of real z's (truncated like the artifact)
            return {"w": self.model.w_of(z, labels, self.truncation)}
        return {"z": z, **({"label": labels} if labels is not None else {})}

    def keras_outputs(self, inputs):
        if self.latent == "w":
            return self.model.synthesize(inputs["w"])
        extra = {"truncation": self.truncation} if self.truncation is not None else {}
        return self.model.generate(z=inputs["z"], labels=inputs.get("label"), **extra)

    def metadata(self):
        m = self.model
        if self.latent == "w":
            inputs = [{"name": "w", "dtype": "float32", "shape": [None, m.w_dim],
                       "source": "the mapping network's output (StyleGAN2's W space), one w "
                                 "for every layer"}]
        else:
            inputs = [{"name": "z", "dtype": "float32", "shape": [None, m.latent_dim],
                       "distribution": m.config["latent_distribution"]}]
            if m.num_classes:
                inputs.append({"name": "label", "dtype": "int32", "shape": [None],
                               "range": [0, m.num_classes - 1]})
        extra = {"truncation": self.truncation} if hasattr(m, "export_network") else {}
        return {"latent_dim": m.latent_dim, "num_classes": m.num_classes,
                "ema_generator": m.ema_generator is not None, "inputs": inputs, **extra}


class _Translation:
    """Image-to-image models: ``translate(image)``, one direction per artifact."""

    signature = "translate"

    def __init__(self, model, direction, images):
        if direction not in ("a2b", "b2a"):
            raise ExportError(f"direction must be 'a2b' or 'b2a', not {direction!r}.")
        if direction not in model.directions:
            raise ExportError(f"{model.name} translates one way; direction='b2a' is for cyclegan.")
        self.model, self.direction, self.images = model, direction, images
        self.network = model.network_for(direction)
        self.output_key = "images"
        self.output_shape = list(self.network.output_shape[1:])

    def input_specs(self):
        import tensorflow as tf

        return [tf.TensorSpec([None, *self.network.input_shape[1:]], tf.float32, name="image")]

    def call(self, image):
        return self.network(image, training=False)

    def fixed_inputs(self, n, seed):
        shape = tuple(self.network.input_shape[1:])
        if self.images is not None:
            pool = self.model.as_float(self.images)
            if pool.shape[1:] != shape:
                raise ExportError(f"Calibration images are {pool.shape[1:]}, the generator takes "
                                  f"{shape}.")
            idx = np.random.default_rng(seed).choice(len(pool), n, replace=len(pool) < n)
            return {"image": pool[idx]}
        rng = np.random.default_rng(seed)
        return {"image": rng.uniform(-1, 1, (n,) + shape).astype(np.float32)}

    def keras_outputs(self, inputs):
        return self.model.translate(inputs["image"], **(
            {"direction": self.direction} if len(self.model.directions) > 1 else {}))

    def metadata(self):
        return {"direction": self.direction,
                "calibration_images": "real" if self.images is not None else "uniform noise",
                "inputs": [{"name": "image", "dtype": "float32",
                            "shape": [None, *self.network.input_shape[1:]], "range": [-1.0, 1.0]}]}


def _family(model, source, direction, images, truncation=None, latent="z"):
    from ganzoo.models.translation import Translator

    if not isinstance(model, Translator):
        return _Generation(model, truncation, latent)
    if truncation is not None or latent != "z":
        raise ExportError(f"truncation and latent are for StyleGAN2's generator; {model.name} "
                          "translates images.")
    if isinstance(images, (str, os.PathLike)):
        images = _input_images(model, images)
    elif images is None and isinstance(source, (str, os.PathLike)):
        from ganzoo.runs import recorded_dataset

        dataset = recorded_dataset(source, required=False)
        if dataset is not None:
            images = _input_images(model, dataset, direction)
    return _Translation(model, direction, images)


def _input_images(model, source, direction="a2b"):
    """The input-side images of an image-to-image dataset (train split, at most 512)."""
    from ganzoo import datasets

    read = datasets.read_pairs if model.paired else datasets.read_unpaired
    a, b = read(source, "train")
    if model.paired:
        return (a if model.config.get("direction", "a2b") == "a2b" else b)[:512]
    return (a if direction == "a2b" else b)[:512]


# ----------------------------------------------------------------------------- graph


def _write_saved_model(family, path, output):
    import keras
    import tensorflow as tf

    to_uint8 = output == "uint8"

    def serve(*args):
        x = family.call(*args)
        if to_uint8:  # as ganzoo.images.to_uint8; a round op breaks under int8 quantization
            x = tf.cast(tf.clip_by_value(x * 127.5 + 128.0, 0.0, 255.0), tf.uint8)
        return {family.output_key: x}

    specs = family.input_specs()
    archive = keras.export.ExportArchive()
    archive.track(family.network)
    fn = (lambda a: serve(a)) if len(specs) == 1 else (lambda a, b: serve(a, b))
    archive.add_endpoint(family.signature, fn, input_signature=specs)
    archive.write_out(path, verbose=False)


def _convert_tflite(family, saved_model, quantize, representative, seed):
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model,
                                                         signature_keys=[family.signature])
    if quantize == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif quantize == "int8":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        calib = family.fixed_inputs(representative, seed + 1)

        def dataset():
            for i in range(representative):
                yield {k: v[i:i + 1] for k, v in calib.items()}

        converter.representative_dataset = dataset
    try:
        return converter.convert()
    except Exception as e:  # the converter raises ConverterError and others
        raise ExportError(f"TFLite cannot convert {family.model.name}'s generator: {e}") from e


# ----------------------------------------------------------------------------- verification


def _run_saved_model(path, inputs, signature):
    import tensorflow as tf

    fn = tf.saved_model.load(path).signatures[signature]
    result = fn(**{k: tf.constant(v) for k, v in inputs.items()})
    return next(iter(result.values())).numpy()


def _run_tflite(path, inputs, signature):
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=path).get_signature_runner(signature)
    return next(iter(runner(**inputs).values()))


def _psnr(got, expected, is_image):
    """PSNR in dB over the [-1, 1] range (peak-to-peak 2); vectors use their own range."""
    mse = float(np.mean((np.asarray(got, np.float64) - np.asarray(expected, np.float64)) ** 2))
    peak = 2.0 if is_image else float(np.ptp(expected)) or 1.0
    return float("inf") if mse == 0 else float(10 * np.log10(peak ** 2 / mse))


# ----------------------------------------------------------------------------- files


def _metadata(family, format, quantize, output, verification, artifact):
    import ganzoo

    model = family.model
    config = model.config
    out_dtype = "uint8" if output == "uint8" else "float32"
    value_range = [0, 255] if output == "uint8" else ([-1.0, 1.0] if model.is_image else None)
    size = (os.path.getsize(artifact) if os.path.isfile(artifact) else
            sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(artifact) for f in fs))
    return {
        EXPORT_MARK: 1, "model": model.registry_name, "ganzoo_version": ganzoo.__version__,
        "config_sha256": hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest(),
        "format": format, "quantization": quantize, "signature": family.signature,
        **family.metadata(),
        "outputs": [{"name": family.output_key, "dtype": out_dtype,
                     "shape": [None, *family.output_shape], "range": value_range}],
        "size_bytes": size, "verification": verification,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _replace(src, dst, work):
    """Move ``src`` to ``dst``; an earlier export at ``dst`` (checked by :func:`check_target`)
    moves into ``work`` first (deleted with it), so ``dst`` is never missing or half-written."""
    if os.path.isdir(dst) and not os.path.islink(dst):
        os.replace(dst, os.path.join(work, "previous"))
    os.replace(src, dst)


#: the marker ganzoo writes into every export's metadata JSON (``<out>.json``)
EXPORT_MARK = "ganzoo_export"


def is_export(path):
    """True when ``path`` is an artifact ganzoo exported: its ``<path>.json`` is ganzoo export
    metadata and the artifact is of the kind it records."""
    meta_path = path + ".json"
    if not os.path.isfile(meta_path) or os.path.islink(meta_path):
        return False
    try:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return False
    if not isinstance(meta, dict) or not (meta.get(EXPORT_MARK) or
                                          {"signature", "verification", "format"} <= set(meta)):
        return False
    if meta.get("format") == "saved_model":
        return os.path.isdir(path) and os.path.isfile(os.path.join(path, "saved_model.pb"))
    if meta.get("format") == "tflite":
        return os.path.isfile(path) and _is_tflite_file(path)
    return False


def _is_tflite_file(path):
    with open(path, "rb") as f:
        return f.read(8)[4:8] == b"TFL3"


def check_target(out, format, force):
    """Refuse any ``out`` whose writing could destroy something ganzoo did not export there.

    Refused even with ``force``: a run folder, a run's own files (``model.keras``,
    ``config.yaml``... and any name in :data:`ganzoo.runs.RUN_FILES`), a link, a device or
    other non-regular file, and an existing file or folder that is not an earlier ganzoo
    export. Without ``force`` an earlier export is refused too.
    """
    from ganzoo.runs import RUN_FILES

    out = os.path.abspath(out)
    parent = os.path.dirname(out)
    for path in (out, out + ".json"):
        if os.path.exists(os.path.join(path, "run.json")) or \
                os.path.exists(os.path.join(path, "model.keras")):
            raise ExportError(f"--out {path!r} is a ganzoo run folder; export writes only files "
                              "it creates. Choose a new path, e.g. "
                              f"{os.path.join(path, 'export', 'g.tflite')!r}.")
        if os.path.exists(os.path.join(parent, "run.json")) and (
                os.path.basename(path) in RUN_FILES or os.path.basename(path).startswith(".")):
            raise ExportError(f"--out {path!r} is the run's own {os.path.basename(path)}; export "
                              "never overwrites a run's files. Choose another name.")
    for path in (out, out + ".json"):
        if not os.path.lexists(path):
            continue
        if os.path.islink(path):
            raise ExportError(f"--out {path!r} is a symbolic link; export replaces only its own "
                              "earlier exports. Choose another path.")
        if not (os.path.isfile(path) or os.path.isdir(path)):
            raise ExportError(f"--out {path!r} is not a regular file or folder (a device, pipe "
                              "or socket); choose a file path.")
    if os.path.lexists(out) or os.path.lexists(out + ".json"):
        if not is_export(out):
            raise ExportError(f"--out {out!r} exists and is not an earlier ganzoo export (no "
                              "matching export .json beside it); export writes only what it "
                              "creates, even with --force. Choose a new path.")
        if not force:
            raise FileExistsError(f"{out!r} is an earlier export; pass force=True (--force) to "
                                  "replace it.")


def add_arguments(parser):
    """The export options shared by ``ganzoo export`` and ``tools/export_generator.py``."""
    parser.add_argument("model", help="run directory, .keras file or preset (`ganzoo presets`)")
    parser.add_argument("--format", default="saved_model", choices=FORMATS)
    parser.add_argument("--out", required=True,
                        help="artifact path (a directory for saved_model, a .tflite file)")
    parser.add_argument("--quantize", default=None,
                        choices=[q for q in QUANTIZATIONS if q] + ["none"],
                        help="TFLite quantization (default: none, float32)")
    parser.add_argument("--output", default="float", choices=OUTPUTS,
                        help="float [-1, 1] or uint8 0-255 pixels baked into the graph")
    parser.add_argument("--force", action="store_true",
                        help="replace an earlier export at --out (never anything else)")
    parser.add_argument("--direction", default="a2b", choices=("a2b", "b2a"),
                        help="cyclegan: export G (a2b) or F (b2a); one direction per artifact")
    parser.add_argument("--truncation", type=float, default=None,
                        help="stylegan2: ψ of the truncation trick in W, fixed in the artifact")
    parser.add_argument("--latent", default="z", choices=("z", "w"),
                        help="stylegan2: export z -> image (the mapping network included) or "
                             "w -> image (the synthesis network)")
    parser.add_argument("--images", default=None,
                        help="image-to-image: dataset name or path whose input images are used "
                             "for verification and int8 calibration (default: the run's dataset)")


def run_from_args(args):
    """Run an export from parsed :func:`add_arguments` options and print a summary."""
    meta = export_generator(args.model, args.out, format=args.format, quantize=args.quantize,
                            output=args.output, force=args.force, direction=args.direction,
                            images=args.images, truncation=args.truncation,
                            latent=args.latent)
    v = meta["verification"]
    print(f"ganzoo: wrote {args.out} ({meta['size_bytes'] / 1e6:.2f} MB) and {args.out}.json; "
          f"verified on {v['samples']} inputs: max |diff| {v['max_abs_diff']:.3g}, "
          f"PSNR {v['psnr_db']:.1f} dB")
    return 0
