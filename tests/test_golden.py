"""Refactors change no training result (issue 14's guarantee): every variant's weights and
losses after 3 seeded steps equal the record made by the code before the refactor
(``tools/make_golden.py``), and models saved by that code still load."""

import json
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tools"))
import make_golden  # noqa: E402

import ganzoo  # noqa: E402


def _today(gan, key):
    """A record's ``network/index`` key under today's network names (records made before
    CycleGAN's networks took the paper's names keep the old ones)."""
    attr, index = key.split("/")
    return f"{getattr(type(gan), 'legacy_network_names', {}).get(attr, attr)}/{index}"


@pytest.mark.parametrize("case", sorted(make_golden.CASES))
def test_three_steps_reproduce_the_record(case):
    with np.load(os.path.join(make_golden.OUT, f"{case}.npz"), allow_pickle=False) as z:
        record = {k: z[k] for k in z.files}
    expected_losses = json.loads(str(record.pop("losses")))
    recorded_on = str(record.pop("machine"))
    if recorded_on != make_golden.machine():
        pytest.skip(f"record made on {recorded_on!r}, this is {make_golden.machine()!r}: float "
                    "rounding differs between CPUs; see tools/make_golden.py")
    gan, weights, losses = make_golden.run_case(case)
    record = {_today(gan, key): value for key, value in record.items()}
    assert set(weights) == set(record)
    for key, value in record.items():
        np.testing.assert_allclose(weights[key], value, rtol=0, atol=1e-6, err_msg=key)
    assert set(losses) == set(expected_losses)
    for key, values in expected_losses.items():
        np.testing.assert_allclose(losses[key], values, rtol=0, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("family", sorted(make_golden.FAMILIES))
def test_models_saved_before_still_load(family):
    path = os.path.join(make_golden.OUT, f"{family}.keras")
    before = open(path, "rb").read()
    gan = ganzoo.load(path)
    assert open(path, "rb").read() == before  # old names are renamed in a copy, never in place
    with np.load(os.path.join(make_golden.OUT, f"{family}.keras.npz"), allow_pickle=False) as z:
        first = {k: z[k] for k in z.files if "/" in k}  # network/index -> weights
    for key, value in first.items():
        attr, i = _today(gan, key).split("/")
        np.testing.assert_array_equal(getattr(gan, attr).get_weights()[int(i)], value)
    if hasattr(gan, "translate"):
        assert np.isfinite(gan.translate(np.zeros((1, 32, 32, 1), np.uint8))).all()
    else:
        assert np.isfinite(gan.generate(4, seed=0)).all()
