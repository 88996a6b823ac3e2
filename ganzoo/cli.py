"""The ``ganzoo`` command line. Thin: parses arguments and calls the Python API.

    ganzoo list
    ganzoo train MODEL [--dataset NAME|PATH] [--epochs N] [--batch-size N]
                       [--set key=value ...] [--config YAML] [--out DIR] [--seed S] [--force]
                       [--resume] [--save-every STEPS] [--strategy mirrored|multiworker]
                       [--from-preset PRESET] [--minutes M]
    ganzoo sample RUN_DIR [--n 64] [--seed S] [--labels 0,1,2] [--truncation PSI]
                          [--class-sweep] [--noise const|random] [--style-mix] [--out grid.png]
    ganzoo interpolate RUN_DIR [--rows 4] [--steps 8] [--seed S] [--truncation PSI]
                               [--label C] [--out walk.png]
    ganzoo evaluate RUN_DIR [--metrics is,fid,kid,pr,dc,memorization,birthday,cond_acc,...]
                            [--reference NAME|PATH] [--judge mnist|cifar10|inception|PATH] [--n N]
                            [--direction a2b|b2a] [--out DIR]
    ganzoo export RUN_DIR --format saved_model|tflite --out PATH [--quantize Q] [--output uint8]
                          [--truncation PSI] [--latent z|w]
    ganzoo cards | ganzoo card MODEL|RUN|PRESET
    ganzoo presets
    ganzoo save-preset RUN DIR [--full] [--dtype float16|float32] [--force]
    ganzoo reproduce PRESET [--budget-minutes M] [--out DIR] [--resume] [--force]

Every command that takes RUN also takes a preset handle (a built-in name such as
``cgan_mnist``, a preset folder, ``https://...#sha256=HASH`` or ``hf://owner/name``).
    ganzoo judge train DATA --out DIR [--epochs N] [--batch-size N] [--seed S] [--force]
                                      [--backup DIR] [--init JUDGE] [--learning-rate LR]
                                      [--cutout SHARE] [--precision float32|mixed_bfloat16]
"""

