"""The model registry: names -> GAN classes, ``build`` and ``load``."""

import difflib
import os

from ganzoo import config as config_lib
from ganzoo import schema

_REGISTRY = {}


def register(name, default_config=None):
    """Class decorator that adds a variant to the registry under ``name`` and registers it
    for Keras serialization (``ganzoo>ClassName``), so ``model.save`` / ``ganzoo.load`` work.

    Args:
        name: the registry name used by :func:`build` and the CLI.
        default_config: the variant's default config: a dict, a path to a YAML file, or
            ``None``: ``<name>.yaml`` beside the variant's module if there is one, else the
            shipped ``zoo_configs/<name>.yaml``.

    Example:

    ```python
    @ganzoo.register("my_gan")          # defaults from my_gan.yaml beside this module
    class MyGAN(ganzoo.models.GAN):
        ...
    ```
    """
    import keras

    def decorator(cls):
        if name in _REGISTRY and _REGISTRY[name][0] is not cls:
            raise ValueError(f"A model named {name!r} is already registered "
                             f"({_REGISTRY[name][0].__name__}); pick another name.")
        cls.registry_name = name
        keras.saving.register_keras_serializable(package="ganzoo")(cls)
        source = default_config
        if source is None:
            import sys

            module = sys.modules.get(cls.__module__)
            beside = os.path.join(os.path.dirname(os.path.abspath(module.__file__)),
                                  f"{name}.yaml") if getattr(module, "__file__", None) else None
            if beside and os.path.isfile(beside):
                source = beside
        _REGISTRY[name] = (cls, source)
        return cls

    return decorator


def list_models():
    """Sorted names of every registered variant."""
    return sorted(_REGISTRY)


def get_class(name):
    """The class registered under ``name``; unknown names raise a ``ValueError``."""
    if name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=1, cutoff=0.4)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Unknown model {name!r}.{hint} "
                         f"Registered models: {', '.join(list_models())}.")
    return _REGISTRY[name][0]


def default_config(name):
    """The variant's default config as a fresh nested dict."""
    get_class(name)
    source = _REGISTRY[name][1]
    if source is None:
        return config_lib.read_zoo_config(name)
    if isinstance(source, dict):
        import copy

        return copy.deepcopy(source)
    return config_lib.read_yaml(source)


def resolve_config(name, config=None, **overrides):
    """The validated config ``build`` would use, without building anything.

    Layers, each applied onto the last and each checked against the variant's schema
    (``config_schema``): the schema's defaults, the variant's YAML, then ``config`` (a shipped
    preset, which holds only what it changes, a dict or a YAML path), then ``overrides``. The
    variant's cross-key rules (``validate_config``) run on the result.
    """
    cls = get_class(name)
    source = _REGISTRY[name][1]
    layers = [(f"{name}.yaml" if not isinstance(source, dict) else f"{name}'s defaults",
               default_config(name))]
    if isinstance(config, str) and _is_preset(name, config):
        layers.append((f"preset {_preset_file(name, config)}.yaml",
                       config_lib.read_zoo_config(_preset_file(name, config))))
    elif config is not None:
        layers.append(("config", config_lib.as_dict(config, name)))
    if overrides:
        layers.append(("overrides", overrides))
    resolved = schema.resolve(cls.config_schema, layers, name)
    cls.validate_config(resolved)
    return resolved


def _preset_file(name, preset):
    return preset if preset.startswith(f"{name}_") else f"{name}_{preset}"


def _is_preset(name, config):
    if os.path.exists(config) or config.endswith((".yaml", ".yml")):
        return False
    return _preset_file(name, config)[len(name) + 1:] in presets(name)


def presets(name):
    """Shipped per-dataset presets of a model (``config=`` names), e.g. ``['ring']``."""
    prefix = f"{name}_"
    # a file is a preset of ``name`` when its ``model:`` says so (wgan_gp.yaml is not a preset
    # of wgan)
    return [n[len(prefix):] for n in config_lib.zoo_config_names() if n.startswith(prefix)
            and config_lib.read_zoo_config(n).get("model") == name]


