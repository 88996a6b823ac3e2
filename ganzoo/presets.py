"""Presets: trained models that load in one line, ``ganzoo.from_preset("cgan_mnist")``.

A preset is a folder (keras-hub's layout, extended for GANs):

- ``config.json``: the resolved ganzoo config the model was built from;
- ``model.weights.h5``: the sampling networks (the EMA generator when there is one, both
  CycleGAN generators), float16 by default;
- ``full.weights.h5`` (optional, the *full* flavour): every network and both optimizers'
  state, for fine-tuning;
- ``metadata.json``: ganzoo, Keras and TensorFlow versions, parameter counts, the dataset's
  name and checksum, the recipe command, seed, steps, training time, hardware, and every
  measured metric with its protocol;
- ``samples.png``: ``SAMPLE_N`` samples drawn with ``SAMPLE_SEED`` from the stored weights;
- ``README.md``: a model card in the Hugging Face GAN card style.

A *handle* names a preset: a built-in name (``list_presets()``, shipped inside the package), a
local folder, an ``https://`` URL of a ``.tar.gz``/``.zip`` archive of such a folder with its
SHA-256 after ``#sha256=`` (downloaded once with ``keras.utils.get_file``, which checks it), or
``hf://owner/name`` (a Hugging Face Hub repository, through ``huggingface_hub``: ``pip install
"ganzoo[hub]"``).

Example:

```python
gan = ganzoo.from_preset("cgan_mnist")
images = gan.generate(16, seed=0)
ganzoo.presets.save(run, "my_preset")          # publish your own
```
"""

import datetime
import os
import platform
import re

import numpy as np

from ganzoo import files
from ganzoo.errors import GanzooError

BUILTIN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights", "presets")
CONFIG, WEIGHTS, FULL_WEIGHTS = "config.json", "model.weights.h5", "full.weights.h5"
METADATA, SAMPLES, CARD = "metadata.json", "samples.png", "README.md"
#: what ``samples.png`` is drawn with (noise-to-image models)
SAMPLE_N, SAMPLE_SEED = 64, 0
#: storage dtypes ``save`` accepts for the weights
DTYPES = ("float16", "float32")
_SHA = re.compile(r"^[0-9a-f]{64}$")


class PresetError(GanzooError, ValueError):
    """A preset handle that names nothing, or a preset folder that is incomplete."""


# ----------------------------------------------------------------------------- handles


def list_presets():
    """The built-in presets, sorted, each as ``{"name", "model", "dataset", "metrics"}``
    (``metrics``: name -> value, from its ``metadata.json``)."""
    out = []
    for name in builtin_names():
        meta = files.read_json(os.path.join(BUILTIN_DIR, name, METADATA), "preset metadata")
        out.append({"name": name, "model": meta.get("model"),
                    "dataset": meta.get("dataset", {}).get("name"),
                    "metrics": {k: v.get("value") if isinstance(v, dict) else v
                                for k, v in meta.get("metrics", {}).items()}})
    return out


def builtin_names():
    """Names of the built-in presets (folders holding a ``metadata.json``), read without
    opening them: ``is_handle`` asks on every run-folder command."""
    if not os.path.isdir(BUILTIN_DIR):
        return []
    return sorted(n for n in os.listdir(BUILTIN_DIR)
                  if os.path.isfile(os.path.join(BUILTIN_DIR, n, METADATA)))


def is_handle(source):
    """Whether ``source`` names a preset rather than a run folder or ``.keras`` file: a
    built-in name, an ``https://`` or ``hf://`` handle, or a folder holding a preset."""
    if not isinstance(source, (str, os.PathLike)):
        return False
    source = os.fspath(source)
    if source.startswith(("https://", "http://", "hf://")):
        return True
    if os.path.isdir(source):
        return os.path.isfile(os.path.join(source, METADATA)) and os.path.isfile(
            os.path.join(source, CONFIG))
    return not os.path.exists(source) and source in builtin_names()


