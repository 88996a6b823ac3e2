"""Write a shipped judge's reference statistics (feature mean and covariance of its dataset's
train and test splits), so FID against MNIST or CIFAR-10 needs no real images.

    GANZOO_DATA_DIR=../shared/data python tools/make_reference_statistics.py mnist mnist.npz
    GANZOO_DATA_DIR=../shared/data python tools/make_reference_statistics.py \
        cifar10 cifar10_jpeg.npz

DATA is a file in ``$GANZOO_DATA_DIR`` (or a path). Writes ``ganzoo/weights/mnist_cnn.stats.npz``
or ``ganzoo/weights/cifar10/stats.npz`` (see :func:`ganzoo.judges.make_reference_statistics`).
"""

import argparse
import os
import time

from ganzoo import datasets, judges


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name", choices=sorted(judges.STATISTICS))
    p.add_argument("data", help="the dataset file, in $GANZOO_DATA_DIR or as a path")
    args = p.parse_args()
    data = args.data if os.path.isfile(args.data) else datasets.shared_data_file(args.data)
    start = time.perf_counter()
    path = judges.make_reference_statistics(args.name, data)
    print(f"wrote {path} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
