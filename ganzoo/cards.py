"""Model cards, generated from the registry, the built models, the configs and measured results.

A card is never typed by hand: ``tools/make_model_cards.py`` writes
``docs/model_cards/<name>.md`` from :func:`render`, and a test fails when a
committed card differs from what :func:`render` produces now.

Measured results come from the JSON files that the scripts in ``benchmarks/``
write into ``benchmarks/results/`` (committed). A card shows what exists for
its model and says plainly what has not been measured yet.
"""

import json
import os

from ganzoo import config as config_lib
from ganzoo import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")
#: result images the cards show, copied from benchmarks/results/ into docs/images/results/
#: so the docs site is self-contained
RESULT_IMAGES = ("ring_vanilla.png", "ring_wgan.png", "ring_wgan_gp.png", "ring_cgan.png",
                 "cgan_label_input.png", "cgan_acgan.png", "cgan_c_plus_1.png",
                 "digits_dcgan.png", "digits_vanilla.png", "digits_wgan.png", "digits_wgan_gp.png",
                 "mnist_dcgan.png", "mnist_cgan.png", "facades.png", "horse2zebra.png",
                 "ttq_dcgan.png", "ttq_cgan.png", "ttq_cgan_paper.png", "ttq_cgan_fast.png")

_OBJECTIVES = {
    "non_saturating": (r"L_D = -\mathbb{E}_x[\log D(x)] - \mathbb{E}_z[\log(1 - D(G(z)))]",
                       r"L_G = -\mathbb{E}_z[\log D(G(z))]",
                       "non-saturating generator loss (Goodfellow et al. 2014, §3)"),
    "minimax": (r"L_D = -\mathbb{E}_x[\log D(x)] - \mathbb{E}_z[\log(1 - D(G(z)))]",
                r"L_G = \mathbb{E}_z[\log(1 - D(G(z)))]",
                "minimax game as written (Goodfellow et al. 2014, eq. 1)"),
    "least_squares": (r"L_D = \tfrac12\mathbb{E}_x[(D(x)-1)^2] + \tfrac12\mathbb{E}_z[D(G(z))^2]",
                      r"L_G = \tfrac12\mathbb{E}_z[(D(G(z))-1)^2]", "LSGAN (Mao et al. 2017)"),
    "hinge": (r"L_D = \mathbb{E}_x[\max(0, 1-D(x))] + \mathbb{E}_z[\max(0, 1+D(G(z)))]",
              r"L_G = -\mathbb{E}_z[D(G(z))]", "hinge loss (Lim & Ye 2017; Miyato et al. 2018)"),
    "wasserstein": (r"L_D = \mathbb{E}_z[D(G(z))] - \mathbb{E}_x[D(x)]",
                    r"L_G = -\mathbb{E}_z[D(G(z))]", "Wasserstein loss (Arjovsky et al. 2017)"),
}

_LIMITATIONS = [
    "**Mode collapse and instability.** GAN training is a two-player game without a guarantee "
    "of convergence; samples can cover only part of the data or oscillate between modes. Watch "
    "the sample grids and loss curves `ganzoo train` writes, not the losses alone.",
    "**Memorisation.** A generator can reproduce training images; check generated samples "
    "against their nearest training images before using them: `ganzoo evaluate RUN "
    "--metrics memorization` flags near-copies and draws the closest pairs.",
    "**Diversity.** Good-looking grids do not show how many distinct images a generator "
    "makes; small support is common (Arora et al. 2018). `ganzoo evaluate RUN --metrics "
    "birthday` estimates the support size.",
    "**Reproducible per machine, not across seeds.** `seed=` fixes initial weights, noise and "
    "shuffling, so two runs on one CPU end with identical weights; other seeds, other "
    "hardware or other TensorFlow builds give different (equally valid) results.",
]


def _results(name):
    path = os.path.join(RESULTS, name)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _layer_table(model):
    rows = ["| layer | type | output shape | parameters |", "| --- | --- | --- | --- |"]
    for layer in model.layers:
        rows.append(f"| {layer.name} | {type(layer).__name__} | {tuple(layer.output.shape)} "
                    f"| {layer.count_params():,} |")
    rows.append(f"| **total** | | | **{model.count_params():,}** |")
    return "\n".join(rows)