def resolve(handle):
    """The local folder of a preset handle (downloading it first for ``https://`` and
    ``hf://``); a handle that names nothing raises :class:`PresetError` listing the choices."""
    handle = os.fspath(handle)
    if handle.startswith(("https://", "http://")):
        folder = _download(handle)
    elif handle.startswith("hf://"):
        folder = _from_hub(handle)
    elif os.path.isdir(handle):
        folder = handle
    elif handle in builtin_names():
        folder = os.path.join(BUILTIN_DIR, handle)
    else:
        import difflib

        names = builtin_names()
        close = difflib.get_close_matches(handle, names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise PresetError(f"{handle!r} is not a preset.{hint} Built-in presets: "
                          f"{', '.join(names) or 'none'} (`ganzoo presets`); or pass a preset "
                          "folder, an https://...#sha256=HASH archive or hf://owner/name.")
    missing = [f for f in (CONFIG, WEIGHTS, METADATA) if not os.path.isfile(
        os.path.join(folder, f))]
    if missing:
        raise PresetError(f"{handle!r} is not a complete preset folder: {', '.join(missing)} "
                          "missing. Write presets with `ganzoo save-preset RUN DIR`.")
    return folder


def _download(url):
    """A preset archive from ``url#sha256=HASH``: fetched once into Keras' cache, checked
    against the hash, extracted; returns the folder holding ``config.json``."""
    base, _, fragment = url.partition("#")
    digest = fragment[len("sha256="):].lower() if fragment.startswith("sha256=") else ""
    if not _SHA.match(digest):
        raise PresetError(f"{url!r} has no SHA-256: append #sha256=<64 hex digits> (the "
                          "publisher's `sha256sum` of the archive); a preset is never loaded "
                          "unchecked.")
    name = os.path.basename(base.split("?")[0]) or "preset"
    if not name.endswith((".tar.gz", ".tgz", ".tar", ".zip")):
        raise PresetError(f"{url!r} is not a preset archive: the URL must end in .tar.gz, .tgz, "
                          ".tar or .zip.")
    import keras

    stem = re.sub(r"(\.tar\.gz|\.tgz|\.tar|\.zip)$", "", name)
    try:
        path = keras.utils.get_file(fname=f"{stem}-{digest[:12]}", origin=base,
                                    file_hash=digest, hash_algorithm="sha256", extract=True,
                                    cache_subdir="ganzoo_presets")
    except ValueError as e:  # Keras' message for a hash mismatch
        raise PresetError(f"{base}: the downloaded archive does not match sha256 {digest} ({e});"
                          " the file changed or the hash is wrong. Nothing was loaded.") from None
    except Exception as e:  # network errors come in many types
        raise PresetError(f"Cannot download {base}: {e}") from None
    return _preset_root(path, url)


def _preset_root(path, handle):
    for root, _, names in os.walk(path):
        if CONFIG in names and METADATA in names:
            return root
    raise PresetError(f"{handle!r}: the archive holds no preset (no {CONFIG} and {METADATA}).")


def parse_hf(handle):
    """``hf://owner/name[@revision]`` -> ``(repo_id, revision or None)``."""
    rest = handle[len("hf://"):]
    repo, _, revision = rest.partition("@")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise PresetError(f"{handle!r} is not a Hugging Face handle; write hf://owner/name "
                          "(optionally @revision).")
    return repo, revision or None


def _from_hub(handle):
    repo, revision = parse_hf(handle)
    try:
        import huggingface_hub
    except ImportError:
        raise PresetError(f"{handle!r} needs huggingface_hub: pip install \"ganzoo[hub]\".") \
            from None
    path = huggingface_hub.snapshot_download(repo_id=repo, revision=revision)
    return _preset_root(path, handle)


# ----------------------------------------------------------------------------- load


def from_preset(handle, full=None, **overrides):
    """A model built from a preset's config with its trained weights.

    Args:
        handle: a built-in name (``ganzoo.list_presets()``), a preset folder, an
            ``https://...archive#sha256=HASH`` URL or ``hf://owner/name``.
        full: load the full flavour (every network; for fine-tuning). ``None``: when the
            preset has it. Without it the discriminators start fresh and, with EMA, the
            generator starts from the EMA weights.
        **overrides: config keys to change, as in ``ganzoo.build`` (e.g.
            ``training__batch_size=32`` for fine-tuning); the networks' shapes must stay.
            The model computes in float32, so a seed draws the same samples on every machine;
            ``training__precision="auto"`` fine-tunes in bf16 where the CPU has bf16 units
            (``ganzoo train --from-preset`` keeps the recipe's precision, ``auto``).

    Returns:
        The compiled model, ready for ``generate``/``translate``, ``ganzoo.evaluate``,
        ``ganzoo.export`` and ``fit``; ``model.preset`` is the :class:`Preset` it came from.

    Example:

    ```python
    gan = ganzoo.from_preset("cgan_mnist")
    gan.generate(16, seed=0)
    ```
    """
    preset = Preset(resolve(handle), handle)
    model = preset.build(**overrides)
    preset.load_weights(model, full=full)
    model.preset = preset
    return model


class Preset:
    """A preset folder: its config, metadata and weights.

    Args:
        path: the folder.
        handle: the handle it was resolved from (for messages).
    """

    def __init__(self, path, handle=None):
        self.path = os.fspath(path)
        self.handle = os.fspath(handle) if handle is not None else self.path

    @property
    def config(self):
        return files.read_json(os.path.join(self.path, CONFIG), "preset config")

    @property
    def metadata(self):
        return files.read_json(os.path.join(self.path, METADATA), "preset metadata")

    @property
    def info(self):
        """What ``run.json`` records for a run: model, dataset and its checksum."""
        meta = self.metadata
        data = meta.get("dataset", {})
        return {"model": meta["model"], "dataset": data.get("name"), "split": data.get("split"),
                "data_sha256": data.get("sha256")}

    @property
    def name(self):
        return os.path.basename(os.path.normpath(self.path))

    def build(self, **overrides):
        from ganzoo import registry

        config = self.config
        config["seed"] = None  # a seed would re-seed the user's global RNGs on construction
        # computes in float32 whatever the recipe trained in: bfloat16 rounds differently on
        # CPUs with and without bf16 units, and a preset's samples should be the same everywhere
        # (and equal its exported float32 model). An override puts the recipe's precision back.
        config.setdefault("training", {})["precision"] = "float32"
        return registry.build(config["model"], config=config, **overrides)

    @property
    def model(self):
        """A fresh model with the preset's weights (as ``from_preset``)."""
        model = self.build()
        self.load_weights(model)
        model.preset = self
        return model

    def load_weights(self, model, full=None):
        """Put the preset's weights into ``model`` (built from a compatible config)."""
        path = os.path.join(self.path, FULL_WEIGHTS)
        if full is None:
            full = os.path.isfile(path)
        elif full and not os.path.isfile(path):
            raise PresetError(f"{self.handle!r} has no full flavour ({FULL_WEIGHTS}); load it "
                              "with full=False (the sampling networks only).")
        read_weights(model, path if full else os.path.join(self.path, WEIGHTS), self.handle)

    def __repr__(self):
        return f"Preset({self.handle!r})"


def read_weights(model, path, what=None):
    """Load a preset weights file (networks, and optimizers when it holds them) into ``model``."""
    import h5py

    what = what or path
    with h5py.File(path, "r") as f:
        nets = model.networks()
        for attr in f["networks"]:
            if attr not in nets:
                raise PresetError(f"{what!r} holds a network {attr!r} that a {model.name} model "
                                  f"does not have ({', '.join(nets)}); it is another model's "
                                  "preset.")
            _assign(nets[attr].weights, f["networks"][attr], f"{what}: {attr}")
        stored = set(f["networks"])
        ema = getattr(model, "ema_generator", None)
        if "ema_generator" in stored and "generator" not in stored and ema is not None:
            model.generator.set_weights(ema.get_weights())  # fine-tuning starts from the EMA
        for attr in f.get("optimizers", {}):
            optimizer = getattr(model, attr)
            owner = (model.generator_variables() if attr == "g_optimizer"
                     else model.discriminator_variables())
            optimizer.build(owner)
            _assign(optimizer.variables, f["optimizers"][attr], f"{what}: {attr}")


def _assign(variables, group, what):
    if len(group) != len(variables):
        raise PresetError(f"{what}: {len(group)} stored weights for {len(variables)} variables; "
                          "the preset was saved from a different architecture. Load it without "
                          "overrides that change the networks.")
    for i, variable in enumerate(variables):
        value = group[str(i)][()]
        if tuple(value.shape) != tuple(variable.shape):
            raise PresetError(f"{what}: weight {i} ({variable.path}) has shape {value.shape}, "
                              f"the model wants {tuple(variable.shape)}; the preset was saved "
                              "from a different architecture.")
        variable.assign(value.astype(variable.dtype) if value.dtype.kind == "f" else value)


def write_weights(model, path, networks, dtype="float16", optimizers=False):
    """Write ``networks`` (attribute names) of ``model`` (and both optimizers' state) to an h5
    file; float weights stored as ``dtype``."""
    import h5py

    nets = model.networks()
    with h5py.File(path, "w") as f:
        group = f.create_group("networks")
        for attr in networks:
            _store(group.create_group(attr), nets[attr].weights, dtype)
        if optimizers:
            opt = f.create_group("optimizers")
            for attr in ("g_optimizer", "d_optimizer"):
                optimizer = getattr(model, attr, None)
                if optimizer is not None and optimizer.built:
                    _store(opt.create_group(attr), optimizer.variables, "float32")


def _store(group, variables, dtype):
    import keras

    for i, variable in enumerate(variables):
        value = np.asarray(keras.ops.convert_to_numpy(variable))
        if value.dtype.kind == "f":
            value = value.astype(dtype)
        group.create_dataset(str(i), data=value)
        group[str(i)].attrs["path"] = variable.path


# ----------------------------------------------------------------------------- save


def save(source, out, *, full=False, dtype="float16", metrics=None, recipe=None,
         force=False):
    """Write a preset folder from a run folder, a ``.keras`` file or a model.

    Args:
        source: a run folder (its ``run.json``, training record and
            ``evaluation/report.json`` go into the metadata), a ``.keras`` file or a model.
        out: the folder to write; written under a temporary name and renamed into place.
        full: also write ``full.weights.h5`` (every network and the optimizers' state).
        dtype: storage dtype of the weights, ``"float16"`` (half the size) or ``"float32"``.
        metrics: an evaluation report (``ganzoo.evaluate``'s dict); default the run's
            ``evaluation/report.json`` when there is one.
        recipe: the recipe it was trained by (:mod:`ganzoo.recipes`: model, config preset,
            dataset, seed, epochs, evaluation protocol, tolerance); default what the run
            records, with the ``ganzoo train`` command that retrains it from its config.
        force: replace an existing ``out`` (the old folder is removed only after the new one
            is complete).

    Returns:
        The :class:`Preset` written.
    """
    from ganzoo import runs

    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}.")
    out = os.fspath(out)
    if os.path.exists(out) and not force:
        raise FileExistsError(f"{out!r} exists; pass force=True (--force) to replace it, or "
                              "choose another folder.")
    runs.check_writable(out, "out")
    model, run = runs.open_model(source)
    model.check_finite()
    info = run.info if run is not None else {"model": model.registry_name}
    if metrics is None and run is not None:
        report = os.path.join(run.path, "evaluation", "report.json")
        metrics = files.read_json(report, "evaluation report") if os.path.isfile(report) else None
    with files.atomic_folder(out) as tmp:  # the earlier folder goes only once this is whole
        files.write_json(os.path.join(tmp, CONFIG), model.config)
        write_weights(model, os.path.join(tmp, WEIGHTS), model.sampling_networks(), dtype)
        if full:
            write_weights(model, os.path.join(tmp, FULL_WEIGHTS), list(model.networks()), dtype,
                          optimizers=True)
        # samples from the stored (possibly float16) weights: what users of the preset get
        stored = Preset(tmp)
        twin = stored.build()
        read_weights(twin, os.path.join(tmp, WEIGHTS))
        sample_record = write_samples(twin, os.path.join(tmp, SAMPLES), run)
        meta = metadata(model, info, run, metrics, recipe, dtype, sample_record)
        files.write_json(os.path.join(tmp, METADATA), meta)
        with open(os.path.join(tmp, CARD), "w", encoding="utf-8") as f:
            f.write(card(meta, os.path.basename(os.path.normpath(out)),
                         notes=type(model).preset_notes(model.config)))
    return Preset(out)


