"""pix2pix on facades against an L1-only U-Net, and CycleGAN on horse2zebra, for fixed budgets.

    python benchmarks/translation.py [--seconds 300 | --epochs 2 --cycle-epochs 1] [--filters 32]
                                     [--judges DIR]

Reads ``facades_128.npz`` and ``horse2zebra_64.npz`` from ``$GANZOO_DATA_DIR`` (default
``../shared/data``). pix2pix translates label maps to photos (b -> a, the paper's direction for
facades) at 128 px; the L1-only U-Net is the same config with ``loss.gan_weight: 0`` (the paper's
"L1 alone", §4.2). Both train for ``--seconds`` with batch 1 and the same seed; the script
reports test L1, PSNR and SSIM over the 106 test pairs. CycleGAN trains on horse2zebra (64 px)
for the same budget and writes a grid. Every run is also scored by a *domain judge*
(``ganzoo.judges.train`` on the dataset's two domains, kept in ``--judges`` and reused): the
share of translated test images it assigns to the target domain, and FID in its features
against the target domain's train images, each beside the real test targets' own value (the
ceiling). Networks use ``--filters`` (the papers' 64 is ~4x slower on CPU). Writes
results/translation.json and PNGs.
"""

import argparse
import json
import os
import time

import numpy as np

import ganzoo
from ganzoo import datasets, evaluation, images, judges, results

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def train_for(gan, data, seconds, epochs=None):
    """Whole epochs until ``seconds`` have passed, or exactly ``epochs`` when given (a budget
    that does not depend on the machine's load)."""
    start, done = time.perf_counter(), 0
    while (done < epochs) if epochs else (time.perf_counter() - start < seconds):
        gan.fit(data, epochs=1, verbose=0)
        done += 1
    return done, round(time.perf_counter() - start, 1)


def domain_judge(data, folder, epochs):
    """The domain judge of ``data`` from ``folder``, trained there first if it is not yet."""
    if os.path.isfile(os.path.join(folder, judges.RECORD)):
        return judges.load(folder)
    print(f"training the domain judge {folder} ({epochs} epochs)", flush=True)
    return judges.train(data, folder, epochs=epochs, verbose=0)


def judged(report):
    """The domain-judge columns of an evaluate_translation report."""
    m = report["metrics"]
    return {"domain_success": round(m["domain_success"]["translated"], 3),
            "domain_ceiling": round(m["domain_success"]["real_targets"], 3),
            "fid": round(m["fid"]["translated"], 2),
            "fid_ceiling": round(m["fid"]["real_targets"], 2),
            "fid_inputs": round(m["fid"]["inputs"], 2)}


def judge_record(judge, generated, real):
    return {**common.judge_protocol(judge, generated, real, "train", seed=None),
            "test_accuracy": judge.record["test_accuracy"]}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=300)
    p.add_argument("--epochs", type=int, default=None,
                   help="train pix2pix exactly this many epochs instead of --seconds")
    p.add_argument("--cycle-epochs", type=int, default=None,
                   help="train CycleGAN exactly this many epochs instead of --seconds")
    p.add_argument("--busy", action="store_true",
                   help="say in the results that the machine was shared (wall times are upper "
                        "bounds)")
    p.add_argument("--filters", type=int, default=32)
    p.add_argument("--limit", type=int, default=None, help="train images (smoke runs)")
    p.add_argument("--judges", default=os.path.join(os.path.expanduser("~"), "ganzoo-runs",
                                                    "judges"),
                   help="folder of the domain judges (trained there once, then reused)")
    p.add_argument("--judge-epochs", type=int, default=10)
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    facades = datasets.shared_data_file("facades_128.npz")
    result = {"machine": common.machine(),
              "seconds_budget": args.seconds, "filters": args.filters,
              "epochs_budget": [args.epochs, args.cycle_epochs], "busy": args.busy,
              "command": common.command(), "pix2pix_facades": {}, "judges": {}}
    labels_test, photos_test = datasets.read_pairs(facades, "test")[::-1]
    facades_judge = domain_judge(facades, os.path.join(args.judges, "facades"), args.judge_epochs)
    panels = {}
    for label, gan_weight in (("pix2pix", 1.0), ("l1_only", 0.0)):
        gan = ganzoo.build("pix2pix", image_shape=(128, 128, 3), direction="b2a", seed=0,
                           generator={"filters": args.filters},
                           discriminator={"filters": args.filters}, loss={"gan_weight": gan_weight})
        data = datasets.load_paired(facades, direction="b2a", seed=0)
        if args.limit:
            data = data.take(args.limit)
        epochs, seconds = train_for(gan, data, args.seconds, args.epochs)
        out = gan.translate(labels_test)
        report = evaluation.evaluate_translation(gan, ["l1", "psnr", "ssim", "domain", "fid"],
                                                 reference=facades, judge=facades_judge)
        m = report["metrics"]
        row = {"epochs": epochs, "steps": gan.train_steps, "seconds": seconds,
               "test_l1": round(m["l1"], 4), "test_psnr_db": round(m["psnr_db"], 2),
               "test_ssim": round(m["ssim"], 3), **judged(report)}
        result["pix2pix_facades"][label] = row
        result["judges"]["facades"] = judge_record(facades_judge, report["test_images"],
                                                   m["fid"]["real_images"])
        print(label, json.dumps(row), flush=True)
        panels[label] = out[:4]
    rows = []
    for i in range(min(4, len(labels_test))):
        rows += [gan.as_float(labels_test[i:i + 1])[0], panels["l1_only"][i], panels["pix2pix"][i],
                 gan.as_float(photos_test[i:i + 1])[0]]
    images.save_grid(np.stack(rows), os.path.join(args.out, "facades.png"), ncols=4, scale=2)

    h2z = datasets.shared_data_file("horse2zebra_64.npz")
    h2z_judge = domain_judge(h2z, os.path.join(args.judges, "horse2zebra"), args.judge_epochs)
    gan = ganzoo.build("cyclegan", data_shape=(64, 64, 3), seed=0,
                       generator={"filters": args.filters}, discriminator={"filters": args.filters})
    data = datasets.load_unpaired(h2z, seed=0)
    if args.limit:
        data = data.take(args.limit)
    epochs, seconds = train_for(gan, data, args.seconds, args.cycle_epochs)
    horses, zebras = datasets.read_unpaired(h2z, "test")
    panel, ncols = gan.sample_panel(horses[:4], zebras[:4])
    images.save_grid(panel, os.path.join(args.out, "horse2zebra.png"), ncols=ncols, scale=2)
    a = gan.as_float(horses)
    result["cyclegan_horse2zebra"] = {
        "epochs": epochs, "steps": gan.train_steps, "seconds": seconds,
        "test_cycle_l1_a": round(float(np.abs(
            gan.translate(gan.translate(a), direction="b2a") - a).mean()), 4)}
    for direction in ("a2b", "b2a"):
        report = evaluation.evaluate_translation(gan, ["domain", "fid"], reference=h2z,
                                                 judge=h2z_judge, direction=direction)
        result["cyclegan_horse2zebra"][direction] = judged(report)
    result["judges"]["horse2zebra"] = judge_record(h2z_judge, report["test_images"],
                                                   report["metrics"]["fid"]["real_images"])
    print("cyclegan", json.dumps(result["cyclegan_horse2zebra"]), flush=True)
    common.write_results(args.out, to_result(result))


