"""``seed=`` makes two CPU runs end with identical weights (issue 9, item 4)."""

import subprocess
import sys

import numpy as np

SCRIPT = """
import sys, numpy as np, ganzoo
images, labels = ganzoo.datasets.load_digits("train")
gan = ganzoo.build(sys.argv[1], seed=int(sys.argv[2]), generator={"filters": 8},
                   discriminator={"filters": 8}, training={"batch_size": 32})
gan.fit(images[:256], labels[:256] if gan.num_classes else None, epochs=2, verbose=0)
np.save(sys.argv[3], np.concatenate([w.ravel() for w in
        gan.generator.get_weights() + gan.discriminator.get_weights()]))
"""


def _weights_after_a_run(tmp_path, name, seed, tag):
    out = tmp_path / f"{tag}.npy"
    subprocess.run([sys.executable, "-c", SCRIPT, name, str(seed), str(out)], check=True,
                   capture_output=True)
    return np.load(out)


def test_same_seed_gives_identical_weights_in_two_processes(tmp_path):
    a = _weights_after_a_run(tmp_path, "cgan", 3, "a")
    b = _weights_after_a_run(tmp_path, "cgan", 3, "b")
    c = _weights_after_a_run(tmp_path, "cgan", 4, "c")
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3  # the seed matters: a different one trains differently


def test_same_seed_gives_identical_weights_in_one_process():
    import ganzoo

    weights = []
    for _ in range(2):
        gan = ganzoo.build("vanilla", config="ring", seed=5, training={"epochs": 1})
        gan.fit(ganzoo.datasets.load("ring", seed=5), verbose=0, steps_per_epoch=20)
        weights.append(np.concatenate([w.ravel() for w in gan.generator.get_weights()]))
    np.testing.assert_array_equal(weights[0], weights[1])