def _config_table(config):
    rows = ["| key | value |", "| --- | --- |"]
    for key, value in config_lib.flatten(config).items():
        rows.append(f"| `{key}` | `{json.dumps(value)}` |")
    return "\n".join(rows)


def _results_section(name):
    parts = []
    ring = _results("ring_coverage.json")
    runs = [r for r in (ring or {}).get("runs", []) if r["model"] == name]
    if runs:
        rows = ["| seed | generator steps | wall time | modes covered | within 3 std |",
                "| --- | --- | --- | --- | --- |"]
        for r in runs:
            quality = r.get("on_requested_mode", r["high_quality"])
            rows.append(f"| {r['seed']} | {r['generator_steps']:,} | {r['seconds']} s "
                        f"| {r['modes_covered']} / 8 | {100 * quality:.1f} % |")
        parts.append("**8-Gaussian ring** (`ring` preset; 2 CPU cores). Command: "
                     f"`python benchmarks/ring_coverage.py --models {name}`.\n\n" + "\n".join(rows)
                     + f"\n\n![{name} on the ring](../images/results/ring_{name}.png)")
    digits = _results("cgan_digits.json")
    if name == "cgan" and digits:
        rows = ["| head | epochs | wall time | samples judged the requested digit |",
                "| --- | --- | --- | --- |"]
        for head, curve in digits["heads"].items():
            last = curve[-1]
            rows.append(f"| `{head}` | {last['epoch']} | {last['seconds']} s "
                        f"| {100 * last['accuracy']:.1f} % |")
        parts.append("**Embedded digits** (4,500 real MNIST digits; judge: a CNN with "
                     f"{100 * digits['judge_test_accuracy']:.1f} % accuracy on the real test "
                     "digits; 2 CPU cores). Command: `python benchmarks/cgan_digits.py`.\n\n"
                     + "\n".join(rows)
                     + "\n\n![cgan samples, one row per class]"
                       "(../images/results/cgan_label_input.png)")
    budget = _results("digits_budget.json")
    runs = [r for r in (budget or {}).get("runs", []) if r["model"] == name]
    if runs:
        r = runs[0]
        parts.append(
            f"**Embedded digits, {budget['seconds_budget']:.0f} s budget** (default config, 2 CPU "
            f"cores; `python benchmarks/digits_budget.py --models {name}`): {r['epochs']} epochs, "
            f"{r['generator_steps']:,} generator steps in {r['seconds']} s. Of 1,000 samples, "
            f"{100 * r['confident']:.1f} % are classified with probability ≥ 0.9 by a digit CNN "
            f"({100 * r['judge_test_accuracy']:.1f} % on real test digits), and "
            f"{r['digits_covered']} of 10 digits get at least 2 % of the samples.\n\n"
            f"![{name} samples after {r['seconds']:.0f} s](../images/results/digits_{name}.png)")
    if name == "dcgan":
        parts.append("`make demo` (`ganzoo train dcgan --dataset digits --epochs 50`) trains at "
                     "~800-950 images/s on 2 CPU cores, about 4 minutes:\n\n"
                     "![DCGAN samples after make demo](../images/demo_digits.png)")
    quality = _results("mnist_quality.json")
    if quality and name in quality["models"]:
        r, c = quality["models"][name], quality["ceiling"]
        parts.append(
            f"**MNIST, {r['epochs']} epochs** (60,000 training digits, default config, seed 0, "
            f"{r['train_seconds']:.0f} s on 2 CPU cores; `python benchmarks/mnist_quality.py "
            f"--models {name}`). Scores of 10,000 samples with the shipped MNIST classifier "
            "([card](mnist_classifier.md)); the real test digits are the ceiling:\n\n"
            "| | IS | FID | KID | precision | recall |\n| --- | --- | --- | --- | --- | --- |\n"
            f"| {name} | {r['inception_score']:.2f} | {r['fid']:.2f} | {r['kid']:.4f} "
            f"| {r['precision']:.3f} | {r['recall']:.3f} |\n"
            f"| real test digits | {c['inception_score']:.2f} | {c['fid']:.2f} | {c['kid']:.4f} "
            f"| {c['precision']:.3f} | {c['recall']:.3f} |\n\n"
            f"![{name} on MNIST](../images/results/mnist_{name}.png)")
    elif parts:
        parts.append("Inception Score and FID on MNIST: not measured for this model yet "
                     f"(`python benchmarks/mnist_quality.py --models {name}`).")
    parts += _speed_parts(name)
    if not parts:
        return "Not measured yet beyond the test suite's short runs on the embedded digits."
    return "\n\n".join(parts)


