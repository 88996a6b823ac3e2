"""The one config schema per variant: defaults, checks, docs, presets as diffs, type switches."""

import os

import pytest

import ganzoo
from ganzoo import config as config_lib
from ganzoo import registry, schema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO = os.path.join(ROOT, "zoo_configs")


def _all_keys(node, prefix=""):
    """Every Key of a schema, through every option of every Choice."""
    for name, child in node.items():
        if isinstance(child, schema.Key):
            yield prefix + name, child
        elif isinstance(child, schema.Choice):
            for option, sub in child.options.items():
                yield from _all_keys(sub, f"{prefix}{name}[{option}].")
        else:
            yield from _all_keys(child, prefix + name + ".")


@pytest.mark.parametrize("name", ganzoo.list_models())
def test_every_key_of_every_option_has_a_doc_and_a_valid_default(name):
    cls = registry.get_class(name)
    keys = list(_all_keys(cls.config_schema))
    assert keys
    for key, node in keys:
        assert node.doc and node.doc.strip(), f"{name}: {key} has no doc"
    # the schema's own defaults pass its own checks (no YAML involved)
    defaults = schema.resolve(cls.config_schema, [], name)
    defaults.pop("model", None)
    assert defaults == schema.defaults(cls.config_schema)


@pytest.mark.parametrize("name", ganzoo.list_models())
def test_variant_yaml_holds_only_schema_keys_and_every_key_is_checked(name):
    raw = config_lib.read_zoo_config(name)
    resolved = ganzoo.resolve_config(name)
    for key, value in schema.flatten(schema.normalise(raw)).items():
        if key != "model":
            assert schema._get(resolved, key) == value
    valid = {k for k, _ in schema.leaves(registry.get_class(name).config_schema, resolved)}
    assert set(schema.flatten(resolved)) - {"model"} == valid


@pytest.mark.parametrize("preset", [(m, p) for m in ganzoo.list_models()
                                    for p in registry.presets(m)], ids=str)
def test_presets_hold_only_what_they_change(preset):
    name, preset = preset
    raw = config_lib.read_yaml(os.path.join(ZOO, f"{name}_{preset}.yaml"))
    diff = schema.flatten(schema.normalise(raw))
    diff.pop("model", None)
    base = ganzoo.resolve_config(name)
    resolved = ganzoo.resolve_config(name, config=preset)
    assert diff, "an empty preset"
    for key, value in diff.items():
        assert schema._get(resolved, key) == value
        # a preset key that repeats the base value is dead weight, unless it is a selector
        # whose switch resets its section
        if not schema._is_selector(registry.get_class(name).config_schema, key):
            # compared with what the preset's section switches alone give (a switched
            # network type starts from that type's defaults, not the base file's values)
            switches = {k: v for k, v in diff.items()
                        if schema._is_selector(registry.get_class(name).config_schema, k)}
            reference = schema.resolve(
                registry.get_class(name).config_schema,
                [("base", config_lib.read_yaml(os.path.join(ZOO, f"{name}.yaml"))),
                 ("switches", switches)], name) if switches else base
            try:
                same = schema._get(reference, key) == value
            except KeyError:
                same = False
            assert not same, f"{name}_{preset}.yaml repeats {key}={value!r} from {name}.yaml"


def test_switching_a_network_type_resets_the_section_to_that_options_defaults():
    cfg = ganzoo.resolve_config("dcgan", generator={"type": "mlp"})
    mlp = schema.defaults(registry.get_class("dcgan").config_schema["generator"].options["mlp"])
    assert cfg["generator"] == {"type": "mlp", **mlp}
    cfg = ganzoo.resolve_config("dcgan", generator={"type": "mlp", "hidden": [32]})
    assert cfg["generator"]["hidden"] == [32] and "filters" not in cfg["generator"]
    # switching the optimizer drops Adam's betas and takes RMSprop's defaults
    cfg = ganzoo.resolve_config("dcgan", optimizer__generator__name="rmsprop")
    rmsprop = registry.get_class("dcgan").config_schema["optimizer"]["generator"]
    assert cfg["optimizer"]["generator"] == {"name": "rmsprop",
                                             **schema.defaults(rmsprop.options["rmsprop"])}
    assert "beta_1" not in cfg["optimizer"]["generator"]


def test_a_key_of_another_option_names_the_option():
    with pytest.raises(ganzoo.ConfigError, match="belongs to generator.type='mlp'"):
        ganzoo.resolve_config("dcgan", generator={"hidden": [32]})


def test_unknown_key_suggests_the_closest():
    with pytest.raises(ganzoo.ConfigError, match="Did you mean 'training.batch_size'"):
        ganzoo.resolve_config("dcgan", training__batch_szie=3)
    with pytest.raises(ganzoo.ConfigError, match="Unknown config key 'critic.gp_weight'"):
        ganzoo.resolve_config("wgan", critic__gp_weight=10.0)  # a GP-only key on WGAN


def test_image_shape_is_an_alias_of_data_shape():
    a = ganzoo.resolve_config("dcgan", image_shape=[32, 32, 3])
    b = ganzoo.resolve_config("dcgan", data_shape=[32, 32, 3])
    assert a == b and "image_shape" not in a


def test_checks_run_on_values_from_every_layer(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: dcgan\ntraining:\n  batch_size: 0\n")
    with pytest.raises(ganzoo.ConfigError, match="training.batch_size=0"):
        ganzoo.resolve_config("dcgan", config=str(bad))


def test_old_saved_config_upgrades():
    old = ganzoo.resolve_config("wgan")
    old = {**old, "image_shape": old.pop("data_shape"), "loss": {"name": "wasserstein",
                                                                  "real_label": 1.0}}
    old["training"] = {**old["training"], "reuse_fakes": False}
    cls = registry.get_class("wgan")
    assert cls.upgrade_config(old) == ganzoo.resolve_config("wgan")
