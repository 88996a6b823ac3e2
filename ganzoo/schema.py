"""Config schemas: every key of a variant's config, with its default, check and one-line doc.

A schema is a nested ``dict`` whose leaves are :class:`Key` objects. A :class:`Choice` is a
section whose valid keys depend on one of its keys: a network section's ``type`` or an optimizer
section's ``name``. Each variant declares its schema next to its class (``config_schema``), with
its cross-key rules beside it (``validate_config``); from the schema ganzoo derives

- the defaults under the variant's YAML (:func:`defaults`),
- validation of every layer (YAML, preset, user config, overrides; :func:`resolve`): unknown keys
  are errors with a did-you-mean, every value is type-checked and range-checked,
- the tables of ``docs/configs.md`` and of each model card (:func:`rows`).

Example:

```python
from ganzoo.schema import Key, positive_int
SCHEMA = {"latent_dim": Key(100, positive_int(), "size of z")}
ganzoo.schema.resolve(SCHEMA, [("overrides", {"latent_dim": 64})], "my_gan")
```
"""

import copy
import dataclasses
import difflib
import math

from ganzoo.errors import GanzooError


class ConfigError(GanzooError, ValueError):
    """A configuration names an unknown key or holds a value of the wrong type or range."""


#: other names accepted for a key on input (user configs, overrides, configs of saved models)
ALIASES = {"image_shape": "data_shape"}

# ----------------------------------------------------------------------------- checks
# A check is (predicate, description of what is expected).


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def positive_int():
    return (lambda v: _is_int(v) and v > 0, "a positive integer")


def optional_positive_int():
    return (lambda v: v is None or (_is_int(v) and v > 0), "null or a positive integer")


def zero_or_at_least(n):
    return (lambda v: _is_int(v) and (v == 0 or v >= n), f"0 or an integer >= {n}")


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
    return (lambda v: v is None or (_is_int(v) and v >= 0), "null or a non-negative integer")


def image_shape():
    return (lambda v: isinstance(v, (list, tuple)) and len(v) == 3
            and all(_is_int(i) and i > 0 for i in v) and v[2] in (1, 3, 4),
            "three positive integers [height, width, channels] with 1, 3 or 4 channels")


def sample_shape():
    """An image shape [H, W, C], or [D] for vector data."""
    images, _ = image_shape()
    return (lambda v: images(v) or (isinstance(v, (list, tuple)) and len(v) == 1
                                    and _is_int(v[0]) and v[0] > 0),
            "[height, width, channels] with 1, 3 or 4 channels, or [D] for D-dimensional "
            "vectors")


def list_of_positive_ints():
    return (lambda v: isinstance(v, (list, tuple)) and len(v) > 0
            and all(_is_int(i) and i > 0 for i in v), "a non-empty list of positive integers")


# ----------------------------------------------------------------------------- schema types


@dataclasses.dataclass(frozen=True)
class Key:
    """One config key.

    Args:
        default: the value when no layer sets it; its type is the key's type (an ``int``
            default takes integers, a ``float`` default any number, ``None`` leaves the type to
            ``check``).
        check: ``(predicate, expected)``: a value the predicate refuses is an error that
            quotes ``expected``.
        doc: one line saying what the key does.
    """

    default: object
    check: tuple = None
    doc: str = ""


@dataclasses.dataclass(frozen=True)
class Choice:
    """A section whose valid keys depend on its ``selector`` key.

    Args:
        selector: the key that picks the option (``"type"`` of a network, ``"name"`` of an
            optimizer).
        options: option name -> that option's schema (a dict of :class:`Key`).
        default: the option used when no layer sets the selector.
        doc: one line for the selector key.

    A layer that sets the selector to another option starts the section afresh from that
    option's defaults: a preset that swaps a DCGAN generator for an MLP keeps no DCGAN keys.
    """

    selector: str
    options: dict
    default: str
    doc: str = ""


def extend(schema, **sections):
    """A copy of ``schema`` with top-level ``sections`` added, replaced or, for ``None``,
    removed; ``seed`` stays last. To add keys to a section, pass
    ``section={**schema["section"], ...}``."""
    out = {k: v for k, v in schema.items() if k != "seed"}
    for name, value in sections.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    if "seed" in schema:
        out["seed"] = schema["seed"]
    return out


def defaults(schema):
    """The config every key's default gives (each :class:`Choice` at its default option)."""
    out = {}
    for name, node in schema.items():
        if isinstance(node, Key):
            out[name] = copy.deepcopy(node.default)
        elif isinstance(node, Choice):
            out[name] = _option_defaults(node, node.default)
        else:
            out[name] = defaults(node)
    return out


def _option_defaults(choice, option):
    return {choice.selector: option, **defaults(choice.options[option])}


def _node(schema, config, dotted):
    """The schema node at ``dotted`` for ``config`` (its Choices at their current options),
    or ``None``."""
    node = schema
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if isinstance(node, Choice):
            section = _get(config, ".".join(parts[:i]))
            if part == node.selector:
                return Key(node.default, one_of(*node.options), node.doc) \
                    if i == len(parts) - 1 else None
            node = node.options[section[node.selector]]
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def leaves(schema, config, prefix=""):
    """``(dotted key, Key)`` for every key valid in ``config``, in schema order."""
    out = []
    for name, node in schema.items():
        full = prefix + name
        if isinstance(node, Key):
            out.append((full, node))
        elif isinstance(node, Choice):
            option = _get(config, full)[node.selector]
            out.append((f"{full}.{node.selector}",
                        Key(node.default, one_of(*node.options), node.doc)))
            out.extend(leaves(node.options[option], config, full + "."))
        else:
            out.extend(leaves(node, config, full + "."))
    return out


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