def _speed_parts(name):
    """Throughput against the reference loops and time to quality, where measured."""
    parts = []
    speed = _results("train_throughput.json")
    work = (speed or {}).get("workloads", {}).get("mnist")
    if work and work["model"] == name:
        rows = {r["contender"]: r for r in work["rows"]}
        keep = [(label, r) for label, r in rows.items() if label.startswith("ganzoo")
                and "jit_compile" not in label and "steps_per_execution" not in label]
        keep += [("keras.io-style train_step", rows["keras_io"]),
                 ("TF-tutorial tf.function loop", rows["tutorial"])]
        parts.append(
            "**Training speed, MNIST** (batch 128, same networks, medians of interleaved "
            "rounds; `python benchmarks/train_throughput.py`, details in "
            "[benchmarks](../benchmarks.md#training-throughput-against-the-loops-users-copy)):"
            "\n\n| setting | images/s | × keras.io-style |\n| --- | --- | --- |\n"
            + "\n".join(f"| {label} | {r['images_per_s']:.0f} | {r['vs_keras_io']:.2f} |"
                        for label, r in keep))
    ttq = _results("time_to_quality.json")
    runs = (ttq or {}).get("models", {}).get(name)
    if runs:
        keys = [f"is_{t}" for t in ttq["is_targets"]] + [f"fid_{ttq['fid_target']:g}"]
        heads = [f"IS ≥ {t}" for t in ttq["is_targets"]] + [f"FID ≤ {ttq['fid_target']:g}"]
        lines = []
        for label, run in runs.items():
            cells = [f"{run['reached'][k]['seconds'] / 60:.1f} min" if k in run["reached"]
                     else f"not in {run['train_seconds'] / 60:.0f} min" for k in keys]
            best = max(p["inception_score"] for p in run["points"])
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {best:.2f} |")
        parts.append(
            f"**Time to quality, MNIST** (training minutes, evaluation excluded; "
            f"`python benchmarks/time_to_quality.py --models {name}`):\n\n"
            "| setting | " + " | ".join(heads) + " | best IS |\n| --- |"
            + " --- |" * (len(heads) + 1) + "\n" + "\n".join(lines)
            + f"\n\n![{name}: IS and FID against training minutes]"
            f"(../images/results/ttq_{name}.png)")
    return parts


def _export_section(name):
    data = _results("export_latency.json")
    rows = [r for r in (data or {}).get("runs", []) if r["model"] == name]
    if not rows:
        return "Not measured yet."
    r = rows[0]
    return ("Batch-1 latency and size on 2 CPU cores (`python benchmarks/export_latency.py`):\n\n"
            "| artifact | size | latency |\n| --- | --- | --- |\n"
            f"| Keras direct call | | {r['keras_call_ms']} ms |\n"
            f"| SavedModel | {r['saved_model_mb']} MB | {r['saved_model_ms']} ms |\n"
            f"| TFLite float32 | {r['tflite_float32_mb']} MB | {r['tflite_float32_ms']} ms |\n"
            f"| TFLite float16 | {r['tflite_float16_mb']} MB | {r['tflite_float16_ms']} ms |\n"
            f"| TFLite int8 | {r['tflite_int8_mb']} MB | {r['tflite_int8_ms']} ms |\n\n"
            f"int8 verification difference: {r['tflite_int8_max_abs_diff']:.3g} (in [-1, 1] "
            "units; tolerance 0.1). See [export.md](../export.md).")


