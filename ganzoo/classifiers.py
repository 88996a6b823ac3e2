"""Image classifiers and feature extractors that judge generated samples.

- :func:`mnist_cnn` / :func:`load_mnist_classifier`: the digits classifier ganzoo ships
  (``ganzoo/weights/mnist_cnn.weights.h5``, trained on the 60,000 MNIST training digits by
  ``tools/train_mnist_classifier.py``; its accuracy is in ``mnist_cnn.json`` and on its card).
- :func:`inception_v3`: InceptionV3 from ``keras.applications`` for any other image size, with
  ImageNet weights downloaded by Keras or read from a local file; never random weights.
- :class:`Judge`: wraps any of these, or a user's Keras classifier or feature model, and returns
  class probabilities and features of images in batches.
- :func:`digit_cnn` / :func:`train_digit_classifier`: a small CNN trained in seconds on the
  embedded digits (what the tests use to judge cGAN labels without the shipped weights).
"""

import json
import os

import keras
import numpy as np
import tensorflow as tf

from ganzoo import datasets
from ganzoo.errors import GanzooError

WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights")
MNIST_WEIGHTS = os.path.join(WEIGHTS_DIR, "mnist_cnn.weights.h5")
MNIST_INFO = os.path.join(WEIGHTS_DIR, "mnist_cnn.json")
#: environment variable naming a local InceptionV3 ImageNet weights file (``.h5``)
INCEPTION_WEIGHTS_ENV = "GANZOO_INCEPTION_WEIGHTS"


class ClassifierError(GanzooError, RuntimeError):
    """A classifier or feature extractor that cannot be had (e.g. weights missing offline)."""


def mnist_cnn():
    """The architecture of the shipped MNIST classifier (untrained): :func:`small_cnn` at
    28x28x1 with 10 classes, about 240k parameters."""
    return small_cnn((28, 28, 1), 10, name="mnist_cnn")


