"""Adding a variant is one module and one YAML (docs/adding_a_model.md): a toy variant written
into a temporary folder gets build, fit, save/load, generate, export and a card, with no file of
ganzoo's touched."""

import importlib
import sys
import textwrap

import numpy as np
import pytest

import ganzoo
from ganzoo import registry

MODULE = '''
"""A toy variant for the adding-a-model guide: Goodfellow et al.'s algorithm with tiny MLPs."""

import ganzoo
from ganzoo.models import VanillaGAN


@ganzoo.register("toy_mlp")            # defaults: toy_mlp.yaml beside this file
class ToyMLP(VanillaGAN):
    """Toy MLP GAN: two small fully connected networks.

    Goodfellow et al.'s Algorithm 1 (VanillaGAN.train_step) with the networks the YAML names;
    nothing else to write.
    """

    paper = 'Goodfellow et al. 2014, "Generative Adversarial Nets" (a teaching toy)'
    task = "unconditional image generation"
'''

YAML = '''
model: toy_mlp
data_shape: [28, 28, 1]
latent_dim: 16
latent_distribution: normal
generator: {type: mlp, hidden: [32], activation: relu, batch_norm: false}
discriminator: {type: mlp, hidden: [32], activation: leaky_relu, maxout_pieces: 2, dropout: 0.0,
                leaky_slope: 0.2}
loss: {name: non_saturating, real_label: 1.0}
optimizer:
  generator: {name: adam, learning_rate: 1.0e-3, beta_1: 0.5, beta_2: 0.999}
  discriminator: {name: adam, learning_rate: 1.0e-3, beta_1: 0.5, beta_2: 0.999}
training: {batch_size: 32, epochs: 1, d_steps: 1, reuse_fakes: false, linear_decay_from: null,
           precision: float32, steps_per_execution: 1}
ema: {enabled: false, decay: 0.999}
seed: null
'''


@pytest.fixture
def toy_variant(tmp_path, monkeypatch):
    (tmp_path / "toy_mlp.py").write_text(textwrap.dedent(MODULE))
    (tmp_path / "toy_mlp.yaml").write_text(textwrap.dedent(YAML))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("toy_mlp")
    yield module
    registry._REGISTRY.pop("toy_mlp", None)  # other tests list every registered model
    sys.modules.pop("toy_mlp", None)


def test_a_toy_variant_gets_everything_from_one_module_and_one_yaml(toy_variant, tmp_path,
                                                                    digits_small):
    assert "toy_mlp" in ganzoo.list_models()
    gan = ganzoo.build("toy_mlp", seed=0)
    assert gan.latent_dim == 16 and isinstance(gan, toy_variant.ToyMLP)
    history = gan.fit(digits_small[0][:256], verbose=0)
    assert np.isfinite(history.history["g_loss"]).all()
    gan.save(tmp_path / "toy.keras")
    loaded = ganzoo.load(tmp_path / "toy.keras")
    np.testing.assert_allclose(loaded.generate(4, seed=1), gan.generate(4, seed=1), atol=1e-6)
    meta = ganzoo.export.export_generator(loaded, str(tmp_path / "toy.tflite"), format="tflite")
    assert meta["verification"]["max_abs_diff"] <= 1e-4
    card = ganzoo.card("toy_mlp")
    assert card.startswith("<!--") and "# `toy_mlp`: Toy MLP GAN" in card
    assert "`latent_dim`" in card and "Generative Adversarial Nets" in card
    run = ganzoo.train("toy_mlp", "digits", str(tmp_path / "run"), verbose=0, save_every=0)
    assert ganzoo.Run(run.path).model.registry_name == "toy_mlp"