_TRANSLATION_OBJECTIVES = {
    "pix2pix": (
        r"$$L_D = \tfrac12\big(-\mathbb{E}_{x,y}[\log D(x, y)] "
        r"- \mathbb{E}_{x}[\log(1 - D(x, G(x)))]\big)$$"
        "\n\n"
        r"$$L_G = -\mathbb{E}_{x}[\log D(x, G(x))] "
        r"+ \lambda\,\mathbb{E}_{x,y}\lVert y - G(x)\rVert_1,\quad \lambda = 100$$"
        "\n\nD judges (input, output) pairs patch by patch; D's loss is halved (Isola et al. 2017, "
        "§3.1, eq. 4, §3.3). Each step: one D update on a real and a generated pair, then one G "
        "update on the same generated batch (the generator runs once per step)."),
    "cyclegan": (
        r"$$L_{D_B} = \tfrac12\big(\mathbb{E}_b[(D_B(b) - 1)^2] "
        r"+ \mathbb{E}_a[D_B(\mathrm{pool}(G(a)))^2]\big)$$"
        " (and the same for $D_A$ with $F$)\n\n"
        r"$$L_{G,F} = \mathbb{E}_a[(D_B(G(a)) - 1)^2] + \mathbb{E}_b[(D_A(F(b)) - 1)^2] "
        r"+ \lambda\,(\lVert F(G(a)) - a\rVert_1 + \lVert G(F(b)) - b\rVert_1) "
        r"+ 0.5\lambda\,(\lVert G(b) - b\rVert_1 + \lVert F(a) - a\rVert_1)$$"
        "\n\nLeast-squares adversarial losses, cycle consistency with λ = 10 and the identity loss "
        "(Zhu et al. 2017, eq. 1-3, §4, §5.2). Each step: one update of both generators, then one "
        "of both discriminators on fakes drawn through a pool of 50 past images."),
}


def _render_translator(name, cls, config, model):
    doc = (cls.__doc__ or "").strip().split("\n\n")
    summary = " ".join(line.strip() for line in doc[0].splitlines())
    body = "\n\n".join(_dedent(p) for p in doc[1:] if not p.strip().startswith(("Example", "```")))
    nets = [("Generator" + (" G: A → B" if name == "cyclegan" else ""), model.generator)]
    if name == "cyclegan":
        nets += [("Generator F: B → A", model.generator_ba),
                 ("Discriminator D_B", model.discriminator),
                 ("Discriminator D_A", model.discriminator_a)]
    else:
        nets += [("Discriminator (PatchGAN on concat(input, target))", model.discriminator)]
    arch = "\n\n".join(f"### {title}\n\n{_layer_table(net)}" for title, net in nets)
    grid = model.discriminator.output_shape[1]
    demo = "digits_edges" if cls.paired else "digits_thickness"
    usage = ("out = gan.translate(inputs)" if cls.paired
             else "b = gan.translate(a, direction=\"a2b\")\n"
                  "a_again = gan.translate(b, direction=\"b2a\")")
    sections = [
        f"<!-- generated by tools/make_model_cards.py from the registry, zoo_configs/ and "
        f"benchmarks/results/: do not edit -->\n# `{name}`: {summary}",
        f"**Paper:** {cls.paper}\n\n**Task:** {cls.task}.",
        "## Summary\n\n" + (body or summary),
        "## Intended use\n\nLearning, teaching and research on image-to-image GANs; a baseline "
        "for new variants; translating images between two domains you have examples of "
        + ("(paired: each input with its target)." if cls.paired else "(unpaired collections).")
        + "\n\n**Out of scope:** medical, forensic or any decision-making use of translated "
        "images, and passing translated photos of people off as real.",
        f"## Architecture\n\nDefault config ({config['image_shape'][0]} px), built for real; the "
        f"PatchGAN's output is a {grid}x{grid} grid of logits.\n\n{arch}",
        "## Objective and training algorithm\n\n" + _TRANSLATION_OBJECTIVES[name],
        "## Default hyperparameters\n\nRendered from `zoo_configs/" + name + ".yaml` (each value "
        "cites its source there).\n\n" + _config_table(config),
        "## Data and results\n\n" + _translation_results(name),
        "## Export\n\n`ganzoo export RUN --format saved_model|tflite` writes a "
        "`translate(image)` signature (float32 images in [-1, 1] in, `images` out, dynamic batch), "
        "verified against Keras on real input images from the run's dataset"
        + (", one direction per artifact (`--direction a2b` for G, `b2a` for F). Instance norm "
           "quantizes badly to int8: ganzoo warns and recommends `--quantize float16`."
           if name == "cyclegan" else ".")
        + " Size and latency are not measured yet. See [export.md](../export.md).",
        "## Limitations and failure modes\n\n" + "\n".join(f"- {item}" for item in [
            "**Small data, CPU budgets.** The measured runs here are short; the papers train for "
            "200 epochs on GPUs. Expect blurrier outputs from short runs.",
            "**Hallucination.** The generator invents plausible detail where the input does not "
            "determine the output (textures, colours); outputs are not measurements.",
            "**Mode collapse and instability** as in any GAN: watch the sample grids.",
            _LIMITATIONS[3]] + ([] if cls.paired else [
            "**Geometry.** CycleGAN changes appearance (texture, colour) far better than shape "
            "(Zhu et al. 2017, §5.3)."])),
        "## How to use\n\n```python\nimport ganzoo\n\n"
        f"gan = ganzoo.build(\"{name}\", image_shape=(32, 32, 1))\n"
        f"gan.fit(ganzoo.datasets.load_{'paired' if cls.paired else 'unpaired'}(\"{demo}\"), "
        f"epochs=5)\n{usage}\n```\n\n```bash\n"
        f"ganzoo train {name} --dataset {demo} --out runs/{name}\n"
        f"ganzoo sample runs/{name} --n 8 --out {name}.png\n```",
    ]
    return "\n\n".join(sections) + "\n"


