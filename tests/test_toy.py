import numpy as np

import ganzoo
from ganzoo import toy


def test_real_ring_samples_score_full_coverage():
    score = toy.mode_coverage(toy.ring_data(2500, seed=0))
    assert score["modes_covered"] == 8 and score["high_quality"] > 0.99  # 3 std holds 98.9 %


def test_collapsed_and_off_ring_samples_score_low():
    collapsed = np.tile(toy.ring_centers()[:3], (800, 1))
    assert toy.mode_coverage(collapsed)["modes_covered"] == 3
    off = toy.ring_data(2500, seed=0) * 1.1  # every point 0.2 off its mode
    assert toy.mode_coverage(off)["high_quality"] == 0.0


def test_ring_dataset():
    ds = ganzoo.datasets.load("ring", batch_size=256, seed=0)
    points, modes = next(iter(ds))
    assert points.shape == (256, 2) and modes.shape == (256,)
    radius = np.linalg.norm(points.numpy(), axis=1)
    assert abs(radius.mean() - 2.0) < 0.01
    # each label is the index of the mode its point was drawn from
    nearest = np.linalg.norm(points.numpy()[:, None] - toy.ring_centers()[None], axis=-1).argmin(1)
    np.testing.assert_array_equal(nearest, modes.numpy())
