"""Notebook housekeeping for the course: setup cells, stored outputs, hygiene.

    python tools/nbtool.py setup-cell          print the canonical setup cell
    python tools/nbtool.py fix-setup           make every notebook's first code cell canonical
    python tools/nbtool.py execute-full [NB]   run notebooks in full mode, store outputs + metadata
    python tools/nbtool.py record-checked [NB] run notebooks (any mode), keep only the
                                               outputs of the # NBVAL_CHECK_OUTPUT cells
    python tools/nbtool.py strip-stale         clear outputs that are not from a matching full run
    python tools/nbtool.py check               report hygiene problems (exit 1 if any)
    python tools/nbtool.py results             write results.md from the recorded full runs

A notebook's stored outputs are trusted only when its metadata records a
full-mode run (``metadata.d2lmini``) whose hash of the code cells still matches.
Cells whose first line is ``# NBVAL_CHECK_OUTPUT`` keep their outputs always:
nbval compares them on every test run.
"""
import argparse
import datetime
import hashlib
import os
import re
import sys
import time
from pathlib import Path

import nbformat
import yaml

from records import (code_cells, code_hash, current_d2lmini_hash, is_checked,  # noqa: F401
                     outputs_hash, verdict)
import records

ROOT = Path(__file__).resolve().parent.parent
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
SETUP_MARK = "# Setup:"


def config():
    with open(ROOT / "_config.yml") as f:
        return yaml.safe_load(f)


def repository_url():
    return config()["repository"]["url"].rstrip("/")


def setup_cell_source():
    """The canonical first code cell of every notebook."""
    return (
        "# Setup: on Colab (or wherever d2lmini is missing) install it from the course\n"
        "# repository; where it is installed already, this changes nothing.\n"
        "try:\n"
        "    import d2lmini\n"
        "except ImportError:\n"
        f"    %pip install --quiet \"d2lmini @ git+{repository_url()}\"\n"
        "    import d2lmini")


def toc_files():
    """Paths (relative to the root, with suffix) of every file in _toc.yml."""
    with open(ROOT / "_toc.yml") as f:
        toc = yaml.safe_load(f)
    out = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                out.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    out.append(toc["root"])
    walk({k: v for k, v in toc.items() if k != "root"})
    resolved = []
    for name in out:
        candidates = [ROOT / name] + [ROOT / (name + s) for s in (".ipynb", ".md")]
        hit = next((c for c in candidates if c.is_file()), None)
        resolved.append((name, hit))
    return resolved