def _translation_results(name):
    data = _results("translation.json")
    rows = (data or {}).get(name)
    demo = ("Test: `tests/models/test_translation.py` trains pix2pix on the embedded "
            "`digits_edges` for 2 epochs (8 filters, batch 16) and requires test L1 < 0.10; "
            "measured 0.069, against 0.237 for always answering the mean digit."
            if name == "pix2pix" else
            "Test: `tests/models/test_translation.py` trains CycleGAN on the embedded "
            "`digits_thickness` for 400 steps (8 filters, 2 residual blocks) and requires the "
            "cycle L1 |F(G(a)) - a| to fall below half its starting value.")
    if not rows:
        return demo + "\n\nNot measured on real data yet."
    return rows["markdown"] + "\n\n" + demo


def render(name):
    """The Markdown model card of a registered model."""
    cls = registry.get_class(name)
    config = registry.resolve_config(name)
    from ganzoo.models.translation import Translator

    if issubclass(cls, Translator):
        return _render_translator(name, cls, config, cls(config=config))
    model = cls(config=config)
    doc = (cls.__doc__ or "").strip().split("\n\n")
    summary = " ".join(line.strip() for line in doc[0].splitlines())
    body = "\n\n".join(_dedent(p) for p in doc[1:] if not p.strip().startswith(("Example", "```")))
    loss = config["loss"]["name"]
    d_eq, g_eq, loss_name = _OBJECTIVES[loss]
    extra = ""
    if "critic" in config and "gp_weight" in config["critic"]:
        extra = (r"$$L_D \mathrel{+}= \lambda\,\mathbb{E}_{\hat x}[(\lVert\nabla_{\hat x} D(\hat x)"
                 r"\rVert_2 - 1)^2],\quad \hat x = \alpha x + (1-\alpha)G(z),\ \alpha\sim U[0,1]$$"
                 "\n\n")
    if "critic" in config and "clip_value" in config["critic"]:
        clip = config["critic"]["clip_value"]
        extra = f"After each critic update every critic weight is clipped to [-{clip}, {clip}].\n\n"
    presets = registry.presets(name)
    k = config["training"]["d_steps"]
    sections = [
        f"<!-- generated by tools/make_model_cards.py from the registry, zoo_configs/ and "
        f"benchmarks/results/: do not edit -->\n# `{name}`: {summary}",
        f"**Paper:** {cls.paper}\n\n**Task:** {cls.task}.",
        "## Summary\n\n" + (body or summary),
        "## Intended use\n\nLearning, teaching and research on GANs; a baseline to compare new "
        "variants against; generating samples of data like the training set, to look at or to "
        "export to a mobile app.\n\n**Out of scope:** data augmentation for safety-critical "
        "decisions, synthetic people or documents passed off as real, and any use that needs "
        "samples guaranteed not to copy training data.",
        "## Architecture\n\nDefault config, built for real (`ganzoo.build(\"" + name + "\")`).\n\n"
        f"### Generator\n\n{_layer_table(model.generator)}\n\n### Discriminator\n\n"
        f"{_layer_table(model.discriminator)}",
        f"## Objective and training algorithm\n\nDefault loss `{loss}`, the {loss_name}:\n\n"
        f"$${d_eq}$$\n\n$${g_eq}$$\n\n{extra}"
        f"Each training step updates the discriminator once on a real batch and a fresh "
        f"generated batch; every {k} discriminator update{'s' if k > 1 else ''} the generator "
        "is updated once on fresh noise (Goodfellow et al. 2014, Algorithm 1, "
        f"k = {k}). Losses are batch means, divided by the number of replicas under "
        "`tf.distribute`."
        + (" With `training.reuse_fakes: true` (not the paper's algorithm) one generated batch "
           "feeds both updates instead, and both players step from the same point; see "
           "[Training faster](../performance.md)." if k == 1 else ""),
        "## Default hyperparameters\n\nRendered from `zoo_configs/" + name + ".yaml` (each value "
        "cites its source there)"
        + (f"; presets: {', '.join(f'`{p}`' for p in presets)}" if presets else "")
        + ".\n\n" + _config_table(config),
        "## Data and results\n\n" + _results_section(name),
        "## Export\n\n" + _export_section(name),
        "## Limitations and failure modes\n\n" + "\n".join(f"- {item}" for item in _LIMITATIONS),
        "## How to use\n\n```python\nimport ganzoo\n\n"
        f"gan = ganzoo.build(\"{name}\")\ngan.fit(ganzoo.datasets.load(\"digits\"), epochs=5)\n"
        + ("images = gan.generate(20, labels=[3] * 20, seed=0)\n" if model.num_classes
           else "images = gan.generate(64, seed=0)\n")
        + "```\n\n```bash\n"
        f"ganzoo train {name} --dataset digits --out runs/{name}\n"
        f"ganzoo export runs/{name} --format tflite --out {name}.tflite\n```",
    ]
    return "\n\n".join(sections) + "\n"


