"""Measured results in one JSON layout, read by the cards and ``ganzoo cards`` without knowing
which benchmark wrote them.

A results file (``benchmarks/results/<name>.json``) is::

    {
      "schema": "ganzoo.results/1",
      "name": "ring_coverage",                      # the file's stem
      "title": "8-Gaussian ring",                    # heading in the cards
      "protocol": "`ring` preset, 2-D points ...",   # one Markdown paragraph: what was measured
      "command": "python benchmarks/ring_coverage.py",
      "machine": "2 CPU cores, AMD EPYC ...",
      "date": "2026-12-02",
      "section": "results",                          # or "export": which card section shows it
      "columns": {"seed": "seed", "modes_covered": "modes covered"},   # key -> table heading
      "formats": {"high_quality": "{:.1%}"},         # optional: str.format of a cell
      "rows": [{"model": "vanilla", "seed": 0, ...}],  # "model": null for reference rows
      "headline": {"formats": ["ring: {modes_covered}/8 modes"], "best": ["modes_covered"],
                   "priority": 1},                   # optional: the "best measured" line
      "images": {"vanilla": "ring_vanilla.png"},     # optional: one image per model
      "judge": {"name": "mnist_cnn", "sha256": "...", "generated": 10000, "real": 60000,
                "real_split": "train", "seed": 0, "resize": "none"},
                                                     # optional: how judged numbers were judged
      "extra": {...}                                 # optional: anything else (curves...)
    }

A file with judged numbers (IS, FID, KID, precision/recall, accuracies by a classifier) records
its ``judge`` protocol; the cards print it beside the table (:func:`judge_line`).

Rows may hold keys that are not columns (kept, not shown). Files are found in
``$GANZOO_RESULTS_DIR`` if set, else in ``benchmarks/results/`` of a source checkout; an
installed package without either says so instead of "not measured".
"""

import datetime
import json
import os

#: the layout version every results file carries
SCHEMA = "ganzoo.results/1"
#: environment variable naming a folder of results files
RESULTS_ENV = "GANZOO_RESULTS_DIR"
_REQUIRED = ("schema", "name", "title", "protocol", "command", "machine", "date", "columns",
             "rows")
_SECTIONS = ("results", "export", "reference")


def make(name, title, protocol, columns, rows, command, machine, date=None, section="results",
         formats=None, headline=None, images=None, extra=None, judge=None):
    """A results dict in the layout above, validated.

    Args:
        name: the file stem.
        title: heading in the cards.
        protocol: one Markdown paragraph saying what was measured and how.
        columns: ``{row key: table heading}`` in display order.
        rows: a list of flat dicts, each with ``model`` (a registered name, or ``None`` for a
            reference row such as real data).
        command: the command that reproduces the file.
        machine: the machine it ran on, in words.
        date: ISO date; default today.
        section: ``"results"`` or ``"export"`` (the card section), or ``"reference"`` (shown in
            docs only).
        formats: ``{row key: format string}`` for cells, e.g. ``"{:.1%}"``.
        headline: ``{"formats": [...], "best": [keys], "priority": int}``: the best row of a
            model by ``best`` (largest first) written with the first format whose keys it has.
        images: ``{model: file name beside the JSON}``.
        extra: anything else worth keeping (curves, settings).
        judge: the protocol of judged numbers: ``name`` and weights ``sha256`` of the judge,
            the number of ``generated`` and ``real`` samples, the ``real_split``, the ``seed``
            and the ``resize`` (keys :data:`JUDGE_KEYS`; unknown ones may be ``None``); a list
            of them when several judges scored the rows.

    Example:

    ```python
    result = ganzoo.results.make("toy", "Toy", "One run.", {"score": "score"},
                                 [{"model": "dcgan", "score": 1.0}], "python toy.py", "2 CPUs")
    ```
    """
    result = {"schema": SCHEMA, "name": name, "title": title, "protocol": protocol,
              "command": command, "machine": machine,
              "date": date or datetime.date.today().isoformat(), "section": section,
              "columns": dict(columns), "formats": dict(formats or {}), "rows": list(rows),
              "headline": headline, "images": dict(images or {}), "extra": extra or {}}
    if judge is not None:
        result["judge"] = [dict(j) for j in judge] if isinstance(judge, list) else dict(judge)
    validate(result)
    return result


