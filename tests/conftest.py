import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest


@pytest.fixture(scope="session")
def digits_small():
    """512 embedded digits (uint8 NHWC) with labels: enough for short real fits."""
    import ganzoo

    images, labels = ganzoo.datasets.load_digits("train")
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(images))[:512]
    return images[idx], labels[idx]


@pytest.fixture
def tiny_dcgan():
    """A narrow DCGAN so tests run fast; same code path as the default."""
    import ganzoo

    return ganzoo.build("dcgan", seed=0, generator={"filters": 16},
                        discriminator={"filters": 16}, training={"batch_size": 64})
