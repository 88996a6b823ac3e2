"""Model configurations on disk: the variants' YAML files, user YAML files, ``--set`` options.

Every variant has a YAML file (in ``zoo_configs/``, installed as the package
``ganzoo.zoo_configs``, or beside its module) holding the paper's hyperparameters. What keys
exist, their defaults, types and checks is the variant's schema (:mod:`ganzoo.schema`);
:func:`ganzoo.registry.resolve_config` applies the YAML, a preset, the user's config and the
overrides onto it in that order.

Overrides name nested keys in any of three equivalent ways::

    ganzoo.build("dcgan", training={"batch_size": 64})    # nested dict, merged
    ganzoo.build("dcgan", training__batch_size=64)         # "__" separates levels
    ganzoo.build("dcgan", **{"training.batch_size": 64})  # dotted key
    # CLI: ganzoo train dcgan --set training.batch_size=64
"""

import io
import os
from importlib import resources

import yaml

from ganzoo.schema import ConfigError, flatten, normalise  # noqa: F401  (re-exported)

CONFIG_PACKAGE = "ganzoo.zoo_configs"


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


def as_dict(config, model_name):
    """A user's ``config=``: a dict, or a YAML file path read with :func:`read_yaml`."""
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