import argparse
import os
import sys


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    import ganzoo
    from ganzoo.runs import Terminated

    try:
        return args.func(args)
    except (ganzoo.GanzooError, ValueError, FileNotFoundError, FileExistsError, PermissionError,
            NotADirectoryError) as e:
        print(f"ganzoo: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("ganzoo: error: out of memory; use a smaller --n or batch size.", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as e:
        what = "SIGTERM" if isinstance(e, Terminated) else "Ctrl-C"
        print(f"ganzoo: stopped by {what}.", file=sys.stderr)
        return 130 if isinstance(e, KeyboardInterrupt) else 143


def _one_line(error):
    """An error's message on one line (WriteError and OSError carry it in strerror)."""
    text = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return " ".join(str(text).split())


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
                    help="override one config key, e.g. "
                         "--set optimizer.generator.learning_rate=1e-4")
    tr.add_argument("--out", default=None, help="run directory (default: runs/MODEL)")
    tr.add_argument("--force", action="store_true",
                    help="replace the earlier run in --out (set aside until the new run's "
                         "first checkpoint, put back if it fails first; other files stay)")
    tr.add_argument("--resume", action="store_true",
                    help="continue the interrupted run in --out from its last checkpoint")
    tr.add_argument("--save-every", type=int, default=100, metavar="STEPS",
                    help="checkpoint both networks and optimizers every STEPS training steps "
                         "into OUT/backup/ (removed when training finishes; default 100; 0 "
                         "turns checkpoints off)")
    tr.add_argument("--strategy", choices=("mirrored", "multiworker"), default=None,
                    help="tf.distribute strategy: 'mirrored' (all local GPUs) or 'multiworker' "
                         "(workers from TF_CONFIG); see docs/distributed.md")
    tr.add_argument("--minutes", type=float, default=None, metavar="M",
                    help="training-time budget: end training (writing model.keras) after M "
                         "minutes, counted across --resume pieces, or when the epochs end")
    tr.add_argument("--from-preset", default=None, metavar="PRESET",
                    help="fine-tune a preset: start from its config and weights (see `ganzoo "
                         "presets`); --config/--set change its config")
    tr.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2),
                    help="Keras progress output: 0 silent, 1 progress bar, 2 one line per epoch")
    tr.set_defaults(func=cmd_train)

    sa = sub.add_parser("sample", help="write a PNG grid of samples from a trained run")
    sa.add_argument("run", help="run directory, .keras file or preset (`ganzoo presets`)")
    sa.add_argument("--n", type=int, default=64, help="number of samples (default 64)")
    sa.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    sa.add_argument("--labels", default=None,
                    help="conditional models: comma-separated classes, one per sample, or one "
                         "class for all (default: one row per class)")
    sa.add_argument("--dataset", default=None,
                    help="image-to-image runs: where the example inputs come from (default: the "
                         "run's dataset, test split when it has one)")
    sa.add_argument("--truncation", type=float, default=None,
                    help="noise models: the truncation trick, redraw every |z| entry above this "
                         "threshold (e.g. 0.5: less variety, more typical samples); "
                         "stylegan2: ψ >= 0, the lerp towards w̄ (0: w̄'s image for every z, "
                         "1: none)")
    sa.add_argument("--class-sweep", action="store_true",
                    help="conditional models: each row one z, each column a class")
    sa.add_argument("--noise", default=None, choices=("const", "random"),
                    help="stylegan2: the noise inputs, fixed buffers (default: equal seeds give "
                         "equal images) or drawn afresh")
    sa.add_argument("--style-mix", action="store_true",
                    help="stylegan2: a style-mixing grid; the first row and column are the "
                         "sources, image (r, c) takes row r's coarse styles and column c's fine "
                         "ones (--n: sources per side, default 64 -> 8)")
    sa.add_argument("--out", default="samples.png", help="PNG to write (default samples.png)")
    sa.set_defaults(func=cmd_sample)

    ip = sub.add_parser("interpolate", help="write a PNG of latent walks: each row goes from one "
                                            "z to another (spherically for Gaussian z)")
    ip.add_argument("run", help="run directory, .keras file or preset (`ganzoo presets`)")
    ip.add_argument("--rows", type=int, default=4, help="number of walks (default 4)")
    ip.add_argument("--steps", type=int, default=8, help="images per walk, ends included "
                                                         "(default 8)")
    ip.add_argument("--seed", type=int, default=0, help="noise seed of the ends (default 0)")
    ip.add_argument("--truncation", type=float, default=None,
                    help="truncation threshold for the ends (see `ganzoo sample`)")
    ip.add_argument("--label", type=int, default=None,
                    help="conditional models: the class of every image (default: row r walks "
                         "class r mod C)")
    ip.add_argument("--out", default="walk.png", help="PNG to write (default walk.png)")
    ip.set_defaults(func=cmd_interpolate)

    ev = sub.add_parser("evaluate", help="score a trained run: IS, FID, KID, precision/recall, "
                                         "memorisation, birthday-paradox support")
    ev.add_argument("run", help="run directory, .keras file or preset (`ganzoo presets`)")
    ev.add_argument("--metrics", default=None,
                    help="comma-separated: is, fid, kid, pr (precision/recall), dc (density/"
                         "coverage), memorization, birthday; conditional models also cond_acc, "
                         "intra_fid, cas (default is,fid); image-to-image models: l1, psnr, "
                         "ssim (paired), cycle_l1 (unpaired), domain, fid (with --judge; default "
                         "l1,psnr,ssim or cycle_l1, and domain,fid with --judge)")
    ev.add_argument("--reference", default=None,
                    help="real data: a dataset name ('digits', a tfds name), an .npz or an image "
                         "folder (default: the dataset the run was trained on)")
    ev.add_argument("--judge", default=None,
                    help="mnist, cifar10, inception, or a judge folder (ganzoo judge train); "
                         "default: the "
                         "shipped judge of the run's dataset, if there is one")
    ev.add_argument("--direction", choices=("a2b", "b2a"), default=None,
                    help="CycleGAN: which way to translate the test images (default a2b)")
    ev.add_argument("--n", type=int, default=10_000, help="generated samples (default 10000)")
    ev.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    ev.add_argument("--out", default=None,
                    help="folder for report.json and PNGs (default RUN_DIR/evaluation)")
    ev.set_defaults(func=cmd_evaluate)

    cs = sub.add_parser("cards", help="table of every model: paper, task, parameters")
    cs.set_defaults(func=cmd_cards)
    cd = sub.add_parser("card", help="print one model's card")
    cd.add_argument("model", help="registered model name, a run folder or a preset")
    cd.set_defaults(func=cmd_card)

    ps = sub.add_parser("presets", help="list the built-in presets (trained models) and their "
                                        "metrics")
    ps.set_defaults(func=cmd_presets)
    sp = sub.add_parser("save-preset", help="write a preset folder from a run, to share it")
    sp.add_argument("run", help="run directory or .keras file")
    sp.add_argument("out", help="the preset folder to write")
    sp.add_argument("--full", action="store_true",
                    help="also store the discriminators and optimizer state (for fine-tuning)")
    sp.add_argument("--dtype", choices=("float16", "float32"), default="float16",
                    help="storage dtype of the weights (default float16)")
    sp.add_argument("--force", action="store_true", help="replace an existing preset folder")
    sp.set_defaults(func=cmd_save_preset)
    rp = sub.add_parser("reproduce", help="retrain a preset from its recorded recipe and check "
                                          "its metrics within the recipe's tolerance")
    rp.add_argument("preset", help="preset handle (see `ganzoo presets`)")
    rp.add_argument("--budget-minutes", type=float, default=None,
                    help="end training after M minutes (a smoke run; metrics then fall short)")
    rp.add_argument("--out", default=None, help="run folder (default runs/reproduce/PRESET)")
    rp.add_argument("--resume", action="store_true", help="continue an interrupted reproduction")
    rp.add_argument("--force", action="store_true", help="replace an earlier reproduction")
    rp.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    rp.set_defaults(func=cmd_reproduce)

    jd = sub.add_parser("judge", help="judges: the classifiers that score generated images")
    jsub = jd.add_subparsers(dest="judge_command")
    jt = jsub.add_parser("train", help="train a judge on labelled data and write a judge folder")
    jt.add_argument("data", help="tfds name, folder of class sub-folders, or .npz with labels")
    jt.add_argument("--out", required=True, help="the judge folder to write")
    jt.add_argument("--epochs", type=int, default=None,
                    help="default 15 up to 28 px, 30 above")
    jt.add_argument("--batch-size", type=int, default=128)
    jt.add_argument("--seed", type=int, default=0)
    jt.add_argument("--force", action="store_true", help="replace an existing judge folder")
    jt.add_argument("--backup", default=None,
                    help="folder for per-epoch checkpoints; rerun the same command to resume")
    jt.add_argument("--init", default=None, metavar="JUDGE",
                    help="continue from this judge folder: a new cosine cycle of --epochs")
    jt.add_argument("--learning-rate", type=float, default=2e-3,
                    help="peak learning rate of the cosine schedule (default 2e-3)")
    jt.add_argument("--cutout", type=float, default=0.0, metavar="SHARE",
                    help="erase one random patch from this share of training images "
                         "(random erasing; default 0)")
    jt.add_argument("--precision", choices=("float32", "mixed_bfloat16"), default="float32",
                    help="training precision (mixed_bfloat16: ~1.4x faster on CPUs with bf16; "
                         "the judge is written in float32)")
    jt.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2),
                    help="Keras progress: 1 a bar, 2 a line an epoch, 0 silent (default 1)")
    jt.set_defaults(func=cmd_judge_train)
    jd.set_defaults(func=lambda args: (jd.print_help(), 2)[1])

    ex = sub.add_parser("export", help="export a trained generator to SavedModel or TFLite, "
                                       "verified against Keras")
    from ganzoo import export

    export.add_arguments(ex)
    ex.set_defaults(func=export.run_from_args)
    return p