def notebooks():
    return sorted(p for p in (ROOT / "chapters").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def chapter_title(nb, default):
    """The text of the notebook's first ``# Title`` line, else ``default``."""
    return next((c.source.splitlines()[0].lstrip("# ").strip() for c in nb.cells
                 if c.cell_type == "markdown" and c.source.startswith("# ")), default)


def trusted_run(nb):
    """The notebook's full-run record, if its outputs may be shown; else None."""
    status, _ = verdict(nb)
    return nb.metadata["d2lmini"] if status in ("trusted", "aged") else None


def strip(nb):
    """Clear every output that is not trusted; return True if anything changed."""
    changed = False
    if trusted_run(nb):
        return False
    if "d2lmini" in nb.metadata:
        del nb.metadata["d2lmini"]
        changed = True
    if nb.metadata.get("mystnb", {}).pop("execution_mode", None) is not None:
        changed = True
        if not nb.metadata["mystnb"]:
            del nb.metadata["mystnb"]
    for cell in code_cells(nb):
        if is_checked(cell):
            continue
        if cell.outputs or cell.execution_count is not None:
            cell.outputs = []
            cell.execution_count = None
            changed = True
    return changed


def _rel(path):
    try:
        return Path(path).resolve().relative_to(ROOT)
    except ValueError:
        return Path(path)


def number_checked(nb):
    """Number the checked cells 1, 2, ... (stable from run to run).

    nbval refuses a stored output whose cell has no execution count.
    """
    count = 0
    for cell in code_cells(nb):
        if is_checked(cell):
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = count


def broken_math_lines(markdown):
    """Lines that start with '-', '+' or '*' inside an open $...$ or $$...$$.

    Markdown reads such a line as a list item, which cuts the formula in two
    and leaves raw TeX on the page. Move the operator to the end of the
    previous line instead.
    """
    found, dollars, display, code = [], 0, False, False
    for line in markdown.split("\n"):
        fence = re.match(r"^\s*`{3,}(.*)$", line)
        if fence:
            info = fence.group(1).strip()
            code = (not code) if (code or (info and not info.startswith("{"))) else code
            continue
        if code:
            continue
        if not line.strip():
            dollars = 0  # a blank line ends the paragraph (and any inline math)
            continue
        if (display or dollars % 2 == 1) and re.match(r"^\s{0,3}[-+*] ", line):
            found.append(line.strip())
        display ^= line.count("$$") % 2 == 1
        dollars += len(re.findall(r"(?<![\\$])\$(?!\$)", line))
    return found


def problems(path):
    """Hygiene problems of one notebook, as readable strings."""
    nb = nbformat.read(path, as_version=4)
    rel = _rel(path)
    out = []
    cells = code_cells(nb)
    if not cells or cells[0].source.strip() != setup_cell_source():
        out.append(f"{rel}: the first code cell is not the canonical setup cell "
                   "(run `python tools/nbtool.py fix-setup`)")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for line in broken_math_lines(cell.source):
                out.append(f"{rel}: cell {i + 1} has a line inside math that Markdown reads "
                           f"as a list item (move the operator up a line): {line[:60]!r}")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        out.append(f"{rel}: kernelspec is {kernel!r}, expected 'python3'")
    status, why = verdict(nb)
    if status == "untrusted":
        out.append(f"{rel}: stored outputs rejected: {why} (run `make strip-stale`, then "
                   f"`make execute-full NB={rel}` to record a full run)")
    for i, cell in enumerate(cells):
        if is_checked(cell) and not cell.outputs:
            out.append(f"{rel}: code cell {i + 1} is marked {CHECK_MARK} but has no stored "
                       "output to check against")
        elif is_checked(cell) and cell.execution_count is None:
            out.append(f"{rel}: code cell {i + 1} has a stored output but no execution count, "
                       "which nbval rejects (run `python tools/nbtool.py record-checked`)")
    return out


def cmd_fix_setup(args):
    source = setup_cell_source()
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        cells = code_cells(nb)
        if cells and cells[0].source.lstrip().startswith(SETUP_MARK):
            cell = cells[0]
            if cell.source.strip() == source:
                continue
            cell.source = source
        else:
            cell = nbformat.v4.new_code_cell(source)
            index = nb.cells.index(cells[0]) if cells else len(nb.cells)
            nb.cells.insert(index, cell)
        cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, path)
        print(f"fixed the setup cell of {path.relative_to(ROOT)}")


def cmd_strip_stale(args):
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        if strip(nb):
            nbformat.write(nb, path)
            print(f"cleared untrusted outputs of {path.relative_to(ROOT)}")


def _execute(nb, path, timeout):
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


def cmd_record_checked(args):
    """Store the expected outputs of the checked cells (they must not depend on the mode)."""
    paths = [Path(p).resolve() for p in args.notebooks] or notebooks()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if trusted_run(nb):
            print(f"{path.relative_to(ROOT)}: has full-run outputs; re-run execute-full instead")
            continue
        _execute(nb, path, args.timeout)
        strip(nb)
        number_checked(nb)
        nbformat.write(nb, path)
        print(f"{path.relative_to(ROOT)}: recorded the outputs of "
              f"{sum(is_checked(c) for c in code_cells(nb))} checked cells")


