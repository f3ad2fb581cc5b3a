"""Grade a class's submissions with the built autograders, each in a sandbox.

    python tools/grade.py SUBMISSIONS [--out DIR] [--assignment NAME] [-j JOBS]
                          [--timeout SECONDS] [--memory MB] [--trusted]

SUBMISSIONS is a folder of student notebooks (``*.ipynb``, searched
recursively); each is graded with the tests of the autograder zip that ``make
assignments`` built into ``_build/assignments/<assignment>/autograder/``, by
``tools/grade_runner.py`` in a bubblewrap sandbox of its own
(``tools/sandbox.py``: no network, nothing of the machine but the Python
environment, read-only; limits on time and memory). Without bubblewrap it
refuses, unless ``--trusted`` says the submissions may run with your rights.
The assignment is read from the notebook (Otter's metadata, else the file
name) unless ``--assignment`` names it. Writes into ``--out`` (default
``SUBMISSIONS/graded``):

* ``grades.csv``: one row per student and question, with the columns
  ``student, assignment, question, points, possible, status, message``, where
  status is ``passed`` (full points), ``failed`` (a test's assertion did not
  hold) or ``error`` (the code raised, or the notebook could not be graded);
  a cell that raised when the notebook ran gets a row of its own, with
  question ``(notebook)``;
  rows are written as each submission is graded, so one that hangs (``timed
  out after 120 s``) or crashes costs only its own grade;
* ``totals.csv``: one row per student and assignment, for a gradebook;
* ``feedback/<student>.txt``: what to send each student: the points per
  question, the messages of the public tests, and how many hidden tests
  failed and which, by their position among the question's hidden tests
  (never their code): ``hidden tests failed: 2 of 3 (number 1, 3)``.

The student is the submission's path inside SUBMISSIONS, without ``.ipynb``.
"""
import argparse
import csv
import functools
import json
import os
import re
import secrets
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import sandbox
from course import ROOT

BUILD = ROOT / "_build" / "assignments"
COLUMNS = ["student", "assignment", "question", "points", "possible", "status", "message"]
NOTEBOOK = "(notebook)"  # the question column of rows about the whole notebook


class GradingError(Exception):
    """Bad input to the grader; the message says what was expected."""


def autograder_zip(assignment):
    """The newest autograder zip built for ``assignment``."""
    zips = sorted((BUILD / assignment / "autograder").glob("*.zip"))
    if not zips:
        raise GradingError(f"no autograder built for {assignment!r} in "
                           f"{(BUILD / assignment / 'autograder').relative_to(ROOT)}: "
                           f"run `make assignments` first")
    return zips[-1]


def built_assignments():
    """The names of the assignments that have a built autograder."""
    return sorted(p.name for p in BUILD.iterdir() if (p / "autograder").is_dir()) if (
        BUILD.is_dir()) else []


def assignment_of(path, built, forced=None):
    """The assignment a submission answers, among ``built``: ``forced``, else
    Otter's notebook metadata, else the file name (``adam.ipynb``,
    ``adam-jsmith.ipynb``)."""
    if forced:
        return forced
    try:
        meta = json.loads(path.read_text()).get("metadata", {}).get("otter", {})
        name = meta.get("assignment_name")
    except (ValueError, OSError, AttributeError):
        name = None
    if name in built:
        return name
    stem = path.stem
    for candidate in sorted(built, key=len, reverse=True):  # longest name first
        if stem == candidate or stem.startswith(candidate + "-") or stem.startswith(
                candidate + "_"):
            return candidate
    raise GradingError(f"{path.name}: cannot tell which assignment it answers (no Otter "
                       f"metadata, and its name does not start with one of {built}); "
                       "pass --assignment NAME")


ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?([A-Z]\w*(?:Error|Exception|Exit|Interrupt))(?::\s.*)?$")


def what_failed(message):
    """The line of a failed test's message that says what went wrong: the first
    exception it reports (later ones in a doctest often follow from it)."""
    lines = [line.strip() for line in (message or "").strip().splitlines() if line.strip()]
    errors = [line for line in lines if ERROR_LINE.match(line)]
    return errors[0] if errors else (lines[-1] if lines else "")


def is_crash(message):
    """Whether a failed test case raised something other than an assertion."""
    m = ERROR_LINE.match(what_failed(message))
    return m is not None and m.group(1) != "AssertionError"


