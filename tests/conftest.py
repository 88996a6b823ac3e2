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


@pytest.fixture(scope="session")
def digit_classifier():
    """A small CNN trained here on the embedded train digits; checked on the test digits.

    Returns a function images-in-[-1, 1] -> predicted class.
    """
    import keras

    import ganzoo

    keras.utils.set_random_seed(0)
    x, y = ganzoo.datasets.load_digits("train")
    xt, yt = ganzoo.datasets.load_digits("test")
    scale = lambda a: a.astype("float32") / 127.5 - 1  # noqa: E731
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(10),
    ])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(scale(x), y, epochs=4, batch_size=64, verbose=0)
    accuracy = model.evaluate(scale(xt), yt, verbose=0)[1]
    assert accuracy >= 0.95, f"the judge itself is too weak: {accuracy:.3f}"
    return lambda images: np.argmax(model.predict(images, verbose=0), axis=1)