def normalise(layer):
    """Turn ``a__b=1``, ``{"a.b": 1}`` and ``a={"b": 1}`` into flat dotted keys, with
    :data:`ALIASES` replaced by their key."""
    flat = {}
    for key, value in layer.items():
        key = key.replace("__", ".")
        if isinstance(value, dict) and value:
            for sub, v in flatten(value).items():
                flat[f"{key}.{sub}"] = v
        else:
            flat[key] = value
    return {ALIASES.get(k, k): v for k, v in flat.items()}


def resolve(schema, layers, model_name, drop_unknown=False):
    """Apply ``layers`` in order onto the schema's defaults and check the result.

    Args:
        schema: the variant's schema.
        layers: ``(where, mapping)`` pairs, e.g. the variant's YAML, a preset, the user's
            config, the overrides; ``where`` names the layer in errors.
        model_name: the variant's name: a layer's ``model`` key must equal it.
        drop_unknown: ignore keys the schema does not know (configs of saved models that hold
            keys later removed as unused) instead of raising.

    Returns:
        A new nested dict holding every key of the schema.

    Raises:
        ConfigError: unknown key, wrong type or impossible value.
    """
    config = {"model": model_name, **defaults(schema)}
    for where, layer in layers:
        flat = normalise(layer)
        if "model" in flat:
            if flat.pop("model") != model_name:
                raise ConfigError(f"{where} is for model {layer.get('model')!r} but you are "
                                  f"building {model_name!r}; build({layer.get('model')!r}, ...) "
                                  "instead.")
        # selectors first: switching an option resets its section to that option's defaults
        for key, value in sorted(flat.items(), key=lambda kv: _is_selector(schema, kv[0]),
                                 reverse=True):
            node = _node(schema, config, key)
            if not isinstance(node, Key):
                if drop_unknown:
                    continue
                raise ConfigError(_unknown_key_message(schema, config, key, model_name, where))
            value = _check_type(key, value, node.default)
            choice = _choice_of(schema, key)
            if choice is not None and value != _get(config, key):
                if value not in choice.options:
                    raise ConfigError(f"Invalid config value {key}={value!r} for {model_name!r}:"
                                      f" expected one of {', '.join(map(repr, choice.options))}.")
                _set(config, key.rsplit(".", 1)[0], _option_defaults(choice, value))
            _set(config, key, value)
    for key, node in leaves(schema, config):
        value = _get(config, key)
        if node.check is not None and not node.check[0](value):
            raise ConfigError(f"Invalid config value {key}={value!r} for {model_name!r}: "
                              f"expected {node.check[1]}.")
    return config


def _is_selector(schema, dotted):
    return _choice_of(schema, dotted) is not None


def _choice_of(schema, dotted):
    """The :class:`Choice` whose selector ``dotted`` is, else ``None``."""
    parent, _, last = dotted.rpartition(".")
    node = schema
    for part in parent.split(".") if parent else []:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, Choice) and node.selector == last else None


def _unknown_key_message(schema, config, key, model_name, where):
    valid = [k for k, _ in leaves(schema, config)]
    other = _key_of_other_option(schema, config, key)
    if other:
        return (f"Config key {key!r} ({where}) belongs to {other[0]}={other[1]!r}, but "
                f"{other[0]} is {_get(config, other[0])!r} for {model_name!r}; set "
                f"{other[0]}={other[1]!r} in the same config to use it, or drop the key.")
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (f"Unknown config key {key!r} ({where}) for model {model_name!r}.{hint} "
            f"Valid keys: {', '.join(sorted(valid))}.")


def _key_of_other_option(schema, config, key):
    """``(selector key, option)`` when ``key`` is valid only for another option of a Choice."""
    parts = key.split(".")
    node = schema
    for i, part in enumerate(parts):
        if isinstance(node, Choice):
            rest = parts[i:]
            for option, sub in node.options.items():
                if rest[0] in sub and len(rest) == 1:
                    return ".".join(parts[:i] + [node.selector]), option
            return None
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None


def _check_type(key, value, default):
    def bad(expected):
        return ConfigError(f"Invalid config value {key}={value!r}: expected {expected}, "
                           f"got {type(value).__name__}.")

    for v in value if isinstance(value, (list, tuple)) else [value]:
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(f"Invalid config value {key}={value!r}: numbers must be finite; "
                              "give a finite value.")
    if default is None:
        return list(value) if isinstance(value, tuple) else value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int):
        if not _is_int(value):
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
    for part in dotted.split(".") if dotted else []:
        node = node[part]
    return node


def _set(config, dotted, value):
    parts = dotted.split(".")
    node = config
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


# ----------------------------------------------------------------------------- documentation


def rows(schema, config):
    """``(dotted key, value in config, expected, doc)`` for every key valid in ``config``."""
    out = []
    for key, node in leaves(schema, config):
        expected = node.check[1] if node.check else _type_name(node.default)
        out.append((key, _get(config, key), expected, node.doc))
    return out


def _type_name(default):
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "an integer"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, str):
        return "a string"
    return "any"


def options_table(choice):
    """Markdown rows ``option | keys`` of a :class:`Choice` (for docs)."""
    return [(option, ", ".join(f"`{k}`" for k in sub)) for option, sub in choice.options.items()]


def choices(schema, prefix=""):
    """``(dotted section, Choice)`` for every selector-switched section of ``schema``."""
    out = []
    for name, node in schema.items():
        if isinstance(node, Choice):
            out.append((prefix + name, node))
        elif isinstance(node, dict):
            out.extend(choices(node, prefix + name + "."))
    return out