@functools.lru_cache(maxsize=None)
def zip_tests(zip_path):
    """The tests of an autograder zip: question -> ``(cases, points)``, where
    cases are ``{"code", "hidden"}`` (Otter's OK format) and points the
    points of each case (Otter splits a total evenly). Read once per zip, not
    once per submission; callers must not change what it returns."""
    tests = {}
    with zipfile.ZipFile(zip_path) as z:
        for name in sorted(n for n in z.namelist()
                           if n.startswith("tests/") and n.endswith(".py")):
            env = {}
            exec(compile(z.read(name).decode(), name, "exec"), env)  # noqa: S102 -- our build
            test = env["test"]
            cases = [{"code": c["code"], "hidden": bool(c.get("hidden"))}
                     for suite in test["suites"] for c in suite["cases"]]
            points = test.get("points")
            if not isinstance(points, list):
                total = float(points or 0)
                points = [total / len(cases)] * len(cases)
            tests[test["name"]] = (cases, [float(p) for p in points])
    return tests


def code_cells_of(path):
    """The sources of a notebook's code cells; GradingError if it is not one."""
    try:
        nb = json.loads(Path(path).read_text())
        cells = [c for c in nb["cells"] if c.get("cell_type") == "code"]
        return ["".join(c["source"]) if isinstance(c["source"], list) else str(c["source"])
                for c in cells]
    except (ValueError, KeyError, TypeError, OSError) as e:
        raise GradingError(f"not a readable notebook ({type(e).__name__}: {e})") from None


def parse_report(stdout, token, tests):
    """The runner's report, checked against ``tests`` (question -> cases)."""
    lines = [line for line in stdout.decode(errors="replace").splitlines()
             if line.startswith(token)]
    if not lines:
        raise GradingError("the grading process gave no results")
    report = json.loads(lines[-1][len(token):])
    questions = report.get("questions")
    if not isinstance(questions, dict) or set(questions) != set(tests):
        raise GradingError("the grading process gave results for other questions")
    for name, outcome in questions.items():
        if len(outcome) != len(tests[name][0]) or not all(
                isinstance(o, list) and len(o) == 2 and type(o[0]) is bool
                and isinstance(o[1], str) for o in outcome):
            raise GradingError(f"the grading process gave malformed results for {name}")
    errors = [(int(n), str(e)[:500]) for n, e in report.get("cell_errors", [])]
    return errors, questions


def run_submission(path, zip_path, options):
    """Run a submission and its tests in the sandbox; (cell errors,
    question -> [passed, message] per case, tests)."""
    tests = zip_tests(zip_path)
    token = secrets.token_hex(16)
    payload = json.dumps({"token": token, "cells": code_cells_of(path),
                          "log": "/tmp/notebook.log",
                          "tests": {q: cases for q, (cases, _) in tests.items()}}).encode()
    stdout, problem = sandbox.run(payload, **options)
    if problem:
        raise GradingError(problem)
    errors, outcome = parse_report(stdout, token, tests)
    return errors, outcome, tests


def grade_one(path, assignment, zip_path, student, options=None):
    """Grade one submission; return (rows, feedback text)."""
    try:
        errors, outcome, tests = run_submission(path, zip_path, options or {})
    except sandbox.NoSandbox:
        raise
    except Exception as e:  # noqa: BLE001 -- one submission's failure is its own grade
        message = f"could not be graded: {e}" if isinstance(e, GradingError) else (
            f"could not be graded: {type(e).__name__}: {e}")
        return [[student, assignment, NOTEBOOK, "", "", "error", message]], message + "\n"
    rows, feedback = [], []
    for number, error in errors:
        rows.append([student, assignment, NOTEBOOK, "", "", "error",
                     f"code cell {number} raised {error}"])
        feedback.append(f"Code cell {number} raised {error} when your notebook ran; "
                        "the answers after it may be missing.")
    for name, (cases, points) in tests.items():
        results = outcome[name]
        failed = [(c, message) for c, (ok, message) in zip(cases, results) if not ok]
        crashes = [m for _, m in failed if is_crash(m)]
        # an answer that uses d2lmini's implementation (see tools/delegation.py): the
        # guard's error, not its source, which every hidden test's message lists
        own = [m for _, m in failed if "your own code" in what_failed(m)]
        if own:
            status, message = "failed", what_failed(own[0])
        elif not failed:
            status, message = "passed", ""
        elif crashes:
            status, message = "error", what_failed(crashes[0])
        else:
            status, message = "failed", what_failed(failed[0][1]) or "a test failed"
        score = sum(p for p, (ok, _) in zip(points, results) if ok)
        possible = sum(points)
        rows.append([student, assignment, name, round(score, 4), possible, status, message])
        line = f"{name}: {score:g} of {possible:g} points"
        public_failed = [m for c, m in failed if not c["hidden"]]
        hidden = [ok for c, (ok, _) in zip(cases, results) if c["hidden"]]
        if public_failed:
            line += f"\n  public test failed: {what_failed(public_failed[0])}"
        if hidden:
            line += f"\n  hidden tests failed: {hidden.count(False)} of {len(hidden)}"
        if False in hidden:  # which ones, by their position among the hidden tests
            numbers = [str(i) for i, ok in enumerate(hidden, start=1) if not ok]
            line += f" (number {', '.join(numbers)})"
        if own:
            line += f"\n  {message}"
        feedback.append(line)
    total = sum(r[3] for r in rows if r[2] != NOTEBOOK)
    possible = sum(r[4] for r in rows if r[2] != NOTEBOOK)
    feedback.append(f"total: {total:g} of {possible:g} points")
    return rows, "\n".join(feedback) + "\n"


