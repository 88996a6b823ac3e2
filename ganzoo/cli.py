"""The ``ganzoo`` command line. Thin: parses arguments and calls the Python API.

    ganzoo list
    ganzoo train MODEL [--dataset NAME|PATH] [--epochs N] [--batch-size N]
                       [--set key=value ...] [--config YAML] [--out DIR] [--seed S] [--force]
                       [--resume] [--save-every STEPS] [--strategy mirrored|multiworker]
    ganzoo sample RUN_DIR [--n 64] [--seed S] [--labels 0,1,2] [--out grid.png]
    ganzoo evaluate RUN_DIR [--metrics is,fid,kid,pr,memorization,birthday] [--reference NAME|PATH]
                            [--n N] [--out DIR]
    ganzoo export RUN_DIR --format saved_model|tflite --out PATH [--quantize Q] [--output uint8]
    ganzoo cards | ganzoo card MODEL
"""

import argparse
import json
import os
import sys

import numpy as np

RUN_FILES = ("model.keras", "config.yaml", "run.json", "history.json", "losses.png", "samples",
             "backup")
#: where ``ganzoo train`` keeps the checkpoint that ``--resume`` continues from
BACKUP_DIR = "backup"


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    import ganzoo

    try:
        return args.func(args)
    except (ganzoo.ConfigError, ganzoo.DataError, ValueError, FileNotFoundError,
            FileExistsError, PermissionError, NotADirectoryError) as e:
        print(f"ganzoo: error: {e}", file=sys.stderr)
        return 2


def _parser():
    p = argparse.ArgumentParser(prog="ganzoo", description="A GAN model zoo for Keras 3.")
    sub = p.add_subparsers(dest="command")

    ls = sub.add_parser("list", help="list the registered models")
    ls.set_defaults(func=cmd_list)

    tr = sub.add_parser("train", help="train a model and write a run directory")
    tr.add_argument("model", help="registered model name (see `ganzoo list`)")
    tr.add_argument("--dataset", default="digits",
                    help="'digits' (embedded), a tensorflow-datasets name, an image folder or "
                         "an .npz file (default: digits)")
    tr.add_argument("--split", default="train", help="dataset split (default: train)")
    tr.add_argument("--epochs", type=int, help="epochs (default: the config's training.epochs)")
    tr.add_argument("--batch-size", type=int, help="batch size (training.batch_size)")
    tr.add_argument("--seed", type=int, help="seed for noise, shuffling and weights")
    tr.add_argument("--config", help="YAML file whose keys replace the defaults")
    tr.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override one config key, e.g. --set optimizer.generator.learning_rate=1e-4")
    tr.add_argument("--out", default=None, help="run directory (default: runs/MODEL)")
    tr.add_argument("--force", action="store_true",
                    help="replace the files of an earlier run in --out")
    tr.add_argument("--resume", action="store_true",
                    help="continue the interrupted run in --out from its last checkpoint")
    tr.add_argument("--save-every", type=int, default=100, metavar="STEPS",
                    help="checkpoint both networks and optimizers every STEPS training steps "
                         "into OUT/backup/ (removed when training finishes; default 100; 0 "
                         "turns checkpoints off)")
    tr.add_argument("--strategy", choices=("mirrored", "multiworker"), default=None,
                    help="tf.distribute strategy: 'mirrored' (all local GPUs) or 'multiworker' "
                         "(workers from TF_CONFIG); see docs/distributed.md")
    tr.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2),
                    help="Keras progress output: 0 silent, 1 progress bar, 2 one line per epoch")
    tr.set_defaults(func=cmd_train)

    sa = sub.add_parser("sample", help="write a PNG grid of samples from a trained run")
    sa.add_argument("run", help="run directory or .keras file")
    sa.add_argument("--n", type=int, default=64, help="number of samples (default 64)")
    sa.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    sa.add_argument("--labels", default=None,
                    help="conditional models: comma-separated classes, one per sample, or one "
                         "class for all (default: one row per class)")
    sa.add_argument("--dataset", default=None,
                    help="image-to-image runs: where the example inputs come from (default: the "
                         "run's dataset, test split when it has one)")
    sa.add_argument("--out", default="samples.png", help="PNG to write (default samples.png)")
    sa.set_defaults(func=cmd_sample)

    ev = sub.add_parser("evaluate", help="score a trained run: IS, FID, KID, precision/recall, "
                                         "memorisation, birthday-paradox support")
    ev.add_argument("run", help="run directory or .keras file")
    ev.add_argument("--metrics", default="is,fid",
                    help="comma-separated: is, fid, kid, pr, memorization, birthday (default is,fid)")
    ev.add_argument("--reference", default=None,
                    help="real data: a dataset name ('digits', a tfds name), an .npz or an image "
                         "folder (default: the dataset the run was trained on)")
    ev.add_argument("--n", type=int, default=10_000, help="generated samples (default 10000)")
    ev.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    ev.add_argument("--out", default=None,
                    help="folder for report.json and PNGs (default RUN_DIR/evaluation)")
    ev.set_defaults(func=cmd_evaluate)

    cs = sub.add_parser("cards", help="table of every model: paper, task, parameters")
    cs.set_defaults(func=cmd_cards)
    cd = sub.add_parser("card", help="print one model's card")
    cd.add_argument("model", help="registered model name")
    cd.set_defaults(func=cmd_card)

    ex = sub.add_parser("export", help="export a trained generator to SavedModel or TFLite, "
                                       "verified against Keras")
    from ganzoo import export

    export.add_arguments(ex)
    ex.set_defaults(func=export.run_from_args)
    return p