def small_cnn(input_shape, classes, name="small_cnn", bn_momentum=0.99):
    """A small CNN classifier for images up to 28 px, in [-1, 1].

    Three 3x3 convolutions (32, 64, 128 filters) with batch norm and max pooling, a 128-unit
    ReLU layer named ``"features"`` (the embedding FID, KID, precision/recall and the
    memorisation check use) and a softmax layer named ``"probs"``.
    """
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for i, filters in enumerate((32, 64, 128)):                        # 28 -> 14 -> 7 -> 3
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = keras.layers.BatchNormalization(momentum=bn_momentum, name=f"bn{i}")(x)
        x = keras.layers.ReLU(name=f"relu{i}")(x)
        x = keras.layers.MaxPooling2D(name=f"pool{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dropout(0.3, name="dropout0")(x)
    features = keras.layers.Dense(128, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3, name="dropout1")(features)
    probs = keras.layers.Dense(classes, activation="softmax", name="probs")(x)
    return keras.Model(inputs, probs, name=name)


def load_mnist_classifier():
    """The shipped MNIST classifier with its trained weights (see ``mnist_cnn.json``)."""
    if not os.path.exists(MNIST_WEIGHTS):
        raise ClassifierError(f"The shipped MNIST classifier weights are missing ({MNIST_WEIGHTS}"
                              "); reinstall ganzoo or rerun tools/train_mnist_classifier.py.")
    model = mnist_cnn()
    model.load_weights(MNIST_WEIGHTS)
    return model


def mnist_classifier_info():
    """Training record of the shipped MNIST classifier (data, accuracy, command) as a dict."""
    with open(MNIST_INFO) as f:
        return json.load(f)


def inception_v3(weights=None):
    """InceptionV3 (ImageNet) that takes images of any size in [-1, 1], grey or RGB.

    Images are resized bilinearly to 299x299 and grey images repeated to RGB inside the model.
    Outputs class probabilities (1,000); the 2,048-d average-pool layer is named
    ``"avg_pool"`` (the usual FID embedding).

    Args:
        weights: a local ``.h5`` file of Keras' InceptionV3 ImageNet weights (with the top), or
            ``None``: the file named by ``$GANZOO_INCEPTION_WEIGHTS`` if set, else Keras'
            ``weights="imagenet"`` (downloads once into ``~/.keras``).

    Raises:
        ClassifierError: when no weights can be had (offline and no local file). ganzoo never
            falls back to random weights, whose scores would mean nothing.
    """
    weights = weights or os.environ.get(INCEPTION_WEIGHTS_ENV) or "imagenet"
    if weights != "imagenet" and not os.path.isfile(weights):
        raise ClassifierError(f"InceptionV3 weights file {weights!r} does not exist; pass the "
                              "path of Keras' inception_v3_weights_tf_dim_ordering_tf_kernels.h5.")
    try:
        base = keras.applications.InceptionV3(weights=weights, include_top=True)
    except Exception as e:  # download failure, wrong file: one clear error
        raise ClassifierError(
            f"Cannot load InceptionV3 weights ({weights}): {type(e).__name__}: {e}. Offline, "
            f"download inception_v3_weights_tf_dim_ordering_tf_kernels.h5 elsewhere and pass "
            f"its path (weights=... or ${INCEPTION_WEIGHTS_ENV}), or use a classifier of your "
            f"own (ganzoo.classifiers.Judge(model)).") from None
    return base


def _resize_input(size):
    """Wrap ``model`` so it takes images of any size and channel count in [-1, 1]."""
    def prepare(x):
        x = tf.cond(tf.equal(tf.shape(x)[-1], 1), lambda: tf.repeat(x, 3, axis=-1), lambda: x)
        return tf.image.resize(x, (size, size), method="bilinear")
    return prepare


class Judge:
    """Class probabilities and features of images, from one Keras model, in batches.

    Args:
        model: a Keras classifier (outputs class probabilities or logits) or a feature model.
        features_layer: name of the layer whose output is the embedding; ``None`` uses the
            input of the last layer (the penultimate activations), or the model's own output
            when ``outputs="features"``.
        outputs: ``"probs"``, ``"logits"`` (softmax is applied) or ``"features"`` (the model
            is only an extractor: no probabilities).
        input_size: resize images to this square size (and grey to RGB) before the model,
            e.g. 299 for InceptionV3; ``None`` feeds images as they are.
        batch_size: images per forward pass.
        name: a name for reports.

    Example:

    ```python
    judge = ganzoo.classifiers.Judge.default((28, 28, 1))   # the shipped MNIST classifier
    probs, feats = judge.probs_and_features(gan.generate(1000))
    ```
    """

    def __init__(self, model, features_layer=None, outputs="probs", input_size=None,
                 batch_size=500, name=None):
        if outputs not in ("probs", "logits", "features"):
            raise ValueError(f"outputs must be 'probs', 'logits' or 'features', not {outputs!r}.")
        self.model = model
        self.outputs = outputs
        self.batch_size = int(batch_size)
        self.name = name or model.name
        #: how images are resized before the model (recorded in reports)
        self.resize = f"bilinear to {input_size}x{input_size}" if input_size else "none"
        if outputs == "features":
            feats = model.get_layer(features_layer).output if features_layer else model.outputs[0]
            heads = [feats]
        else:
            if features_layer:
                feats = model.get_layer(features_layer).output
            else:
                last = model.layers[-1]
                feats = last.input if not isinstance(last.input, list) else last.input[0]
            heads = [model.outputs[0], feats]
        self._heads = keras.Model(model.inputs, heads)
        prepare = _resize_input(input_size) if input_size else None
        self.input_shape = tuple(model.inputs[0].shape[1:])

        @tf.function(reduce_retracing=True)
        def forward(x):
            x = datasets.to_float_images(x)
            if prepare is not None:
                x = prepare(x)
            out = self._heads(x, training=False)
            return out if isinstance(out, (list, tuple)) else [out]
        self._forward = forward

    @classmethod
    def default(cls, image_shape, inception_weights=None):
        """The judge ganzoo uses for ``image_shape``: the shipped MNIST CNN for 28x28x1,
        InceptionV3 (needs its ImageNet weights, see :func:`inception_v3`) otherwise.
        Built once per process and shared."""
        image_shape = tuple(int(d) for d in image_shape)
        key = "mnist_cnn" if image_shape == (28, 28, 1) else ("inception_v3", inception_weights)
        if key not in _DEFAULT_JUDGES:
            if key == "mnist_cnn":
                judge = cls(load_mnist_classifier(), features_layer="features", name="mnist_cnn")
            else:
                judge = cls(inception_v3(inception_weights), features_layer="avg_pool",
                            input_size=299, batch_size=100, name="inception_v3")
            _DEFAULT_JUDGES[key] = judge
        return _DEFAULT_JUDGES[key]

    def _run(self, images):
        images = np.asarray(images)
        if images.ndim == 3:
            images = images[..., None]
        if images.ndim != 4:
            raise ValueError(f"Expected images (N, H, W, C); got shape {images.shape}.")
        outs = []
        for i in range(0, len(images), self.batch_size):
            batch = tf.constant(images[i:i + self.batch_size])
            outs.append([o.numpy() for o in self._forward(batch)])
        return [np.concatenate([o[k] for o in outs]).astype(np.float64)
                for k in range(len(outs[0]))]

    def probs_and_features(self, images):
        """``(probs (N, C) float64, features (N, D) float64)`` of images in [-1, 1] or uint8."""
        if self.outputs == "features":
            raise ValueError(f"{self.name} is a feature extractor; it gives no class "
                             "probabilities.")
        probs, feats = self._run(images)
        if self.outputs == "logits":
            probs = _softmax(probs)
        return probs, feats.reshape(len(feats), -1)

    def probs(self, images):
        """Class probabilities (N, C), float64."""
        return self.probs_and_features(images)[0]

    def features(self, images):
        """Features (N, D), float64."""
        if self.outputs == "features":
            feats = self._run(images)[0]
            return feats.reshape(len(feats), -1)
        return self.probs_and_features(images)[1]


_DEFAULT_JUDGES = {}
#: image shapes whose default judge was already announced (one warning per shape and process)
_WARNED = set()


def as_judge(classifier, image_shape=None):
    """The judge a metric uses: a :class:`Judge` as it is; a Keras model -> ``Judge(model)``;
    a name or folder (``"mnist"``, ``"cifar10"``, ``"inception"``, a ``ganzoo judge train``
    folder) -> :func:`ganzoo.judges.load`; ``None`` -> :meth:`Judge.default` for
    ``image_shape``, with a warning that names the judge picked by the images' shape alone (a
    28x28x1 image is judged as a digit whatever it shows)."""
    if classifier is None:
        if image_shape is None:
            raise ValueError("Pass images (to pick the default classifier) or a classifier.")
        judge = Judge.default(image_shape)
        if tuple(image_shape) not in _WARNED:
            _WARNED.add(tuple(image_shape))
            import warnings

            warnings.warn(
                f"No judge given: {judge.name} was picked by the images' shape "
                f"{tuple(int(d) for d in image_shape)} alone, so its scores only mean something "
                "if the images are of its domain. Pass the judge of your data explicitly "
                "(extractor=/classifier= 'mnist', 'cifar10', 'inception' or a `ganzoo judge "
                "train` folder).", stacklevel=3)
        return judge
    if isinstance(classifier, (str, os.PathLike)):
        from ganzoo import judges

        return judges.load(classifier)
    if isinstance(classifier, Judge):
        return classifier
    if isinstance(classifier, keras.Model):
        return Judge(classifier)
    raise TypeError(f"classifier must be None, a ganzoo.classifiers.Judge or a keras.Model, "
                    f"not {type(classifier).__name__}.")


def _softmax(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def digit_cnn():
    """A two-convolution CNN for 28x28x1 digits in [-1, 1], returning class logits."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dropout(0.3), keras.layers.Dense(10),
    ], name="digit_cnn")


def train_digit_classifier(epochs=6, seed=0):
    """Train :func:`digit_cnn` on the embedded train digits (4,500).

    Returns:
        ``(model, accuracy)``: the trained model and its accuracy on the 500
        embedded test digits (measured 0.958 and 0.960 for seeds 0 and 1).

    Example:

    ```python
    judge, accuracy = ganzoo.classifiers.train_digit_classifier()
    predicted = judge.predict(gan.generate(labels=labels)).argmax(1)
    ```
    """
    keras.utils.set_random_seed(seed)
    x, y = datasets.load_digits("train")
    xt, yt = datasets.load_digits("test")
    model = digit_cnn()
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(_scale(x), y, epochs=epochs, batch_size=64, verbose=0)
    return model, float(model.evaluate(_scale(xt), yt, verbose=0)[1])


def _scale(images):
    return images.astype(np.float32) / 127.5 - 1.0
