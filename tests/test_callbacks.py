import json

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo.callbacks import LinearDecay


def test_linear_decay_factor_schedule():
    cb = LinearDecay(start=0.5)
    cb.total = 100
    assert [cb.factor(s) for s in (0, 50, 75, 100)] == [1.0, 1.0, 0.5, 0.0]
    cb = LinearDecay(start=0.0)
    cb.total = 10
    assert cb.factor(5) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="start"):
        LinearDecay(start=1.0)


def test_linear_decay_drives_both_optimizers_during_fit(digits_small):
    gan = ganzoo.build("dcgan", generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 64, "linear_decay_from": 0.0})
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((float(np.asarray(self.model.g_optimizer.learning_rate)),
                         float(np.asarray(self.model.d_optimizer.learning_rate))))

    gan.fit(digits_small[0][:256], epochs=1, verbose=0, callbacks=[Probe()])
    assert [round(g / 2e-4, 6) for g, _ in seen] == [1.0, 0.75, 0.5, 0.25]
    assert all(g == d for g, d in seen)
    assert float(np.asarray(gan.g_optimizer.learning_rate)) == pytest.approx(2e-4)  # restored


def test_sample_grid_has_one_row_per_class(tmp_path):
    gan = ganzoo.build("cgan", generator={"filters": 8}, discriminator={"filters": 8})
    labels, ncols = ganzoo.callbacks.sample_layout(gan, 64)
    assert ncols == 6 and labels.tolist()[:7] == [0, 0, 0, 0, 0, 0, 1] and len(labels) == 60
    assert ganzoo.callbacks.sample_layout(ganzoo.build("dcgan"), 64) == (None, None)


def test_inception_score_and_fid_callbacks_log_on_their_epochs(tmp_path, digits_small):
    images, _ = digits_small
    gan = ganzoo.build("dcgan", seed=0, generator={"filters": 8}, discriminator={"filters": 8},
                       training={"batch_size": 64})
    logdir = tmp_path / "tb"
    curves = ganzoo.callbacks.LossCurves(str(tmp_path / "curves.png"),
                                         history_path=str(tmp_path / "history.json"))
    history = gan.fit(images[:256], epochs=4, verbose=0, callbacks=[
        ganzoo.callbacks.InceptionScore(every=2, n=200, judge="mnist", log_dir=str(logdir)),
        ganzoo.callbacks.FID(reference=images, every=2, n=200, judge="mnist", log_dir=str(logdir)),
        ganzoo.callbacks.SampleGrid(str(tmp_path / "samples"), n=16, every=2, log_dir=str(logdir)),
        curves])
    is_values = history.history["inception_score"]
    assert len(is_values) == 2 and all(1.0 <= v <= 10.0 for v in is_values)
    assert len(history.history["fid"]) == 2 and all(v > 0 for v in history.history["fid"])
    # the callback's value is the metric's: recompute epoch 4's IS from the same samples
    samples = gan.generate(200, seed=0)
    assert is_values[-1] == pytest.approx(ganzoo.metrics.inception_score(samples)[0], rel=1e-6)
    saved = json.loads((tmp_path / "history.json").read_text())
    assert saved["fid"][0] is None and saved["fid"][1] is not None and len(saved["fid"]) == 4
    assert (tmp_path / "curves.png").exists()
    # TensorBoard: scalars and the sample image were written
    import tensorflow as tf

    tags = set()
    for event_file in logdir.glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            tags.update(v.tag for v in event.summary.value)
    assert {"inception_score", "fid", "samples"} <= tags