def _dedent(paragraph):
    return "\n".join(line.strip() for line in paragraph.splitlines())


def summary_rows():
    """``(name, paper, task, parameters, best measured metric)`` per registered model, for
    ``ganzoo cards``."""
    rows = []
    for name in registry.list_models():
        cls = registry.get_class(name)
        model = cls(config=registry.resolve_config(name))
        params = sum(net.count_params() for net in model.networks().values())
        authors_year = cls.paper.split(' "')[0].rstrip(",")  # the part before the title
        rows.append((name, authors_year, cls.task, params, best_metric(name)))
    return rows


def best_metric(name):
    """The headline measured number of a model, as short text ("not measured" if none)."""
    quality = _results("mnist_quality.json")
    if quality and name in quality["models"]:
        r = quality["models"][name]
        return f"MNIST IS {r['inception_score']:.2f}, FID {r['fid']:.1f} ({r['epochs']} epochs)"
    ring = [r for r in (_results("ring_coverage.json") or {}).get("runs", []) if r["model"] == name]
    if ring:
        best = max(ring, key=lambda r: (r["modes_covered"],
                                        r.get("on_requested_mode", r["high_quality"])))
        if "on_requested_mode" in best:
            return f"ring: {100 * best['on_requested_mode']:.1f} % on the requested mode"
        return (f"ring: {best['modes_covered']}/8 modes, "
                f"{100 * best['high_quality']:.0f} % within 3 std")
    return "not measured"