def write_samples(model, path, run=None):
    """``samples.png`` of a preset; returns how it was drawn (recorded in the metadata)."""
    from ganzoo import images
    from ganzoo.models.translation import Translator

    if isinstance(model, Translator):
        a, b = _example_pairs(model, run)
        panel, ncols = model.sample_panel(a, b)
        images.save_grid(panel, path, ncols=ncols, scale=2)
        return {"kind": "translation panel", "n": int(len(a))}
    from ganzoo.callbacks import sample_layout

    labels, ncols = sample_layout(model, SAMPLE_N)
    n = SAMPLE_N if labels is None else len(labels)
    samples = model.generate(n, seed=SAMPLE_SEED, labels=labels)
    images.save_samples(samples, path, ncols=ncols)
    return {"kind": "samples", "n": n, "seed": SAMPLE_SEED,
            "labels": None if labels is None else [int(v) for v in labels], "ncols": ncols,
            "scale": 2}


def _example_pairs(model, run, n=4):
    """Held-out example inputs for a translator's panel: ``n`` evenly spaced over the run's test
    split (a split sorted by class still shows several), else zeros."""
    from ganzoo import datasets

    shape = tuple(model.data_shape)
    if run is not None and run.info.get("dataset"):
        read = datasets.read_pairs if model.paired else datasets.read_unpaired
        for split in ("test", "train"):
            try:
                a, b = model.oriented(*read(run.info["dataset"], split))
                pick = np.linspace(0, min(len(a), len(b)) - 1, n).astype(int)
                return np.asarray(a)[pick], np.asarray(b)[pick]
            except (datasets.DataError, ValueError, FileNotFoundError):
                continue
    zeros = np.zeros((n,) + shape, np.uint8)
    return zeros, zeros


