"""Train the MNIST classifier ganzoo ships for Inception Score / FID on 28x28x1 digits.

    python tools/train_mnist_classifier.py [--data PATH/mnist.npz] [--epochs 8] [--seed 0]

Reads MNIST in Keras' ``mnist.npz`` layout (``x_train``, ``y_train``, ``x_test``, ``y_test``;
60,000 + 10,000 digits) from ``--data``, or from ``$GANZOO_DATA_DIR/mnist.npz`` (default
``../shared/data`` next to the repository). Trains ``ganzoo.classifiers.mnist_cnn`` on the
training digits only, measures it on the test digits, and writes
``ganzoo/weights/mnist_cnn.weights.h5`` and ``mnist_cnn.json`` (test accuracy, per-class accuracy,
data checksum, command, versions). ``make cards`` then puts the record on the classifier's card.
"""

import argparse
import datetime
import hashlib
import json
import os
import sys
import time


import ganzoo  # noqa: F401  (sets TF logging before TF is imported)
import keras
import tensorflow as tf

from ganzoo import classifiers, datasets


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=None, help="mnist.npz (default: $GANZOO_DATA_DIR/mnist.npz)")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=classifiers.WEIGHTS_DIR)
    p.add_argument("--limit", type=int, default=None,
                   help="train on the first N digits (smoke runs)")
    args = p.parse_args(argv)
    path = args.data or datasets.shared_data_file("mnist.npz")
    x, y = datasets.read_npz(path, "train")
    xt, yt = datasets.read_npz(path, "test")
    if args.limit:
        x, y = x[:args.limit], y[:args.limit]
    keras.utils.set_random_seed(args.seed)
    model = classifiers.mnist_cnn()
    steps = args.epochs * (len(x) // args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, steps)
    model.compile(keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    train = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=args.seed)
             .batch(args.batch_size, drop_remainder=True)
             .map(lambda a, b: (datasets.to_float_images(a), b),
                  num_parallel_calls=tf.data.AUTOTUNE)
             .prefetch(tf.data.AUTOTUNE))
    start = time.perf_counter()
    model.fit(train, epochs=args.epochs, verbose=2, shuffle=False)
    seconds = time.perf_counter() - start
    probs = classifiers.Judge(model, features_layer="features").probs(xt)
    pred = probs.argmax(1)
    accuracy = float((pred == yt).mean())
    per_class = {int(c): round(float((pred[yt == c] == c).mean()), 4) for c in range(10)}
    print(f"test accuracy {accuracy:.4f} after {args.epochs} epochs ({seconds:.0f} s)")
    os.makedirs(args.out, exist_ok=True)
    weights = os.path.join(args.out, "mnist_cnn.weights.h5")
    plain = classifiers.mnist_cnn()  # uncompiled copy: the file holds no optimizer state
    plain.set_weights(model.get_weights())
    plain.save_weights(weights)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    info = {
        "model": "mnist_cnn", "parameters": int(model.count_params()),
        "data": {"source": "MNIST (LeCun, Cortes & Burges), mnist.npz in Keras layout",
                 "sha256": digest, "train": int(len(x)), "test": int(len(xt))},
        "training": {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
                     "optimizer": "Adam, cosine decay from 1e-3", "seconds": round(seconds, 1)},
        "test_accuracy": round(accuracy, 4), "per_class_accuracy": per_class,
        "command": "python tools/train_mnist_classifier.py "
                   + " ".join(sys.argv[1:] if argv is None else argv),
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
        "date": datetime.date.today().isoformat(),
    }
    with open(os.path.join(args.out, "mnist_cnn.json"), "w") as f:
        json.dump(info, f, indent=1)
    return info


if __name__ == "__main__":
    main()