def cmd_judge_train(args):
    from ganzoo import judges

    if args.epochs is not None and args.epochs <= 0:
        raise ValueError(f"--epochs must be positive, got {args.epochs}.")
    judge = judges.train(args.data, args.out, epochs=args.epochs, batch_size=args.batch_size,
                         seed=args.seed, force=args.force, checkpoint_dir=args.backup,
                         init=args.init, learning_rate=args.learning_rate,
                         cutout=args.cutout, precision=args.precision, verbose=args.verbose)
    print(f"ganzoo: wrote {args.out}/ (model.keras, judge.json, card.md); test accuracy "
          f"{judge.record['test_accuracy']:.2%}")
    return 0


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

    name = args.model
    if name not in ganzoo.list_models() and ganzoo.presets.is_handle(name):
        folder = ganzoo.presets.resolve(name)
        with open(os.path.join(folder, ganzoo.presets.CARD), encoding="utf-8") as f:
            print(f.read())
        return 0
    if os.path.isdir(name):  # a run folder: the card of the model it trained
        name = ganzoo.Run(name).info["model"]
    print(ganzoo.card(name))
    return 0


def cmd_presets(args):
    import ganzoo

    rows = ganzoo.list_presets()
    if not rows:
        print("No built-in presets in this installation.")
        return 0
    for row in rows:
        shown = ", ".join(f"{k} {_summary(v)}" for k, v in row["metrics"].items()
                          if k in ("inception_score", "fid", "conditional_accuracy", "l1",
                                   "domain_success"))
        print(f"{row['name']:22s} {row['model']:9s} {row['dataset'] or '':14s} {shown}")
    print("\nLoad one with ganzoo.from_preset(NAME); `ganzoo card NAME` prints its card.")
    return 0