def cmd_list(args):
    import ganzoo

    for name in ganzoo.list_models():
        cls = ganzoo.registry.get_class(name)
        doc = (cls.__doc__ or "").strip().splitlines()
        print(f"{name:12s} {doc[0] if doc else ''}")
    return 0


def cmd_cards(args):
    from ganzoo import cards

    rows = cards.summary_rows()
    print(f"{'model':9s} {'parameters':>11s}  {'paper':32s} {'best measured':50s} task")
    for name, paper, task, params, best in rows:
        print(f"{name:9s} {params:>11,d}  {paper:32s} {best:50s} {task}")
    print("\n`ganzoo card NAME` prints a card; docs/model_cards/ holds them all.")
    return 0


def cmd_card(args):
    import ganzoo

    print(ganzoo.card(args.model))
    return 0


def cmd_train(args):
    import ganzoo
    from ganzoo import config as config_lib

    overrides = dict(config_lib.parse_set_option(s) for s in args.set)
    for key, value in (("training.epochs", args.epochs), ("training.batch_size", args.batch_size),
                       ("seed", args.seed)):
        if value is not None:
            overrides[key] = value
    out = args.out or os.path.join("runs", args.model)
    if args.save_every < 0:
        raise ValueError(f"--save-every must be 0 (off) or a number of steps, got {args.save_every}.")
    backup_dir = os.path.join(out, BACKUP_DIR)
    resuming = args.resume and os.path.exists(os.path.join(backup_dir, "latest.weights.h5"))
    if args.resume and not resuming and os.path.exists(os.path.join(out, "model.keras")):
        raise FileExistsError(f"Nothing to resume: {out!r} holds a finished run (model.keras, no "
                              "checkpoint). Use --force to train it again.")
    if not resuming:
        _check_output_dir(out, args.force)

    # Validate the config first (cheap), then the data, before anything is written.
    config = ganzoo.resolve_config(args.model, args.config, **overrides)
    cls = ganzoo.registry.get_class(args.model)
    translator = hasattr(cls, "load_data")
    if translator:
        dataset = cls.load_data(args.dataset, args.split, config=config, seed=config.get("seed"))
        if _adopt_target_channels(dataset, config, overrides):
            config = ganzoo.resolve_config(args.model, args.config, **overrides)
    else:
        dataset = ganzoo.datasets.load(args.dataset, split=args.split, seed=config.get("seed"))
    user_set_shape = "image_shape" in overrides or (
        args.config and os.path.isfile(args.config)
        and "image_shape" in config_lib.read_yaml(args.config))
    if "image_shape" in config and not user_set_shape:
        # adopt the dataset's image size, so `--dataset cifar10` just works
        data_shape = _data_image_shape(dataset)
        if data_shape is not None and list(data_shape) != list(config["image_shape"]):
            print(f"ganzoo: using image_shape {list(data_shape)} from the dataset "
                  f"(config had {config['image_shape']})", file=sys.stderr)
            overrides["image_shape"] = list(data_shape)
            config = ganzoo.resolve_config(args.model, args.config, **overrides)
    run_info = {"model": args.model, "dataset": args.dataset, "split": args.split}
    if resuming:
        _check_same_run(out, config, run_info)

    model = ganzoo.build(args.model, args.config, strategy=args.strategy, **overrides)
    if not resuming:
        _remove_previous_run(out)
        os.makedirs(out, exist_ok=True)
        config_lib.dump_yaml(config, os.path.join(out, "config.yaml"))
        with open(os.path.join(out, "run.json"), "w", encoding="utf-8") as f:
            json.dump(run_info, f, indent=1)
    else:
        print(f"ganzoo: resuming {out} from its last checkpoint", file=sys.stderr)
    examples = None
    if translator:  # a few fixed pairs for the input | output | target grids
        pairs = list(dataset.take(4).as_numpy_iterator())
        examples = (np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs]))
    callbacks = [
        ganzoo.callbacks.SampleGrid(os.path.join(out, "samples"), seed=0,
                                    n=64 if model.is_image else 2500, examples=examples),
        ganzoo.callbacks.LossCurves(os.path.join(out, "losses.png"),
                                    history_path=os.path.join(out, "history.json"),
                                    resume=resuming),
    ]
    guard = ganzoo.callbacks.DivergenceGuard(every=args.save_every or 100)
    callbacks.insert(0, guard)  # first: a NaN step is undone before anything saves it
    if args.save_every:
        import keras

        callbacks.append(keras.callbacks.BackupAndRestore(
            backup_dir, save_freq=args.save_every, double_checkpoint=True))
    model.fit(dataset, callbacks=callbacks, verbose=args.verbose)
    model.save(os.path.join(out, "model.keras"))
    if guard.diverged:
        print(f"ganzoo: error: training diverged at step {guard.diverged['step']}; {out}/model.keras "
              f"holds the last good weights (step {guard.diverged['restored_step']}).",
              file=sys.stderr)
        return 1
    print(f"ganzoo: wrote {out}/ (model.keras, config.yaml, run.json, history.json, losses.png, "
          "samples/)")
    return 0