def to_result(raw, date=None):
    """The script's measurements in the :mod:`ganzoo.results` layout: a row per pix2pix
    setting on facades and one per CycleGAN direction on horse2zebra."""
    names = {"pix2pix": "facades: pix2pix (cGAN + L1)", "l1_only": "facades: L1 only (same U-Net)"}
    rows = [{"model": "pix2pix", "setting": names[k], **v}
            for k, v in raw["pix2pix_facades"].items()]
    cycle = {k: v for k, v in raw["cyclegan_horse2zebra"].items() if k not in ("a2b", "b2a")}
    for direction, what in (("a2b", "horse -> zebra"), ("b2a", "zebra -> horse")):
        rows.append({"model": "cyclegan", "setting": f"horse2zebra: {what}", **cycle,
                     **raw["cyclegan_horse2zebra"].get(direction, {})})
    judged = raw.get("judges", {})
    p2p, cyc = raw.get("epochs_budget") or (None, None)
    budget = (f"{p2p} epochs (pix2pix) and {cyc} (CycleGAN)" if p2p and cyc
              else f"{raw['seconds_budget']:g} s each")
    if raw.get("busy"):
        budget += "; the cores were shared with another job, so wall times are upper bounds"
    acc = "; ".join(f"{k} {v['test_accuracy']:.1%} on its test split" for k, v in judged.items())
    return results.make(
        "translation", "Real data: facades and horse2zebra",
        f"pix2pix on facades (label map -> photo, 128 px, 400 training pairs, 106 test pairs) "
        f"and CycleGAN on horse2zebra (64 px, 1,067 horses, 1,334 zebras); {raw['filters']} "
        f"filters instead of 64, batch 1, seed 0, {budget}. Domain "
        "success: the share of translated test images a domain judge (`ganzoo judge train` on "
        f"the dataset's two domains; accuracy: {acc or 'n/a'}) assigns to the target domain; "
        "FID in that judge's 128-d features against the target domain's train images; each "
        "beside the real test targets' own value (ceiling) and, for FID, the untranslated "
        "inputs'. 106 and 120-140 test images are fewer than twice the 128 features, so FIDs "
        "are biased upwards (compare within the table only). Facades columns: label map, L1 "
        "only, pix2pix, real photo; horse2zebra rows: horse -> zebra -> horse, then zebra -> "
        "horse -> zebra.",
        {"setting": "run", "epochs": "epochs", "seconds": "seconds",
         "test_l1": "test L1", "test_psnr_db": "test PSNR (dB)", "test_ssim": "test SSIM",
         "test_cycle_l1_a": "test cycle L1 |F(G(a)) - a|",
         "domain_success": "domain success", "domain_ceiling": "real (ceiling)",
         "fid": "FID", "fid_ceiling": "real test FID (ceiling)", "fid_inputs": "inputs' FID"},
        rows, raw["command"], raw["machine"], date,
        formats={"test_l1": "{:.4f}", "test_psnr_db": "{:.2f}", "test_ssim": "{:.3f}",
                 "test_cycle_l1_a": "{:.4f}", "seconds": "{:.0f}", "domain_success": "{:.1%}",
                 "domain_ceiling": "{:.1%}", "fid": "{:.2f}", "fid_ceiling": "{:.2f}",
                 "fid_inputs": "{:.2f}"},
        images={"pix2pix": "facades.png", "cyclegan": "horse2zebra.png"},
        extra={"seconds_budget": raw["seconds_budget"], "filters": raw["filters"],
               "epochs_budget": raw.get("epochs_budget"),
               "judges": judged},
        judge=list(judged.values()) or None)


if __name__ == "__main__":
    main()
