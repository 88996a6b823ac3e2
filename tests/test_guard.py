"""DivergenceGuard: NaN stops and restores; collapse signs warn (issue 9)."""

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo.callbacks import DivergenceGuard


class PoisonAt(keras.callbacks.Callback):
    """Puts a NaN into a discriminator weight after a given step (a stand-in for an explosion)."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if self.model.train_steps == self.step:
            w = self.model.discriminator.weights[0]
            w.assign(np.full(w.shape, np.nan, np.float32))


def test_nan_stops_training_and_restores_the_last_good_weights(tmp_path, digits_small, capsys):
    images, _ = digits_small
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 32})
    guard = DivergenceGuard(every=5, checkpoint=str(tmp_path / "good.weights.h5"))
    history = gan.fit(images[:256], epochs=5, verbose=0, callbacks=[PoisonAt(12), guard])
    assert guard.diverged["step"] == 13 and guard.diverged["restored_step"] == 10
    assert len(history.history["d_loss"]) == 2            # stopped in epoch 2 of 5
    weights = gan.generator.get_weights() + gan.discriminator.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    assert gan.train_steps == 10                          # optimizers restored too
    assert "diverged at step 13" in capsys.readouterr().err
    assert (tmp_path / "good.weights.h5").exists()
    # the restored model samples finite images
    assert np.isfinite(gan.generate(4, seed=0)).all()


def test_snapshots_keep_their_spacing_with_steps_per_execution(digits_small):
    """Keras calls back every 4 steps here (4, 8, 12, 16), never on a multiple of 5: the guard
    still snapshots once at least 5 steps have passed."""
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 32, "steps_per_execution": 4})
    guard = DivergenceGuard(every=5)
    gan.fit(digits_small[0][:512], epochs=1, verbose=0, callbacks=[guard])
    assert gan.train_steps == 16 and guard._good_step == 16  # snapshots at 8 and 16


def test_a_winning_discriminator_warns_once_after_patience():
    gan = ganzoo.build("dcgan", generator={"filters": 8}, discriminator={"filters": 8})
    guard = DivergenceGuard(patience=3)
    guard.set_model(gan)
    with pytest.warns(UserWarning, match="discriminator has been winning for 3 steps"):
        for _ in range(5):
            guard.on_train_batch_end(0, {"d_real": 0.999, "d_fake": 0.001, "d_loss": 0.01})
    assert len(guard.warnings) == 1
    guard._winning = 0
    for _ in range(5):  # a healthy game never warns
        guard.on_train_batch_end(0, {"d_real": 0.7, "d_fake": 0.3, "d_loss": 1.2})
    assert len(guard.warnings) == 1


def test_falling_sample_diversity_warns(monkeypatch):
    gan = ganzoo.build("dcgan", generator={"filters": 8}, discriminator={"filters": 8})
    guard = DivergenceGuard(n=16)
    guard.set_model(gan)
    rng = np.random.default_rng(0)
    spread = [1.0, 1.0, 0.1]  # diverse, diverse, then nearly identical samples

    def generate(z=None, labels=None):
        return (rng.normal(size=(16, 28, 28, 1)) * spread.pop(0)).astype(np.float32)

    monkeypatch.setattr(gan, "generate", generate)
    logs = {}
    guard.on_epoch_end(0, logs)
    guard.on_epoch_end(1, logs)
    assert not guard.warnings and logs["sample_diversity"] > 0
    with pytest.warns(UserWarning, match="sample diversity fell"):
        guard.on_epoch_end(2, logs)