def _adopt_target_channels(dataset, config, overrides):
    """Image-to-image data whose targets have other channels than its inputs (grey -> RGB)."""
    spec = dataset.element_spec
    channels = spec[1].shape[-1]
    if channels is not None and config.get("target_channels") is None \
            and channels != spec[0].shape[-1]:
        overrides["target_channels"] = int(channels)
        return True
    return False


def _check_same_run(out, config, run_info):
    """A resumed run must use the interrupted run's config and data."""
    from ganzoo import config as config_lib

    saved = config_lib.read_yaml(os.path.join(out, "config.yaml"))
    with open(os.path.join(out, "run.json"), encoding="utf-8") as f:
        saved_info = json.load(f)
    if config_lib.to_plain(saved) != config_lib.to_plain(config) or saved_info != run_info:
        raise ValueError(f"--resume: the options differ from the interrupted run in {out!r} "
                         f"(see its config.yaml and run.json); pass the same ones, or --force "
                         "to start again.")


def _data_image_shape(dataset):
    spec = dataset.element_spec
    spec = spec[0] if isinstance(spec, tuple) else spec
    shape = tuple(spec.shape)
    if len(shape) == 4:
        shape = shape[1:]
    if len(shape) == 3 and all(s is not None for s in shape):
        return shape
    return None


