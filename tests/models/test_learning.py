"""Learning on small real tasks, on a fixed budget, with thresholds set from measurement.

Measured on 2 CPU cores (docs/benchmarks.md):
- vanilla, ring preset, 16 epochs (~40 s): 8/8 modes, 91-93 % of samples within 3 std;
- wgan_gp, ring preset, 32 epochs (~40 s): 8/8 modes, 81-84 % within 3 std;
- lsgan, ring preset (D spectrally normalised), 32 epochs: 8/8 modes, 82-85 % (seeds 0, 2);
- sngan, ring preset (n_dis 1, D's input x 10), 16 epochs: 8/8 modes, 74-82 % (seeds 0, 1, 2;
  Zen 4); without the input scale 8/8 on an AVX2 EPYC but 0-1 modes on the Zen 4;
- cgan label_input, 6 epochs on digits (~50 s): 60 % and 71 % (two runs) judged the requested class;
- cgan c_plus_1, 4 epochs (~35 s): 94 % and 96 %;
- cgan, ring preset conditioned on the mode: 98.5 % and 99.9 % on the requested mode.
The thresholds below (7 of 8 modes and 70 %, as the issue asks; 35 % and 85 % for cgan) leave
room between seeds. ``seed=`` seeds the weight initialisers, the latent stream and the shuffle, so
each test is deterministic on a given CPU (tests/models/test_determinism.py); with the vanilla ring
preset, seeds 0-11 gave 7-8 modes and 88-93 % within 3 std (an unseeded init once gave 5 modes).
"""

import numpy as np
import pytest

import ganzoo
from ganzoo import toy


@pytest.mark.parametrize("name", ["vanilla", "wgan_gp", "lsgan", "sngan"])
def test_ring_mode_coverage(name):
    gan = ganzoo.build(name, config="ring", seed=0)
    gan.fit(ganzoo.datasets.load("ring", seed=0), verbose=0)
    score = toy.mode_coverage(gan.generate(2500, seed=1))
    assert score["modes_covered"] >= 7, score
    assert score["high_quality"] >= 0.70, score


def test_wgan_trains_on_the_ring():
    gan = ganzoo.build("wgan", config="ring", seed=0, training={"epochs": 2})
    history = gan.fit(ganzoo.datasets.load("ring", seed=0), verbose=0)
    assert np.all(np.isfinite(history.history["w_distance"]))
    points = gan.generate(500, seed=0)
    assert points.shape == (500, 2) and np.isfinite(points).all()


@pytest.mark.parametrize("head, epochs, threshold", [("label_input", 6, 0.35),
                                                      ("c_plus_1", 4, 0.85)])
def test_cgan_generates_the_requested_digit(head, epochs, threshold, digit_classifier):
    gan = ganzoo.build("cgan", seed=0, conditioning={"head": head})
    gan.fit(ganzoo.datasets.load("digits", seed=0), epochs=epochs, verbose=0)
    labels = np.repeat(np.arange(10), 50)
    accuracy = float((digit_classifier(gan.generate(labels=labels, seed=1)) == labels).mean())
    assert accuracy >= threshold, accuracy


def test_cgan_on_the_ring_puts_samples_on_the_requested_mode():
    # measured: 98.5 % and 99.9 % within 3 std of the requested mode (seeds 0, 1; ~55 s)
    gan = ganzoo.build("cgan", config="ring", seed=0)
    gan.fit(ganzoo.datasets.load("ring", seed=0), verbose=0)
    labels = np.repeat(np.arange(8), 300)
    dist = np.linalg.norm(gan.generate(labels=labels, seed=1) - toy.ring_centers()[labels], axis=1)
    assert (dist <= 3 * toy.STD).mean() >= 0.90