def metadata(model, info, run, metrics, recipe, dtype, samples):
    """The ``metadata.json`` record of a preset."""
    import keras
    import tensorflow as tf

    import ganzoo
    from ganzoo import recipes

    config = model.config
    training = dict(run.info.get("training", {})) if run is not None else {}
    if recipe is None:
        recipe = {"model": info["model"], "dataset": info.get("dataset"),
                  "seed": config.get("seed"), "epochs": training.get("epochs")}
        command = " ".join([f"ganzoo train {info['model']}"]
                           + ([f"--dataset {info['dataset']}"] if info.get("dataset") else [])
                           + ["--config config.json"]
                           + ([f"--seed {config['seed']}"] if config.get("seed") is not None
                              else []))
    else:
        recipe = {k: v for k, v in recipe.items() if k != "name"}
        command = recipes.command(recipe)
    nets = model.networks()
    return {
        "model": info["model"],
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "versions": {"ganzoo": ganzoo.__version__, "keras": keras.__version__,
                     "tensorflow": tf.__version__},
        "parameters": {attr: int(net.count_params()) for attr, net in nets.items()},
        "sampling_networks": list(model.sampling_networks()),
        "weights_dtype": dtype,
        "dataset": {"name": recipe.get("dataset_name") or info.get("dataset"),
                    "split": info.get("split"), "sha256": info.get("data_sha256")},
        "recipe": {**recipe, "command": command, "steps": training.get("steps"),
                   "seconds": training.get("seconds"),
                   "hardware": training.get("hardware") or hardware()},
        "metrics": _metrics(metrics),
        "ceiling": (metrics or {}).get("real_ceiling"),
        "samples": samples,
    }