def _check_output_dir(out, force):
    """Refuse to mix two runs in one directory, and fail early if it cannot be written."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise FileExistsError(f"--out {out!r} is a file; choose a directory.")
    if os.path.isdir(out) and not force:
        existing = [f for f in RUN_FILES if os.path.exists(os.path.join(out, f))]
        if BACKUP_DIR in existing:
            raise FileExistsError(f"{out!r} holds an interrupted run (a checkpoint in {BACKUP_DIR}/)"
                                  "; pass --resume to continue it, --force to start again, or "
                                  "choose another --out.")
        if existing:
            raise FileExistsError(f"{out!r} already holds a run ({', '.join(existing)}); pass "
                                  "--force to replace it or choose another --out.")
    _check_writable(out, "--out")


def _check_writable(out, option):
    """The nearest existing folder above ``out`` must be a writable directory."""
    parent = os.path.abspath(out)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise NotADirectoryError(f"Cannot create {option} {out!r}: {parent!r} is a file, not a "
                                 "folder; choose another path.")
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"Cannot write to {parent!r}; choose a writable {option}.")


def _remove_previous_run(out):
    import shutil

    for name in RUN_FILES:
        path = os.path.join(out, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


def cmd_evaluate(args):
    import ganzoo

    run = args.run
    run_dir = run if os.path.isdir(run) else os.path.dirname(os.path.abspath(run))
    reference = args.reference
    if reference is None:
        info = os.path.join(run_dir, "run.json")
        if not os.path.exists(info):
            raise ValueError(f"{run!r} does not record its dataset (no run.json); pass "
                             "--reference NAME|PATH.")
        with open(info, encoding="utf-8") as f:
            reference = json.load(f)["dataset"]
    out = args.out or os.path.join(run_dir, "evaluation")
    _check_writable(out, "--out")
    names = ganzoo.evaluation.parse_metrics(args.metrics)  # before any slow work
    report = ganzoo.evaluate(run, names, reference=reference, n=args.n, out=out, seed=args.seed)
    for name, value in report["metrics"].items():
        print(f"{name}: {_summary(value)}")
    print(f"ganzoo: wrote {report['report']}")
    return 0


def _summary(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if not isinstance(value, dict):
        return str(value)
    keys = [k for k in ("mean", "std", "precision", "recall", "median_pixel_ratio",
                        "flagged_fraction", "support_estimate", "support_lower_bound")
            if value.get(k) is not None]
    return ", ".join(f"{k} {value[k]:.4g}" if isinstance(value[k], float) else f"{k} {value[k]}"
                     for k in keys)


def _sample_translation(model, args):
    """``ganzoo sample`` for image-to-image runs: panels of held-out examples."""
    from ganzoo import datasets, images

    source = args.dataset
    if source is None:
        run_dir = args.run if os.path.isdir(args.run) else os.path.dirname(os.path.abspath(args.run))
        info = os.path.join(run_dir, "run.json")
        if not os.path.exists(info):
            raise ValueError("This run does not record its dataset; pass --dataset NAME|PATH.")
        with open(info, encoding="utf-8") as f:
            source = json.load(f)["dataset"]
    read = datasets.read_pairs if model.paired else datasets.read_unpaired
    try:
        a, b = read(source, "test")
    except datasets.DataError:
        a, b = read(source, "train")
    if model.paired and model.config.get("direction") == "b2a":
        a, b = b, a
    n = min(args.n, len(a), len(b))
    panel, ncols = model.sample_panel(a[:n], b[:n])
    images.save_grid(panel, args.out, ncols=ncols, scale=2)
    print(f"ganzoo: wrote {args.out}")
    return 0


def cmd_sample(args):
    import ganzoo
    from ganzoo import images

    from ganzoo.callbacks import sample_layout

    if args.n <= 0:
        raise ValueError(f"--n must be positive, got {args.n}.")
    model = ganzoo.load(args.run)
    if hasattr(model, "sample_panel"):
        return _sample_translation(model, args)
    labels, ncols = sample_layout(model, args.n)
    if args.labels is not None:
        if not model.num_classes:
            raise ValueError(f"--labels is for conditional models; {model.name} has no classes.")
        try:
            labels = [int(v) for v in args.labels.split(",")]
        except ValueError:
            raise ValueError(f"--labels takes integers like 3 or 0,1,2, got {args.labels!r}.") from None
        if len(labels) == 1:  # one class for every sample
            labels = labels * args.n
        ncols = None
    samples = model.generate(args.n if labels is None else len(labels), seed=args.seed, labels=labels)
    images.save_samples(samples, args.out, ncols=ncols)
    print(f"ganzoo: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
