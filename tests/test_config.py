import pytest
import yaml

import ganzoo
from ganzoo import config as config_lib


def test_unknown_model_lists_models_and_closest_match():
    with pytest.raises(ValueError) as e:
        ganzoo.build("dcgna")
    msg = str(e.value)
    assert "Unknown model 'dcgna'" in msg and "Did you mean 'dcgan'" in msg and "dcgan" in msg


def test_unknown_key_names_key_and_suggests():
    with pytest.raises(ganzoo.ConfigError) as e:
        ganzoo.resolve_config("dcgan", training={"batchsize": 64})
    msg = str(e.value)
    assert "'training.batchsize'" in msg and "Did you mean 'training.batch_size'" in msg
    assert "training.d_steps" in msg  # lists valid keys


def test_unknown_top_level_key():
    with pytest.raises(ganzoo.ConfigError, match="Unknown config key 'lr'"):
        ganzoo.build("dcgan", lr=0.1)


@pytest.mark.parametrize("overrides, key", [
    ({"training__batch_size": -1}, "training.batch_size=-1"),
    ({"training__batch_size": 1.5}, "training.batch_size=1.5"),
    ({"latent_dim": 0}, "latent_dim=0"),
    ({"image_shape": (28, 28)}, "data_shape=[28, 28]"),
    ({"image_shape": (28, 28, 2)}, "data_shape=[28, 28, 2]"),
    ({"loss__name": "nope"}, "loss.name='nope'"),
    ({"optimizer__generator__learning_rate": "fast"}, "optimizer.generator.learning_rate='fast'"),
    ({"optimizer__generator__beta_1": 1.0}, "optimizer.generator.beta_1=1.0"),
    ({"seed": -3}, "seed=-3"),
    ({"generator__batch_norm": "yes"}, "generator.batch_norm='yes'"),
])
def test_bad_values_name_key_value_and_expectation(overrides, key):
    with pytest.raises(ganzoo.ConfigError) as e:
        ganzoo.resolve_config("dcgan", **overrides)
    assert key in str(e.value) and "expected" in str(e.value)


def test_three_override_spellings_agree():
    a = ganzoo.resolve_config("dcgan", training={"batch_size": 32})
    b = ganzoo.resolve_config("dcgan", training__batch_size=32)
    c = ganzoo.resolve_config("dcgan", **{"training.batch_size": 32})
    assert a == b == c
    assert a["training"]["batch_size"] == 32
    assert a["training"]["epochs"] == ganzoo.resolve_config("dcgan")["training"]["epochs"]


def test_config_from_yaml_path_and_overrides_win(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"latent_dim": 64, "training": {"batch_size": 16}}))
    cfg = ganzoo.resolve_config("dcgan", str(path), training__batch_size=8)
    assert cfg["latent_dim"] == 64 and cfg["training"]["batch_size"] == 8


def test_config_for_another_model_is_refused():
    with pytest.raises(ganzoo.ConfigError, match="for model 'wgan'"):
        ganzoo.resolve_config("dcgan", {"model": "wgan"})


def test_unreadable_and_invalid_yaml(tmp_path):
    with pytest.raises(ganzoo.ConfigError, match="Cannot read config file"):
        ganzoo.resolve_config("dcgan", str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("training: [unclosed\n")
    with pytest.raises(ganzoo.ConfigError, match="not valid YAML"):
        ganzoo.resolve_config("dcgan", str(bad))


def test_yaml_exponent_without_dot_is_a_clear_error(tmp_path):
    path = tmp_path / "lr.yaml"
    path.write_text("optimizer:\n  generator:\n    learning_rate: 2e-4\n")  # YAML 1.1: a string
    with pytest.raises(ganzoo.ConfigError, match="2.0e-4"):
        ganzoo.resolve_config("dcgan", str(path))


def test_set_option_parsing():
    assert config_lib.parse_set_option("training.batch_size=64") == ("training.batch_size", 64)
    assert config_lib.parse_set_option("optimizer.generator.learning_rate=1e-4")[1] == 1e-4
    assert config_lib.parse_set_option("image_shape=[32,32,3]")[1] == [32, 32, 3]
    assert config_lib.parse_set_option("generator.batch_norm=false")[1] is False
    with pytest.raises(ganzoo.ConfigError, match="key=value"):
        config_lib.parse_set_option("training.batch_size")


def test_shipped_config_has_paper_values():
    cfg = ganzoo.resolve_config("dcgan")
    assert cfg["latent_dim"] == 100
    assert cfg["training"]["batch_size"] == 128
    g = cfg["optimizer"]["generator"]
    assert (g["name"], g["learning_rate"], g["beta_1"]) == ("adam", 2e-4, 0.5)
    assert cfg["discriminator"]["leaky_slope"] == 0.2
    assert cfg["generator"]["init_std"] == 0.02


def test_register_user_variant(restore_registry):
    @ganzoo.register("tiny_test_gan", default_config=ganzoo.registry.default_config("dcgan")
                     | {"model": "tiny_test_gan"})
    class Tiny(ganzoo.models.DCGAN):
        pass

    assert "tiny_test_gan" in ganzoo.list_models()
    model = ganzoo.build("tiny_test_gan", generator={"filters": 8}, discriminator={"filters": 8})
    assert isinstance(model, Tiny) and model.generate(2, seed=0).shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match="already registered"):
        ganzoo.register("tiny_test_gan")(type("Other", (ganzoo.models.DCGAN,), {}))
