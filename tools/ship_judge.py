"""Ship a trained judge folder as ganzoo's CIFAR-10 judge, with its reference statistics.

The shipped CIFAR-10 judge is made in two steps (the first takes about 90 min on 2 CPU cores;
run it in pieces of under an hour: it resumes from ``--backup`` where it stopped):

    ganzoo judge train $GANZOO_DATA_DIR/cifar10_jpeg.npz --out ~/ganzoo-runs/cifar10-judge \\
        --backup ~/ganzoo-runs/cifar10-judge-ckpt --epochs 42 --cutout 0.5 \\
        --precision mixed_bfloat16
    python tools/ship_judge.py cifar10 ~/ganzoo-runs/cifar10-judge

The second checks the test accuracy (at least 88 %), names the classes, records the command
with ``$GANZOO_DATA_DIR`` instead of this machine's paths, writes ``model.keras``,
``judge.json`` and ``card.md`` into ``ganzoo/weights/cifar10/`` (a temporary folder, then one
rename) and computes the train and test feature statistics (``stats.npz``).
"""

import argparse
import os

import keras
import numpy as np

from ganzoo import classifiers, datasets, files, judges

#: CIFAR-10's class names, in label order (Krizhevsky 2009)
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck"]
MIN_ACCURACY = 0.88


def recipe(record, data_file, name):
    """The commands that remake a judge, with this machine's paths replaced: each warm restart
    (``--init``) is one more stage that continues the previous stage's folder; every other
    option of each stage (epochs, learning rate, cutout, precision) is kept as it was run."""
    stages, t, command = [], record["training"], record["command"]
    while t is not None:
        stages.insert(0, command)
        t = t.get("continued_from")
        command = t and t["command"]
    parts = []
    for i, command in enumerate(stages):
        words, out = command.split()[3:], []  # after "ganzoo judge train"
        out.append(f"ganzoo judge train $GANZOO_DATA_DIR/{data_file}")
        words = words[1:]
        while words:
            flag, value, words = words[0], words[1], words[2:]
            if flag == "--out":
                value = f"JUDGE{i + 1} --backup CHECKPOINTS{i + 1}"
            elif flag == "--init":
                value = f"JUDGE{i}"
            out.append(f"{flag} {value}")
        parts.append(" ".join(out))
    return "; ".join(parts + [f"python tools/ship_judge.py {name} JUDGE{len(stages)}"])


def _accuracy(model, data, record):
    """Test accuracy, overall and per class, of ``model`` on the record's own test split."""
    xt, yt = datasets.load_arrays(data, split="test")
    if judges.checksum(xt, yt) != record["data"]["test_checksum"]:
        raise SystemExit(f"{data}: its test split is not the one the judge was tested on.")
    judge = classifiers.Judge(model, features_layer="features")
    pred = np.asarray(judge.probs(xt)).argmax(1)
    accuracy, per_class = judges.accuracy_by_class(pred, yt, list(record["per_class_accuracy"]))
    return {"test_accuracy": accuracy, "per_class_accuracy": per_class}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name", choices=["cifar10"])
    p.add_argument("folder", help="the judge folder `ganzoo judge train` wrote")
    p.add_argument("--data", default="cifar10_jpeg.npz",
                   help="the dataset file, in $GANZOO_DATA_DIR or as a path")
    p.add_argument("--flip-average", action="store_true",
                   help="ship the judge averaged over each image and its mirror "
                        "(judges.flip_averaged); its test accuracy is measured anew")
    args = p.parse_args()
    record = files.read_json(os.path.join(args.folder, judges.RECORD), "judge record")
    data = args.data if os.path.isfile(args.data) else datasets.shared_data_file(args.data)
    model = keras.saving.load_model(os.path.join(args.folder, judges.MODEL), safe_mode=True)
    if args.flip_average:
        model = judges.flip_averaged(model, record.get("feature_layer", "features"))
        record.update(_accuracy(model, data, record))
        record["test_time"] = "class probabilities and features averaged over the image and " \
                              "its left-right mirror"
    if record["test_accuracy"] < MIN_ACCURACY:
        raise SystemExit(f"{args.folder}: test accuracy {record['test_accuracy']:.2%} is under "
                         f"{MIN_ACCURACY:.0%}; train longer before shipping.")
    if list(record["input_shape"]) != list(judges.KNOWN_DATA[args.name]["shape"]):
        raise SystemExit(f"{args.folder}: input shape {record['input_shape']} is not CIFAR-10's.")
    data_file = os.path.basename(record["data"]["source"])
    record.update(name=args.name, classes=CIFAR10_CLASSES,
                  per_class_accuracy={CIFAR10_CLASSES[int(k)]: v
                                      for k, v in record["per_class_accuracy"].items()})
    record["data"]["source"] = data_file
    record["command"] = recipe(record, data_file, args.name) + (
        " --flip-average" if args.flip_average else "")
    target = judges.CIFAR10_DIR
    with files.atomic_folder(target) as tmp:
        model.save(os.path.join(tmp, judges.MODEL))
        files.write_json(os.path.join(tmp, judges.RECORD), record)
        with open(os.path.join(tmp, judges.CARD), "w", encoding="utf-8") as f:
            f.write(judges.card(record))
    judges._LOADED.pop(args.name, None)
    stats = judges.make_reference_statistics(args.name, data)
    print(f"shipped {target} (test accuracy {record['test_accuracy']:.2%}) and {stats}")


if __name__ == "__main__":
    main()
