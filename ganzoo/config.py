"""Model configurations: load a variant's YAML, merge user config and overrides, validate.

Every variant has a YAML file in ``zoo_configs/`` (installed as the package
``ganzoo.zoo_configs``) holding the paper's hyperparameters. The keys of that
file are the only valid keys: a user config or override that names any other
key is an error, and so is a value of the wrong type or an impossible value.

Overrides name nested keys in any of three equivalent ways::

    ganzoo.build("dcgan", training={"batch_size": 64})    # nested dict, merged
    ganzoo.build("dcgan", training__batch_size=64)         # "__" separates levels
    ganzoo.build("dcgan", **{"training.batch_size": 64})  # dotted key
    # CLI: ganzoo train dcgan --set training.batch_size=64
"""

import copy
import difflib
import io
import math
import os
from importlib import resources

import yaml

from ganzoo.errors import GanzooError

CONFIG_PACKAGE = "ganzoo.zoo_configs"


class ConfigError(GanzooError, ValueError):
    """A configuration names an unknown key or holds a value of the wrong type or range."""


# ----------------------------------------------------------------------------- checks
# A check is (predicate, description of what is expected).


def positive_int():
    return (lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0,
            "a positive integer")


def optional_positive_int():
    return (lambda v: v is None or positive_int()[0](v), "null or a positive integer")


def positive_number():
    return (lambda v: _is_number(v) and v > 0, "a positive number")


def number_in(lo, hi, hi_open=False):
    if hi_open:
        return (lambda v: _is_number(v) and lo <= v < hi, f"a number in [{lo}, {hi})")
    return (lambda v: _is_number(v) and lo <= v <= hi, f"a number in [{lo}, {hi}]")


def one_of(*options):
    return (lambda v: v in options, "one of " + ", ".join(repr(o) for o in options))


def optional_fraction():
    return (lambda v: v is None or (_is_number(v) and 0 <= v < 1), "null or a number in [0, 1)")


def optional_seed():
    return (lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 0),
            "null or a non-negative integer")


def image_shape():
    def ok(v):
        return (isinstance(v, (list, tuple)) and len(v) == 3
                and all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in v)
                and v[2] in (1, 3, 4))
    return ok, "three positive integers [height, width, channels] with 1, 3 or 4 channels"


def data_shape():
    return (lambda v: isinstance(v, (list, tuple)) and len(v) == 1
            and isinstance(v[0], int) and not isinstance(v[0], bool) and v[0] > 0,
            "[D]: one positive integer, the size of each data vector")


def list_of_positive_ints():
    return (lambda v: isinstance(v, (list, tuple)) and len(v) > 0
            and all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in v),
            "a non-empty list of positive integers")


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


# ----------------------------------------------------------------------------- YAML


def zoo_config_names():
    """Names of the YAML files shipped in ``zoo_configs/`` (without extension)."""
    root = resources.files(CONFIG_PACKAGE)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def read_zoo_config(name):
    """Return the shipped YAML ``zoo_configs/<name>.yaml`` as a dict."""
    path = resources.files(CONFIG_PACKAGE) / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(
            f"No shipped config named {name!r}; available: {', '.join(zoo_config_names())}.")
    return _parse_yaml(path.read_text(encoding="utf-8"), f"zoo_configs/{name}.yaml")


def read_yaml(path):
    """Read a YAML mapping from ``path`` with ``yaml.safe_load``."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfigError(f"Cannot read config file {path!r}: {e.strerror}.") from None
    return _parse_yaml(text, path)


class _StrictLoader(yaml.SafeLoader):
    """``yaml.safe_load`` that refuses a key given twice in one mapping (YAML would keep the
    later value without a word)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(f"Config {self.where} sets {key!r} twice (lines "
                                  f"{seen[key] + 1} and {key_node.start_mark.line + 1}); keep "
                                  "one of them.")
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(text, where):
    loader = _StrictLoader(io.StringIO(text))
    loader.where = where
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as e:
        raise ConfigError(f"Config {where} is not valid YAML: {' '.join(str(e).split())}") \
            from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"Config {where} must be a YAML mapping of keys to values, "
                          f"got {type(data).__name__}.")
    return data


