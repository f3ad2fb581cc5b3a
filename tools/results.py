"""The Results page (``results.md``), generated from the notebooks' run records
(``nbtool.py results``)."""
import re

import nbformat

import records
from course import ROOT, cell_outputs, chapter_title, notebooks, printed, toc_files

SUMMARY = re.compile(r"loss (?P<loss>[\d.]+|nan|inf), train acc (?P<train>[\d.]+), "
                     r"test acc (?P<test>[\d.]+), "
                     r"(?P<speed>[\d.]+) examples/sec on (?P<device>\S+)")


def training_summaries(nb):
    """The summary lines that train_classifier printed in the stored outputs."""
    return [m.groupdict() for _, _, out in cell_outputs(nb)
            for m in SUMMARY.finditer(printed(out))]


def accuracy_cell(runs):
    """The table's test accuracy: the one run's, or the range over several."""
    accs = [r["test"] for r in runs]
    if len(accs) <= 1:
        return accs[0] if accs else "-"
    return f"{min(accs, key=float)} to {max(accs, key=float)} ({len(accs)} runs)"


def every_run(link, meta, runs):
    """The definition-list entry of a chapter's training runs, in order."""
    accs = ", ".join(r["test"] for r in runs)
    speed = ", ".join(f"{float(r['speed']):,.0f}" for r in runs)
    count = f"{len(runs)} training runs" if len(runs) > 1 else "one training run"
    return [link, f": {count}, PyTorch {meta['torch']}, {meta['date']}. "
            f"Test accuracy: {accs}. Examples per second: {speed}.", ""]


def results_markdown():
    """The Results page: a row per notebook from its recorded full-mode run,
    then every training run of each chapter."""
    rows, details, recorded, waiting, unrecorded, total = [], [], 0, [], [], 0.0
    current = records.current_d2lmini_hash()
    in_toc = [p for _, p in toc_files() if p is not None and p.suffix == ".ipynb"]
    for path in in_toc + [p for p in notebooks() if p not in in_toc]:
        nb = nbformat.read(path, as_version=4)
        status, _ = records.verdict(nb, current)
        title = chapter_title(nb, path.stem)
        link = f"{{doc}}`{title} <{path.relative_to(ROOT).with_suffix('').as_posix()}>`"
        if status not in ("trusted", "aged"):
            unrecorded.append(title)
            rows.append(f"| {link} | not recorded: quick-mode run made at build time | | |")
            continue
        meta = nb.metadata["d2lmini"]
        recorded += 1
        total += meta["seconds"]
        runs = training_summaries(nb)
        sizes = ", ".join(sorted({s["used"] for s in meta.get("image_sizes", [])}))
        where = [records.device(meta) + (f", {sizes}" if sizes else "")]
        if records.waits_for_gpu(meta):
            waiting.append(title)
            where.append("waits for a GPU run at " + ", ".join(
                sorted({s["asked"] for s in meta["image_sizes"] if s["asked"] != s["used"]})))
        if status == "aged":
            where.append("made by an older d2lmini")
        rows.append(f"| {link} | {'; '.join(where)} | {meta['seconds']:.1f} | "
                    f"{accuracy_cell(runs)} |")
        if runs:
            details += every_run(link, meta, runs)
    lines = [
        "# Results",
        "",
        "A chapter's page shows the outputs of one recorded full-mode run",
        "(`make execute-full`), on a GPU or, where a chapter fits, on a CPU; until",
        "it has one, the quick-mode run made when the book was built. The run",
        "records, in the notebook, the device, the image size, the time it took, the",
        "PyTorch version and the date; this page is generated from those records",
        "(`python tools/nbtool.py results`). The table gives the test accuracy of a",
        "chapter's one training run, or the lowest and highest of several; every",
        "run is listed below the table.",
        "",
        f"{recorded} of {len(rows)} notebooks recorded, {total:.0f} s in all.",
        "",
    ]
    if waiting:
        lines += ["```{note}", "These chapters ran on a CPU at a smaller image size than they",
                  "ask for, and wait for a GPU run at their own size: "
                  + ", ".join(waiting) + ".", "```", ""]
    if unrecorded:
        lines += ["```{note}", "These chapters have no recorded full-mode run yet, and their pages",
                  "show the quick-mode run made when the book was built: "
                  + ", ".join(unrecorded) + ". Where a chapter's full run does not fit on",
                  "a CPU, its record waits for a GPU run.", "```", ""]
    lines += ["| chapter | ran on | seconds | test accuracy |",
              "|---|---|---|---|"] + rows
    if details:
        lines += ["", "## Every training run", "",
                  "The test accuracy and the speed of each training run that a chapter's",
                  "recorded run printed, in the order the chapter runs them.", ""] + details[:-1]
    bench = ROOT / "benchmarks" / "throughput.md"
    lines += ["", "## Training throughput", ""]
    if bench.exists():
        lines += ["The classic teaching pipeline against d2lmini's, measured by",
                  "`benchmarks/train_throughput.py` on a GPU (median and spread of full",
                  "epochs):", "", bench.read_text().strip()]
    else:
        lines += ["No GPU run of the throughput benchmark is recorded yet",
                  "(`make bench` on a GPU writes `benchmarks/throughput.md`)."]
    lines += ["", "## bfloat16 on the CPU", ""]
    speed, run = (ROOT / "benchmarks" / f"cpu_bf16{n}.md" for n in ("_steps", ""))
    if speed.exists() and run.exists():
        lines += ["The four classic networks train in bfloat16 on a CPU that has bfloat16",
                  "instructions (`d2lmini.bf16_on_cpu`), because there it pays, as",
                  "`benchmarks/cpu_bf16.py` measured: the speed of each network at the size",
                  "it trains at on a CPU (`--steps 10`),", "", speed.read_text().strip(), "",
                  "and one whole run both ways, test accuracy included (NiN, the chapter's",
                  "recipe, seed 0):", "", run.read_text().strip()]
    else:
        lines += ["Not measured yet (`python benchmarks/cpu_bf16.py --steps 10 --out "
                  "benchmarks/cpu_bf16_steps.md`, then `--out benchmarks/cpu_bf16.md`)."]
    return "\n".join(lines) + "\n"


def write():
    (ROOT / "results.md").write_text(results_markdown())
    print("wrote results.md")