def record_run(nb, path, timeout, mode="full"):
    """Execute ``nb`` in ``mode`` (full, or quick for a dry run of the tooling)
    and store its run record; return the record.

    The record comes from the kernel itself (a probe cell run after the
    notebook's own cells and removed again), so it names the device and the
    PyTorch and d2lmini versions that really made the outputs. A quick-mode
    record is never trusted (see records.verdict).
    """
    os.environ["D2LMINI_MODE"] = mode
    probe = nbformat.v4.new_code_cell(records.probe_cell())
    nb.cells.append(probe)
    t0 = time.perf_counter()
    try:
        _execute(nb, path, timeout)
    finally:
        nb.cells.remove(probe)
    seconds = time.perf_counter() - t0
    run = records.read_probe(probe)
    if run["mode"] != mode:
        raise RuntimeError(f"the kernel ran in {run['mode']} mode, not {mode}")
    number_checked(nb)
    meta = {"mode": mode, "device": run["device"], "torch": run["torch"],
            "d2lmini": run["d2lmini"], "d2lmini_files": run["d2lmini_files"],
            "d2lmini_hash": run["d2lmini_hash"],
            "image_sizes": run["image_sizes"], "date": datetime.date.today().isoformat(),
            "seconds": round(seconds, 1), "code_hash": code_hash(nb)}
    # the outputs as they will be read back from the file (nbformat normalizes them)
    meta["outputs_hash"] = outputs_hash(nbformat.reads(nbformat.writes(nb), as_version=4))
    nb.metadata["d2lmini"] = meta  # (a copy: NotebookNode converts the dict)
    nb.metadata.setdefault("mystnb", {})["execution_mode"] = "off"
    return meta