def dump_yaml(config, path):
    """Write a resolved config as YAML (lists, not tuples, so it reads back with safe_load),
    atomically."""
    from ganzoo.files import atomic_path

    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        yaml.safe_dump(to_plain(config), f, sort_keys=False)


def to_plain(value):
    """Tuples to lists, recursively, so a config reads back identically from YAML or JSON."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


# ----------------------------------------------------------------------------- merge


def flatten(config, prefix=""):
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (dict leaves only; lists are values)."""
    out = {}
    for key, value in config.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, full + "."))
        else:
            out[full] = value
    return out


def normalise_overrides(overrides):
    """Turn ``a__b=1`` and ``{"a.b": 1}`` and ``a={"b": 1}`` into flat dotted keys."""
    flat = {}
    for key, value in overrides.items():
        key = key.replace("__", ".")
        if isinstance(value, dict) and value:
            for sub, v in flatten(value).items():
                flat[f"{key}.{sub}"] = v
        else:
            flat[key] = value
    return flat


def resolve(defaults, config=None, overrides=None, checks=None, model_name="model"):
    """Merge ``config`` (dict, path or shipped name) and ``overrides`` onto ``defaults``.

    Args:
        defaults: the variant's shipped config (its keys are the valid keys).
        config: optional dict or path to a YAML file.
        overrides: dict of overrides in any form accepted by :func:`normalise_overrides`.
        checks: dict of dotted key -> (predicate, expected-description).
        model_name: used in error messages.

    Returns:
        A new nested dict, validated.

    Raises:
        ConfigError: unknown key, wrong type or impossible value.
    """
    resolved = copy.deepcopy(defaults)
    valid = flatten(defaults)
    layers = []
    if config is not None:
        layers.append(normalise_overrides(_config_as_dict(config, model_name)))
    if overrides:
        layers.append(normalise_overrides(overrides))
    for layer in layers:
        for key, value in layer.items():
            if key == "model" and value != defaults.get("model"):
                raise ConfigError(f"Config is for model {value!r} but you are building "
                                  f"{model_name!r}; build({value!r}, ...) instead.")
            if key not in valid:
                raise ConfigError(_unknown_key_message(key, valid, model_name))
            _check_finite(key, value)
            _set(resolved, key, _check_type(key, value, valid[key]))
    for key, (predicate, expected) in (checks or {}).items():
        if key not in valid:
            continue
        value = _get(resolved, key)
        if not predicate(value):
            raise ConfigError(f"Invalid config value {key}={value!r} for {model_name!r}: "
                              f"expected {expected}.")
    return resolved


def _check_finite(key, value):
    """Infinity and NaN are never a valid setting (an infinite learning rate trains NaNs)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    for v in values:
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(f"Invalid config value {key}={value!r}: numbers must be finite; "
                              "give a finite value.")


def _config_as_dict(config, model_name):
    if isinstance(config, dict):
        return config
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        if os.path.exists(path) or path.endswith((".yaml", ".yml")):
            return read_yaml(path)
        raise ConfigError(f"config={path!r} is neither a YAML file nor a shipped preset of "
                          f"{model_name!r}; shipped configs: {', '.join(zoo_config_names())}.")
    raise ConfigError(f"config must be a dict, a YAML file path or a shipped config name, "
                      f"got {type(config).__name__}.")


def _unknown_key_message(key, valid, model_name):
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (f"Unknown config key {key!r} for model {model_name!r}.{hint} "
            f"Valid keys: {', '.join(sorted(valid))}.")


def _check_type(key, value, default):
    def bad(expected):
        return ConfigError(f"Invalid config value {key}={value!r}: expected {expected}, "
                           f"got {type(value).__name__}.")

    if default is None:
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number (write 2.0e-4, not 2e-4, in YAML)")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            raise bad("a list")
        return list(value)
    return value


def _get(config, dotted):
    node = config
    for part in dotted.split("."):
        node = node[part]
    return node


def _set(config, dotted, value):
    parts = dotted.split(".")
    node = config
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def parse_set_option(text):
    """Parse one CLI ``--set key=value``; the value is read as YAML (``1e-4`` is a float)."""
    if "=" not in text:
        raise ConfigError(f"--set takes key=value (e.g. training.batch_size=64), got {text!r}.")
    key, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    if isinstance(value, str):  # YAML 1.1 reads "1e-4" as a string; accept it as a number
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            pass
    return key.strip(), value