def build(name, config=None, strategy=None, **overrides):
    """Build a compiled GAN from the zoo.

    Args:
        name: a registered model name (see :func:`list_models`).
        config: optional dict or YAML path whose keys replace the defaults in
            ``zoo_configs/<name>.yaml``, or the name of a shipped preset
            (``zoo_configs/<name>_<preset>.yaml``, e.g. ``"ring"``), which holds what it
            changes from those defaults.
        strategy: a ``tf.distribute.Strategy``, or ``"mirrored"`` (every local GPU, or the
            CPU) / ``"multiworker"`` (workers from ``TF_CONFIG``): the model and its optimizers
            are built inside its scope, and ``fit`` runs under it. ``None`` uses the current
            strategy (so building inside ``strategy.scope()`` works too).
        **overrides: keys to change, e.g. ``data_shape=(32, 32, 3)``,
            ``training__batch_size=64`` or ``generator={"filters": 32}``.

    Returns:
        A compiled ``keras.Model`` ready for ``fit``.

    Example:

    ```python
    gan = ganzoo.build("dcgan", data_shape=(32, 32, 3))
    gan.fit(ganzoo.datasets.load("cifar10"), epochs=5)
    images = gan.generate(16, seed=0)
    ```
    """
    resolved = resolve_config(name, config, **overrides)
    strategy = make_strategy(strategy)
    if strategy is None:
        model = get_class(name)(config=resolved)
        model.compile()
        return model
    with strategy.scope():
        model = get_class(name)(config=resolved)
        model.compile()
    return model


STRATEGIES = ("mirrored", "multiworker")


def make_strategy(strategy):
    """``None`` -> ``None``; ``"mirrored"`` / ``"multiworker"`` -> a new strategy; a
    ``tf.distribute.Strategy`` is returned as it is."""
    if strategy is None or not isinstance(strategy, str):
        return strategy
    import tensorflow as tf

    if strategy == "mirrored":
        return tf.distribute.MirroredStrategy()
    if strategy == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"Unknown strategy {strategy!r}; use {' or '.join(map(repr, STRATEGIES))}, "
                     "or pass a tf.distribute.Strategy.")


def load(path):
    """Load a saved GAN from a ``.keras`` file or a run directory containing ``model.keras``.

    Loading uses Keras' ``safe_mode=True``: no arbitrary code is deserialized.
    """
    import keras

    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "model.keras")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No saved model at {path!r}: pass a .keras file or a run "
                                "directory written by `ganzoo train`.")
    import zipfile

    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path!r} is not a .keras archive (a .keras file is a zip); it is "
                         "corrupt, truncated or another format. Save models with model.save("
                         "'name.keras') or `ganzoo train`.")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        try:
            return keras.saving.load_model(_with_todays_names(path, tmp), safe_mode=True)
        except Exception as e:  # keras raises many types for corrupt archives
            raise ValueError(f"Cannot load a ganzoo model from {path!r}: {e}") from e


def _with_todays_names(path, tmp):
    """``path``, or a copy in ``tmp`` whose networks are renamed from the names an earlier
    ganzoo saved them under (the class's ``legacy_network_names``, e.g. CycleGAN's
    ``generator_ba`` -> ``F``). The user's file is never changed."""
    import io
    import json
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            meta = json.loads(z.read("config.json"))
            renames = {}
            for cls, _ in _REGISTRY.values():
                if meta.get("registered_name") == f"ganzoo>{cls.__name__}":
                    renames = getattr(cls, "legacy_network_names", {})
            if not renames or "model.weights.h5" not in z.namelist():
                return path
            members = {info.filename: z.read(info.filename) for info in z.infolist()}
    except (KeyError, ValueError, zipfile.BadZipFile):
        return path  # Keras' own loader reports what is wrong
    import h5py

    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as weights:
        old = [name for name in renames if name in weights]
        if not old or any(renames[name] in weights for name in old):
            return path
        for name in old:
            weights.move(name, renames[name])
    members["model.weights.h5"] = buffer.getvalue()
    copy = os.path.join(tmp, os.path.basename(path))
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return copy