def write_all(directory):
    """Write every card into ``directory`` and copy the result images beside it
    (``<directory>/../images/results/``); returns the card paths."""
    import shutil

    os.makedirs(directory, exist_ok=True)
    images = os.path.join(os.path.dirname(os.path.abspath(directory)), "images", "results")
    os.makedirs(images, exist_ok=True)
    for name in RESULT_IMAGES:
        if os.path.isfile(os.path.join(RESULTS, name)):
            shutil.copyfile(os.path.join(RESULTS, name), os.path.join(images, name))
    paths = []
    for name, text in all_cards():
        path = os.path.join(directory, f"{name}.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        paths.append(path)
    return paths


def all_cards():
    """``(file stem, Markdown)`` of every card: each registered model, then the classifier."""
    return [(name, render(name)) for name in registry.list_models()] + [
        ("mnist_classifier", render_classifier())]


def render_classifier():
    """The card of the shipped MNIST classifier (the judge of IS/FID on 28x28x1), from its
    training record ``ganzoo/weights/mnist_cnn.json``."""
    from ganzoo import classifiers

    info = classifiers.mnist_classifier_info()
    model = classifiers.mnist_cnn()
    per_class = " | ".join(f"{100 * v:.2f} %" for v in info["per_class_accuracy"].values())
    t = info["training"]
    return "\n\n".join([
        "<!-- generated by tools/make_model_cards.py from ganzoo/weights/mnist_cnn.json: "
        "do not edit -->\n# `mnist_cnn`: the shipped MNIST classifier",
        "The judge behind Inception Score, FID, KID, precision/recall, the memorisation check and "
        "the birthday test for 28x28x1 images (`ganzoo.metrics`, `ganzoo evaluate`, the "
        "`InceptionScore` and `FID` callbacks). It ships inside the package "
        "(`ganzoo/weights/mnist_cnn.weights.h5`, "
        f"{os.path.getsize(classifiers.MNIST_WEIGHTS) / 1e6:.1f} MB), so these metrics work "
        "offline. Scores made with it are comparable with each other, not with published "
        "InceptionV3-based MNIST numbers.",
        f"## Data\n\n{info['data']['source']}: trained on the {info['data']['train']:,} "
        f"training digits, measured on the {info['data']['test']:,} test digits, never trained "
        f"on. File checksum (sha256): `{info['data']['sha256']}`.",
        f"## Accuracy\n\n**Test accuracy: {100 * info['test_accuracy']:.2f} %**.\n\n"
        "| " + " | ".join(str(c) for c in info["per_class_accuracy"]) + " |\n"
        "| " + " | ".join("---" for _ in info["per_class_accuracy"]) + " |\n| " + per_class + " |",
        f"## Architecture\n\n{info['parameters']:,} parameters; images in [-1, 1]. The "
        "128-unit `features` layer is the embedding for FID, KID, precision/recall and "
        "memorisation; `probs` gives the class probabilities for IS.\n\n" + _layer_table(model),
        f"## Training\n\n{t['epochs']} epochs, batch {t['batch_size']}, {t['optimizer']}, seed "
        f"{t['seed']}; {t['seconds']:.0f} s on 2 CPU cores (TensorFlow "
        f"{info['versions']['tensorflow']}, Keras {info['versions']['keras']}, {info['date']}). "
        f"Reproduce with:\n\n```bash\n{info['command']}   # reads $GANZOO_DATA_DIR/mnist.npz\n```",
        "## Limitations\n\nIt knows only the ten digit classes: anything else (letters, noise) "
        "still gets a distribution over digits. Features are tuned to MNIST-style digits "
        "(centred, white on black); FID of other 28x28 data with it means little. Other image "
        "sizes use InceptionV3, which needs its ImageNet weights (see the evaluation guide).",
    ]) + "\n"