def cmd_reproduce(args):
    from ganzoo import recipes

    if args.budget_minutes is not None and args.budget_minutes <= 0:
        raise ValueError(f"--budget-minutes must be positive, got {args.budget_minutes}.")
    result = recipes.reproduce(args.preset, out=args.out, budget_minutes=args.budget_minutes,
                               resume=args.resume, force=args.force, verbose=args.verbose)
    print(f"{'metric':34s} {'recorded':>10s} {'measured':>10s} {'allowed':>9s}")
    for row in result["comparison"]:
        measured = "missing" if row["measured"] is None else f"{row['measured']:.4g}"
        print(f"{row['metric']:34s} {row['recorded']:10.4g} {measured:>10s} "
              f"{row['allowed']:9.3g}  {'ok' if row['ok'] else 'OUTSIDE'}")
    print(f"ganzoo: {'reproduced' if result['passed'] else 'NOT reproduced'} "
          f"{result['preset']} in {result['steps']} steps (recorded: {result['recorded_steps']});"
          f" wrote {result['report']}")
    return 0 if result["passed"] else 1


def cmd_save_preset(args):
    import ganzoo

    preset = ganzoo.presets.save(args.run, args.out, full=args.full, dtype=args.dtype,
                                 force=args.force)
    print(f"ganzoo: wrote {preset.path}/ (config.json, model.weights.h5"
          f"{', full.weights.h5' if args.full else ''}, metadata.json, samples.png, README.md)")
    return 0


def cmd_train(args):
    import ganzoo
    from ganzoo import config as config_lib

    overrides = dict(config_lib.parse_set_option(s) for s in args.set)
    if args.batch_size is not None:
        overrides["training.batch_size"] = args.batch_size
    run = ganzoo.train(args.model, args.dataset, args.out, split=args.split, config=args.config,
                       resume=args.resume, force=args.force, epochs=args.epochs,
                       save_every=args.save_every, strategy=args.strategy, seed=args.seed,
                       verbose=args.verbose, from_preset=args.from_preset, minutes=args.minutes,
                       **overrides)
    if run.diverged:
        print(f"ganzoo: error: training diverged at step {run.diverged['step']}; "
              f"{run.path}/model.keras holds the last good weights (step "
              f"{run.diverged['restored_step']}).", file=sys.stderr)
        return 1
    print(f"ganzoo: wrote {run.path}/ (model.keras, config.yaml, run.json, history.json, "
          "losses.png, samples/)")
    return 0


