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

This module holds the command line and the hygiene checks; the runs are made
by ``execute.py``, their records read by ``records.py``, the Results page
written by ``results.py``.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

import execute
import records
import results
from course import ROOT, SETUP_MARK, code_cells, notebooks, relative, setup_cell_source
from course import config, repository_url, toc_files  # noqa: F401 (tests/browser reads them)
from records import is_checked, verdict

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


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
    rel = relative(path)
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
        if records.strip(nb):
            nbformat.write(nb, path)
            print(f"cleared untrusted outputs of {path.relative_to(ROOT)}")


def cmd_check(args):
    found = [p for path in notebooks() for p in problems(path)]
    for line in found:
        print(line)
    return 1 if found else 0


def cmd_record_checked(args):
    execute.record_checked([Path(p).resolve() for p in args.notebooks] or notebooks(),
                           args.timeout)


def cmd_execute_full(args):
    return execute.execute_full([Path(p).resolve() for p in args.notebooks] or notebooks(),
                                args.timeout, args.resume, args.dry_run, args.out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("setup-cell").set_defaults(func=lambda a: print(setup_cell_source()))
    sub.add_parser("fix-setup").set_defaults(func=cmd_fix_setup)
    sub.add_parser("strip-stale").set_defaults(func=cmd_strip_stale)
    sub.add_parser("check").set_defaults(func=cmd_check)
    sub.add_parser("results").set_defaults(func=lambda a: results.write())
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