#: Seconds a submission may take (the slowest reference solution, convolutions,
#: took 3.5 s in the sandbox on a two-core machine), and megabytes of memory.
TIMEOUT, MEMORY = 120, 4096


def grade(submissions, out=None, assignment=None, jobs=None, timeout=TIMEOUT,
          memory_mb=MEMORY, trusted=False):
    """Grade every notebook under ``submissions``, each in its own sandbox;
    return the path of the CSV and its rows. Each submission's rows are
    written to grades.csv as soon as it is graded (sorted at the end), so
    that one that hangs or crashes costs only its own grade."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise GradingError(f"SUBMISSIONS must be a folder of student notebooks, "
                           f"got {str(submissions)!r}")
    out = Path(out) if out else submissions / "graded"
    paths = sorted(p for p in submissions.rglob("*.ipynb")
                   if out not in p.parents and ".ipynb_checkpoints" not in p.parts)
    if not paths:
        raise GradingError(f"no notebooks (*.ipynb) in {submissions}")
    options = {"timeout": timeout, "memory_mb": memory_mb, "trusted": trusted}
    if not trusted:
        options["bwrap"] = sandbox.bubblewrap()
        if options["bwrap"] is None:
            raise sandbox.NoSandbox(sandbox.NO_SANDBOX)
    work, rows, built = [], [], built_assignments()
    for path in paths:
        student = path.relative_to(submissions).with_suffix("").as_posix()
        try:
            name = assignment_of(path, built, assignment)
            work.append((path, name, autograder_zip(name), student))
        except GradingError as e:
            rows.append([student, "", NOTEBOOK, "", "", "error", str(e)])
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    csv_path = out / "grades.csv"
    with open(csv_path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        f.flush()
        jobs = jobs or max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(jobs) as pool:
            futures = {pool.submit(grade_one, *item, options): item for item in work}
            for future in as_completed(futures):
                path, name, _, student = futures[future]
                graded, feedback = future.result()
                rows += graded
                writer.writerows(graded)
                f.flush()
                target = out / "feedback" / f"{student}.txt"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(f"{name}: feedback for {student}\n\n{feedback}")
    rows.sort(key=lambda r: (r[0], r[2] != NOTEBOOK, r[2]))
    with open(csv_path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    write_totals(rows, out / "totals.csv")
    return csv_path, rows


TOTAL_COLUMNS = ["student", "assignment", "points", "possible", "errors"]


def write_totals(rows, path):
    """One row per student and assignment, for a gradebook: the points, the
    points possible and how many rows of grades.csv say ``error`` (a student
    whose notebook could not be graded has empty points: look before you
    import)."""
    totals = {}
    for student, assignment, question, points, possible, status, _ in rows:
        t = totals.setdefault((student, assignment), [0.0, 0.0, 0, False])
        if question != NOTEBOOK:
            t[0] += float(points)
            t[1] += float(possible)
            t[3] = True
        t[2] += status == "error"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(TOTAL_COLUMNS)
        for (student, assignment), (points, possible, errors, graded) in sorted(totals.items()):
            writer.writerow([student, assignment, round(points, 4) if graded else "",
                             possible if graded else "", errors])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", help="a folder of student notebooks")
    parser.add_argument("--out", help="where grades.csv and feedback/ go "
                                      "(default: SUBMISSIONS/graded)")
    parser.add_argument("--assignment", help="grade every notebook as this assignment")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="submissions graded at once (default: CPUs, at most 4)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help=f"seconds one submission may take (default {TIMEOUT})")
    parser.add_argument("--memory", type=int, default=MEMORY,
                        help=f"megabytes of memory one submission may use (default {MEMORY})")
    parser.add_argument("--trusted", action="store_true",
                        help="run the submissions without a sandbox, with your rights: only "
                             "for submissions you trust, where bubblewrap is missing")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        csv_path, rows = grade(args.submissions, args.out, args.assignment, args.jobs,
                               args.timeout, args.memory, args.trusted)
    except (GradingError, sandbox.NoSandbox) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    students = {r[0] for r in rows}
    errors = sum(r[5] == "error" for r in rows)
    print(f"graded {len(students)} submissions in {time.perf_counter() - t0:.1f} s: "
          f"{csv_path} ({errors} rows with errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