def cmd_evaluate(args):
    import ganzoo
    from ganzoo import files, runs

    from ganzoo.models.translation import Translator

    evaluation = ganzoo.evaluation
    model, run = runs.open_model(args.run)
    if isinstance(model, Translator):
        default = "l1,psnr,ssim" if model.paired else "cycle_l1"
        if args.judge:
            default += ",domain,fid"
        names = args.metrics or default

        def score(out):
            return evaluation.evaluate_translation(model, names, reference=reference,
                                                   judge=args.judge, n=args.n, out=out,
                                                   direction=args.direction)
    else:
        if args.direction:
            raise ValueError(f"--direction is for image-to-image models; {model.name} generates "
                             "from noise. Drop --direction.")
        names = evaluation.parse_metrics(args.metrics or "is,fid")  # before any slow work

        def score(out):
            return ganzoo.evaluate(model, names, reference=reference, n=args.n, out=out,
                                   seed=args.seed, judge=args.judge,
                                   data_sha256=runs.recorded_info(run).get("data_sha256"))
    reference = runs.recorded_dataset(args.run, args.reference, "--reference")
    preset = isinstance(run, ganzoo.presets.Preset)
    if preset:  # a preset's folder is not ours to write in (it may be inside the package)
        out = args.out or os.path.join("evaluation", run.name)
    else:
        out = args.out or os.path.join(
            run.path if run else os.path.dirname(os.path.abspath(args.run)), "evaluation")
    runs.check_writable(out, "--out")
    if run is not None and not preset and os.path.abspath(out).startswith(
            os.path.abspath(run.path) + os.sep):
        with files.FolderLock(run.path, "evaluating"):
            report = score(out)
    else:
        report = score(out)
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

    from ganzoo.runs import recorded_dataset

    source = recorded_dataset(args.run, args.dataset, "--dataset")
    read = datasets.read_pairs if model.paired else datasets.read_unpaired
    try:
        a, b = read(source, "test")
    except datasets.DataError:
        a, b = read(source, "train")
    a, b = model.oriented(a, b)
    n = min(args.n, len(a), len(b))
    panel, ncols = model.sample_panel(a[:n], b[:n])
    images.save_grid(panel, args.out, ncols=ncols, scale=2)
    print(f"ganzoo: wrote {args.out}")
    return 0