def validate(result, where="results"):
    """Raise ``ValueError`` naming the first problem of a results dict."""
    if not isinstance(result, dict):
        raise ValueError(f"{where}: a results file holds a JSON object, got "
                         f"{type(result).__name__}.")
    missing = [k for k in _REQUIRED if k not in result]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)} (layout: ganzoo.results).")
    if result["schema"] != SCHEMA:
        raise ValueError(f"{where}: schema {result['schema']!r}, expected {SCHEMA!r}.")
    if result.get("section", "results") not in _SECTIONS:
        raise ValueError(f"{where}: section must be one of {', '.join(_SECTIONS)}.")
    for i, row in enumerate(result["rows"]):
        if not isinstance(row, dict) or "model" not in row:
            raise ValueError(f"{where}: row {i} is not an object with a 'model' key.")
    headline = result.get("headline")
    if headline is not None and not (headline.get("formats") and headline.get("best")):
        raise ValueError(f"{where}: headline needs 'formats' and 'best'.")
    judge = result.get("judge")
    for one in (judge if isinstance(judge, list) else [] if judge is None else [judge]):
        missing = [k for k in JUDGE_KEYS if not isinstance(one, dict) or k not in one]
        if missing:
            raise ValueError(f"{where}: judge protocol lacks {', '.join(missing)} (keys: "
                             f"{', '.join(JUDGE_KEYS)}).")


#: what a judged result records about how it was judged
JUDGE_KEYS = ("name", "sha256", "generated", "real", "real_split", "seed", "resize")


def judge_line(result):
    """The judge protocol of ``result`` in one Markdown sentence, or ``""`` when it has none.

    Example: ``Judged by `mnist_cnn` (weights `1a2b3c4d5e6f7a8b`): 10,000 generated vs 60,000
    real images (train split), seed 0, resize none.``
    """
    judge = result.get("judge")
    if not judge:
        return ""

    def count(v):
        return f"{v:,}" if isinstance(v, int) else (v if v is not None else "?")

    def one(j):
        sha = f" (weights `{j['sha256'][:16]}`)" if j.get("sha256") else ""
        split = str(j.get("real_split"))
        real = (f" vs {count(j['real'])} real images ({split}"
                + (" split)" if " " not in split else ")") if j.get("real") is not None else "")
        seed = f", seed {j['seed']}" if j.get("seed") is not None else ""
        return (f"`{j['name']}`{sha}: {count(j['generated'])} generated{real}{seed}, "
                f"resize {j.get('resize') or 'none'}")
    return "Judged by " + "; ".join(one(j) for j in (
        judge if isinstance(judge, list) else [judge])) + "."


def results_dir():
    """The folder results are read from, or ``None`` when this install has none."""
    folder = os.environ.get(RESULTS_ENV)
    if folder:
        return folder
    checkout = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "benchmarks", "results")
    return checkout if os.path.isdir(checkout) else None


def read_all(folder=None):
    """Every results file of ``folder`` (default :func:`results_dir`), sorted by name; files in
    another layout are skipped."""
    folder = folder or results_dir()
    if folder is None or not os.path.isdir(folder):
        return []
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            result = json.load(f)
        try:
            validate(result, name)
        except ValueError:
            continue
        out.append(result)
    return out


def rows_for(result, model):
    """The rows of ``model`` in ``result``."""
    return [r for r in result["rows"] if r.get("model") == model]


def cell(result, row, key):
    """One table cell as text: ``formats[key]`` applied, thousands separators for integers,
    ``-`` for missing values."""
    value = row.get(key)
    if value is None:
        return "-"
    fmt = result.get("formats", {}).get(key)
    if fmt:
        return fmt.format(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table(result, model):
    """Markdown table of ``model``'s rows and the reference rows (``model: null``)."""
    rows = rows_for(result, model) + rows_for(result, None)
    keys = list(result["columns"])
    lines = ["| " + " | ".join(result["columns"][k] for k in keys) + " |",
             "| " + " | ".join("---" for _ in keys) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(cell(result, row, k) for k in keys) + " |")
    return "\n".join(lines)


def headline(result, model):
    """The best row of ``model`` written with the headline format, or ``None``."""
    spec = result.get("headline")
    rows = rows_for(result, model)
    if not spec or not rows:
        return None
    best = max(rows, key=lambda r: tuple((r.get(k) is not None, r.get(k) or 0)
                                         for k in spec["best"]))
    for fmt in spec["formats"]:
        try:
            return fmt.format(**best)
        except (KeyError, TypeError, ValueError):
            continue
    return None


def best_metric(model, results=None):
    """The headline of the highest-priority results file that measured ``model``."""
    results = read_all() if results is None else results
    ranked = sorted((r for r in results if r.get("headline")),
                    key=lambda r: (r["headline"].get("priority", 99), r["name"]))
    for result in ranked:
        text = headline(result, model)
        if text:
            return text
    return None