def cmd_execute_full(args):
    """Run notebooks in full mode and store their outputs with the run record.

    Keeps going past a notebook that fails (and says so at the end); with
    ``--out DIR`` writes the executed notebooks there (same relative paths)
    instead of over the originals; with ``--resume`` skips notebooks already
    recorded for the current code at the sizes they ask for (in DIR first),
    so that a record made on a CPU at a smaller size is made again.
    """
    paths = [Path(p).resolve() for p in args.notebooks] or notebooks()
    current = current_d2lmini_hash()
    mode = "quick" if args.dry_run else "full"
    failed = []
    for path in paths:
        rel = path.relative_to(ROOT)
        target = Path(args.out).resolve() / rel if args.out else path
        nb = nbformat.read(path, as_version=4)
        if args.resume and any(
                p.exists() and records.done_at_own_size(nbformat.read(p, as_version=4),
                                                        current, mode)
                for p in {target, path}):
            print(f"{rel}: already recorded at its own size for this code, skipped")
            continue
        try:
            meta = record_run(nb, path, args.timeout, mode)
        except Exception as e:  # keep going: report it at the end
            failed.append(rel)
            print(f"{rel}: FAILED in {mode} mode: {type(e).__name__}: {str(e)[-2000:]}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        print(f"{rel}: {meta['seconds']:.1f} s in {mode} mode on {meta['device']}")
    if not args.out:
        cmd_results(args)
    if failed:
        print("failed:", ", ".join(map(str, failed)))
        return 1
    return 0


SUMMARY = re.compile(r"loss (?P<loss>[\d.]+|nan|inf), train acc (?P<train>[\d.]+), "
                     r"test acc (?P<test>[\d.]+), (?P<speed>[\d.]+) examples/sec on (?P<device>\S+)")


def training_summaries(nb):
    """The summary lines that train_classifier printed in the stored outputs."""
    found = []
    for cell in code_cells(nb):
        for out in cell.outputs:
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            found.extend(m.groupdict() for m in SUMMARY.finditer(text))
    return found


def results_markdown():
    """The Results page: one row per notebook, from its recorded full-mode run."""
    rows, recorded, waiting, unrecorded, total = [], 0, [], [], 0.0
    current = current_d2lmini_hash()
    in_toc = [p for _, p in toc_files() if p is not None and p.suffix == ".ipynb"]
    for path in in_toc + [p for p in notebooks() if p not in in_toc]:
        nb = nbformat.read(path, as_version=4)
        status, _ = verdict(nb, current)
        title = chapter_title(nb, path.stem)
        link = f"{{doc}}`{title} <{path.relative_to(ROOT).with_suffix('').as_posix()}>`"
        if status not in ("trusted", "aged"):
            unrecorded.append(title)
            rows.append(f"| {link} | not recorded | | | | | | quick-mode run made at build time |")
            continue
        meta = nb.metadata["d2lmini"]
        recorded += 1
        total += meta["seconds"]
        runs = training_summaries(nb)
        accs = ", ".join(r["test"] for r in runs) or "-"
        speed = ", ".join(f"{float(r['speed']):,.0f}" for r in runs) or "-"
        sizes = ", ".join(sorted({s["used"] for s in meta.get("image_sizes", [])})) or "-"
        notes = []
        if records.waits_for_gpu(meta):
            waiting.append(title)
            notes.append("waits for a GPU run at "
                         + ", ".join(sorted({s["asked"] for s in meta["image_sizes"]})))
        if status == "aged":
            notes.append("made by an older d2lmini")
        rows.append(f"| {link} | {meta['device']} | {sizes} | {meta['seconds']:.1f} | "
                    f"{accs} | {speed} | {meta['torch']}, {meta['date']} | "
                    f"{'; '.join(notes)} |")
    lines = [
        "# Results",
        "",
        "A chapter's page shows the outputs of one recorded full-mode run",
        "(`make execute-full`), on a GPU or, where a chapter fits, on a CPU; until",
        "it has one, the quick-mode run made when the book was built. The run",
        "records, in the notebook, the device, the image size, the time it took, the",
        "PyTorch version and the date; this table is generated from those records",
        "(`python tools/nbtool.py results`). The test accuracies are those printed by",
        "each training run of the chapter, in order.",
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
    lines += ["| chapter | device | images | seconds | test accuracy | examples/sec "
              "| torch, date | note |",
              "|---|---|---|---|---|---|---|---|"] + rows
    bench = ROOT / "benchmarks" / "throughput.md"
    lines += ["", "## Training throughput", ""]
    if bench.exists():
        lines += ["The classic teaching pipeline against d2lmini's, measured by",
                  "`benchmarks/train_throughput.py` on a GPU (median and spread of full",
                  "epochs):", "", bench.read_text().strip()]
    else:
        lines += ["No GPU run of the throughput benchmark is recorded yet",
                  "(`make bench` on a GPU writes `benchmarks/throughput.md`)."]
    return "\n".join(lines) + "\n"


def cmd_results(args):
    (ROOT / "results.md").write_text(results_markdown())
    print("wrote results.md")


def cmd_check(args):
    found = [p for path in notebooks() for p in problems(path)]
    for line in found:
        print(line)
    return 1 if found else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("setup-cell").set_defaults(func=lambda a: print(setup_cell_source()))
    sub.add_parser("fix-setup").set_defaults(func=cmd_fix_setup)
    sub.add_parser("strip-stale").set_defaults(func=cmd_strip_stale)
    sub.add_parser("check").set_defaults(func=cmd_check)
    sub.add_parser("results").set_defaults(func=cmd_results)
    sub.add_parser("stored", help="list the notebooks whose stored outputs the book "
                   "shows (the book executes the others)").set_defaults(
        func=lambda a: print("\n".join(records.stored_notebooks(ROOT))))
    sub.add_parser("gpu-plan", help="list the notebooks that wait for a GPU run").set_defaults(
        func=lambda a: print("\n".join(records.gpu_plan(ROOT))))
    rc = sub.add_parser("record-checked")
    rc.add_argument("notebooks", nargs="*")
    rc.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    rc.set_defaults(func=cmd_record_checked)
    ex = sub.add_parser("execute-full")
    ex.add_argument("notebooks", nargs="*")
    ex.add_argument("--timeout", type=int, default=7200,
                    help="seconds per cell (a CPU run of ResNet takes over half an hour)")
    ex.add_argument("--resume", action="store_true",
                    help="skip notebooks already recorded for the current code at their own size")
    ex.add_argument("--dry-run", action="store_true",
                    help="run in quick mode, to try the tooling (records that are never trusted)")
    ex.add_argument("--out", help="write the executed notebooks under this folder")
    ex.set_defaults(func=cmd_execute_full)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