def cmd_sample(args):
    from ganzoo import images
    from ganzoo.callbacks import sample_layout

    from ganzoo import evaluation, runs

    if args.n <= 0:
        raise ValueError(f"--n must be positive, got {args.n}.")
    images.check_image_path(args.out)
    model, run = runs.open_model(args.run)
    evaluation.check_memory(args.n, model.data_shape, "--n")
    runs.check_outputs_finite(model)
    from ganzoo.models.translation import Translator

    if isinstance(model, Translator):
        return _sample_translation(model, args)
    _check_noise_options(model, args)
    styled = hasattr(model, "style_mix")
    if (args.noise or args.style_mix) and not styled:
        raise ValueError(f"--noise and --style-mix are StyleGAN2's (noise inputs, per-layer "
                         f"styles); {model.name} has neither.")
    if args.style_mix:
        import numpy as np

        side = max(1, min(8, int(round(args.n ** 0.5))))
        grid = model.style_mix(rows=side, cols=side, seed=args.seed, truncation=args.truncation)
        sources = model.generate(2 * side, seed=args.seed, truncation=args.truncation,
                                 labels=[0] * (2 * side) if model.num_classes else None)
        blank = np.ones((1,) + model.data_shape, np.float32)
        cells = [blank, sources[side:]] + [np.concatenate([sources[r:r + 1], grid[r]])
                                           for r in range(side)]
        images.save_samples(np.concatenate(cells), args.out, ncols=side + 1)
        print(f"ganzoo: wrote {args.out}")
        return 0
    extra = {"noise": args.noise} if args.noise else {}
    labels, ncols = sample_layout(model, args.n)
    if args.class_sweep:
        if not model.num_classes:
            raise ValueError(f"--class-sweep is for conditional models; {model.name} has no "
                             f"classes.")
        if args.labels is not None:
            raise ValueError("--class-sweep shows every class; drop --labels.")
        from ganzoo import sampling

        rows = max(1, args.n // model.num_classes)
        z, labels = sampling.class_sweep(
            model.latent_numpy(rows, args.seed, truncation=args.truncation), model.num_classes)
        # (z is truncated already; StyleGAN2 truncates in W, inside generate)
        images.save_samples(model.generate(z=z, labels=labels, truncation=args.truncation,
                                           **extra), args.out, ncols=model.num_classes)
        print(f"ganzoo: wrote {args.out}")
        return 0
    if args.labels is not None:
        if not model.num_classes:
            raise ValueError(f"--labels is for conditional models; {model.name} has no classes.")
        try:
            labels = [int(v) for v in args.labels.split(",")]
        except ValueError:
            raise ValueError(f"--labels takes integers like 3 or 0,1,2, got "
                             f"{args.labels!r}.") from None
        if len(labels) == 1:  # one class for every sample
            labels = labels * args.n
        ncols = None
    n = args.n if labels is None else len(labels)
    samples = model.generate(n, seed=args.seed, labels=labels, truncation=args.truncation,
                             **extra)
    images.save_samples(samples, args.out, ncols=ncols)
    print(f"ganzoo: wrote {args.out}")
    return 0


def _check_noise_options(model, args):
    """--truncation needs a noise model and a positive threshold (StyleGAN2: ψ >= 0), checked
    before any work."""
    from ganzoo.models.translation import Translator

    if args.truncation is not None:
        if isinstance(model, Translator):
            raise ValueError(f"--truncation is for noise-to-image models; {model.name} "
                             f"translates images (it has no z).")
        if hasattr(model, "style_mix"):   # StyleGAN2's ψ in W: 0 gives w̄'s image, 1 none
            if not args.truncation >= 0:
                raise ValueError(f"--truncation is StyleGAN2's ψ and must be >= 0 (e.g. 0.7; "
                                 f"1 for none), got {args.truncation}.")
        elif not args.truncation > 0:
            raise ValueError(f"--truncation must be a positive number (e.g. 0.5), got "
                             f"{args.truncation}.")


def cmd_interpolate(args):
    import numpy as np

    from ganzoo import evaluation, images, runs, sampling
    from ganzoo.models.translation import Translator

    if args.rows <= 0 or args.steps < 2:
        raise ValueError(f"--rows must be positive and --steps at least 2, got --rows "
                         f"{args.rows} --steps {args.steps}.")
    images.check_image_path(args.out)
    model, _ = runs.open_model(args.run)
    if isinstance(model, Translator):
        raise ValueError(f"ganzoo interpolate walks a noise model's z; {model.name} translates "
                         f"images (use `ganzoo sample`).")
    _check_noise_options(model, args)
    evaluation.check_memory(args.rows * args.steps, model.data_shape, "--rows x --steps")
    ends = model.latent_numpy(2 * args.rows, args.seed, truncation=args.truncation)
    spherical = model.config["latent_distribution"] == "normal"
    labels = None
    if model.num_classes:
        row_class = (np.full(args.rows, args.label) if args.label is not None
                     else np.arange(args.rows) % model.num_classes)
        labels = np.repeat(row_class, args.steps).astype(np.int32)
    elif args.label is not None:
        raise ValueError(f"--label is for conditional models; {model.name} has no classes.")
    if hasattr(model, "interpolate_w"):  # StyleGAN2: straight lines in W
        rows = [model.interpolate_w(ends[2 * r], ends[2 * r + 1], args.steps,
                                    labels=None if labels is None else row_class[r],
                                    truncation=args.truncation) for r in range(args.rows)]
        images.save_samples(np.concatenate(rows), args.out, ncols=args.steps)
        print(f"ganzoo: wrote {args.out} (linear in W)")
        return 0
    if model.cluster_coordinate:  # self-conditioned: each walk stays in its start's cluster
        z = np.concatenate([sampling.walks(ends[:, :-1], args.steps, spherical),
                            np.repeat(ends[0::2, -1:], args.steps, axis=0)], axis=1)
    else:
        z = sampling.walks(ends, args.steps, spherical)
    images.save_samples(model.generate(z=z, labels=labels), args.out, ncols=args.steps)
    print(f"ganzoo: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