def hardware():
    """This machine in a few words: CPU model and cores, or the GPUs TensorFlow sees."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    text = f"{cpu}, {os.cpu_count()} cores"
    return text + (f", {len(gpus)} GPU(s)" if gpus else "")


def _metrics(report):
    """``{metric: {"value": ..., "protocol": ...}}`` from an evaluation report."""
    if not report:
        return {}
    protocol = {k: report.get(k) for k in ("judge", "judge_sha256", "n", "seed", "real_split",
                                           "real_images", "real_statistics", "resize",
                                           "test_images", "direction")
                if report.get(k) is not None}
    return {name: {"value": value, "protocol": protocol}
            for name, value in report.get("metrics", {}).items()}


def card(meta, name, notes=""):
    """A preset's ``README.md``: a model card in the Hugging Face GAN card style; ``notes``
    (Markdown) says where the recipe departs from the model's paper."""
    data = meta["dataset"].get("name") or "unknown"
    lines = ["---", "library_name: keras", "tags:", "- ganzoo", "- gan",
             f"- {meta['model']}", "- image-generation", f"datasets:\n- {data}", "---", "",
             f"# {name}", "",
             f"A `{meta['model']}` trained by ganzoo on `{data}`. Load it with "
             f"`ganzoo.from_preset(\"{name}\")`; sample with `ganzoo sample {name} --out "
             "grid.png`.", "", "![samples](samples.png)", "", "## Intended use", "",
             "Research, teaching and demos: sampling, evaluation and on-device export of a "
             "small GAN. Not for generating data that stands in for real measurements.", "",
             "## Training data", "",
             f"`{data}` ({meta['dataset'].get('split') or 'train'} split, sha256 "
             f"`{meta['dataset'].get('sha256') or 'unrecorded'}`).", "", "## Training", "",
             f"Recipe: `{meta['recipe']['command']}`; seed {meta['recipe']['seed']}; "
             f"{_or(meta['recipe']['steps'], 'unrecorded')} steps; "
             f"{_or(meta['recipe']['seconds'], 'unrecorded')} s on {meta['recipe']['hardware']}."
             f" Weights stored as {meta['weights_dtype']}; parameters: "
             + ", ".join(f"{k} {v:,}" for k, v in meta["parameters"].items()) + ".", ""]
    if notes:
        lines += [notes, ""]
    lines += ["## Results", ""]
    if meta["metrics"]:
        lines += ["| metric | value | protocol |", "| --- | --- | --- |"]
        for metric, entry in meta["metrics"].items():
            protocol = ", ".join(f"{k} {v}" for k, v in entry["protocol"].items())
            lines.append(f"| {metric} | {_value(entry['value'])} | {protocol} |")
    else:
        lines.append("Not evaluated.")
    lines += ["", "## Limitations", "",
              "Scores use ganzoo's judges (see their cards), not InceptionV3: they compare "
              "models within ganzoo, not with papers' tables. A GAN reproduces its training "
              "data's biases and can memorise examples; check `ganzoo evaluate NAME --metrics "
              "memorization` before publishing samples.", ""]
    return "\n".join(lines)


def _or(value, default):
    return default if value is None else value


def _value(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        keys = [k for k in ("mean", "std", "precision", "recall", "density", "coverage", "worst")
                if isinstance(value.get(k), (int, float))]
        return ", ".join(f"{k} {value[k]:.4g}" for k in keys) or "see metadata.json"
    return str(value)
