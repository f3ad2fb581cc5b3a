"""Autograded assignments, built from the chapters with Otter Grader.

    python tools/assignments.py build [NAMES]   build every master (or the named ones)
    python tools/assignments.py list            the masters and their questions
    python tools/assignments.py table [--check] write (or check) the exercise table
                                                that the instructors page includes

One source for each prompt: the chapter. An autograded question is an ordinary
exercise of a chapter notebook, labelled ``<chapter>-q-<name>`` and marked
``:class: autograded``. Its master, ``assignments/<chapter>.ipynb``, is an
Otter Assign notebook (format v1) in which the prompt of each question is only
a placeholder, a markdown cell that reads ``<!-- exercise: <label> -->``. The
build replaces every placeholder by the body of that exercise, writes the
resolved master to ``_build/assignments/masters/<chapter>.ipynb``, and runs
``otter assign`` into ``_build/assignments/<chapter>/`` (``student/``: the
notebook to hand out and its public tests; ``autograder/``: the solutions
notebook and the zip file for Gradescope or ``otter run``). Otter grades the
solutions notebook against every test, hidden ones included, while it builds,
and fails when a test does not pass.

This module is the command line. The work is done by ``exercises.py`` (the
chapters' exercises), ``masters.py`` (reading, checking and resolving a master;
the instructors page, ``chapters/instructors.md``, gives its rules to
authors), ``otter_build.py`` (Otter Assign, and the public tests put inside the
student notebook), ``answer_key.py`` and ``exercise_table.py``.
"""
import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import nbformat

from course import ROOT
from exercise_table import TABLE, table_markdown
from exercises import AssignmentError
from masters import master_paths, questions, resolve
from otter_build import build_one


def cmd_build(args):
    t0 = time.perf_counter()
    paths = master_paths(args.names)
    if not paths:
        raise AssignmentError("no masters in assignments/")
    for path in paths:  # fail fast, before starting Otter, on a master or chapter error
        resolve(path)
    failed = []
    # Each build is an Otter process with a kernel of its own: run a few at once.
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {path: pool.submit(build_one, path) for path in paths}
        for path, future in futures.items():
            try:
                seconds = future.result()
            except AssignmentError as e:
                failed.append(path.stem)
                print(f"error: {e}", file=sys.stderr)
                continue
            print(f"{path.stem}: built _build/assignments/{path.stem}/ in {seconds:.1f} s")
    print(f"built {len(paths) - len(failed)} of {len(paths)} assignments in "
          f"{time.perf_counter() - t0:.1f} s")
    if failed:
        raise AssignmentError(f"{len(failed)} assignments failed to build: {failed}")


def cmd_list(args):
    for path in master_paths():
        nb = nbformat.read(path, as_version=4)
        for q in questions(nb):
            print(f"{path.stem:20s} {q['name']:32s} {q['points']} points, "
                  f"{len(q['public'])} public and {len(q['hidden'])} hidden tests")


def cmd_table(args):
    text = table_markdown()
    if args.check:
        if not TABLE.is_file() or TABLE.read_text() != text:
            print(f"{TABLE.relative_to(ROOT)} is out of date: run "
                  "`python tools/assignments.py table`")
            return 1
        print(f"{TABLE.relative_to(ROOT)} is up to date")
        return 0
    TABLE.write_text(text)
    print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build every master, or the named ones")
    b.add_argument("names", nargs="*")
    b.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1),
                   help="builds to run at once (default: the number of CPUs, at most 4)")
    b.set_defaults(func=cmd_build)
    sub.add_parser("list").set_defaults(func=cmd_list)
    t = sub.add_parser("table")
    t.add_argument("--check", action="store_true", help="fail if the table is out of date")
    t.set_defaults(func=cmd_table)
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except AssignmentError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
