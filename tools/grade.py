"""Grade a class's submissions with the built autograders, without Docker.

    python tools/grade.py SUBMISSIONS [--out DIR] [--assignment NAME] [-j JOBS]

SUBMISSIONS is a folder of student notebooks (``*.ipynb``, searched
recursively); each is graded with the autograder zip that ``make assignments``
built into ``_build/assignments/<assignment>/autograder/``. The assignment is
read from the notebook (Otter's metadata, else the file name) unless
``--assignment`` names it. Writes into ``--out`` (default
``SUBMISSIONS/graded``):

* ``grades.csv``: one row per student and question, with the columns
  ``student, assignment, question, points, possible, status, message``, where
  status is ``passed`` (full points), ``failed`` (a test's assertion did not
  hold) or ``error`` (the code raised, or the notebook could not be graded);
  a cell that raised when the notebook ran gets a row of its own, with
  question ``(notebook)``;
* ``feedback/<student>.txt``: what to send each student: the points per
  question, the messages of the public tests, and how many hidden tests
  failed and which, by their position among the question's hidden tests
  (never their code): ``hidden tests failed: 2 of 3 (number 1, 3)``.

The student is the submission's path inside SUBMISSIONS, without ``.ipynb``.
"""
import argparse
import csv
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from course import ROOT, cell_outputs

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


def cell_errors(notebook):
    """``(cell number, 'Name: value')`` for every code cell that raised."""
    if notebook is None:
        return []
    return [(i + 1, f"{out.get('ename')}: {out.get('evalue')}")
            for i, _, out in cell_outputs(notebook) if out.get("output_type") == "error"]


#: A kernel that never started (two graders starting kernels at the same moment
#: can be given the same free port): not the student's doing, so grade again.
KERNEL_NOT_STARTED = re.compile(r"Kernel died before replying to kernel_info"
                                r"|Address already in use")
#: How many times a submission is graded when its kernel does not start.
START_TRIES = 3


def run_autograder(path, zip_path, tries=START_TRIES):
    """Otter's results for one submission and the error that stopped it (or
    None); a kernel that did not start is started again, up to ``tries`` times."""
    import otter.api
    for _ in range(tries):
        try:
            results = otter.api.grade_submission(str(path), str(zip_path), quiet=True)
            error = results.catastrophic_error
        except Exception as e:  # noqa: BLE001 -- any failure is reported, never raised
            results, error = None, e
        if error is None or not KERNEL_NOT_STARTED.search(str(error)):
            break
    return results, error


def grade_one(path, assignment, zip_path, student):
    """Grade one submission in this process; return (rows, feedback text)."""
    os.environ.setdefault("D2LMINI_MODE", "quick")  # no question trains a network
    results, e = run_autograder(path, zip_path)
    if e is not None:
        message = f"could not be graded: {type(e).__name__}: {e}"
        return [[student, assignment, NOTEBOOK, "", "", "error", message]], message + "\n"
    rows, feedback = [], []
    for number, error in cell_errors(results.notebook):
        rows.append([student, assignment, NOTEBOOK, "", "", "error",
                     f"code cell {number} raised {error}"])
        feedback.append(f"Code cell {number} raised {error} when your notebook ran; "
                        "the answers after it may be missing.")
    for name, test_file in results.results.items():
        failed = [r for r in test_file.test_case_results if not r.passed]
        crashes = [r for r in failed if is_crash(r.message)]
        # an answer that uses d2lmini's implementation (see tools/delegation.py): the
        # guard's error, not its source, which every hidden test's message lists
        own = [r for r in failed if "your own code" in what_failed(r.message)]
        if own:
            status, message = "failed", what_failed(own[0].message)
        elif not failed:
            status, message = "passed", ""
        elif crashes:
            status, message = "error", what_failed(crashes[0].message)
        else:
            status, message = "failed", what_failed(failed[0].message) or "a test failed"
        score, possible = test_file.score, test_file.possible
        rows.append([student, assignment, name, round(score, 4), possible, status, message])
        line = f"{name}: {score:g} of {possible:g} points"
        public_failed = [r for r in failed if not r.test_case.hidden]
        hidden = [r for r in test_file.test_case_results if r.test_case.hidden]
        hidden_failed = [r for r in failed if r.test_case.hidden]
        if public_failed:
            line += f"\n  public test failed: {what_failed(public_failed[0].message)}"
        if hidden:
            line += f"\n  hidden tests failed: {len(hidden_failed)} of {len(hidden)}"
        if hidden_failed:  # which ones, by their position among the hidden tests
            numbers = [str(i) for i, r in enumerate(hidden, start=1) if not r.passed]
            line += f" (number {', '.join(numbers)})"
        if own:
            line += f"\n  {message}"
        feedback.append(line)
    total = sum(r[3] for r in rows if r[2] != NOTEBOOK)
    possible = sum(r[4] for r in rows if r[2] != NOTEBOOK)
    feedback.append(f"total: {total:g} of {possible:g} points")
    return rows, "\n".join(feedback) + "\n"


def grade(submissions, out=None, assignment=None, jobs=None):
    """Grade every notebook under ``submissions``; return the path of the CSV."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise GradingError(f"SUBMISSIONS must be a folder of student notebooks, "
                           f"got {str(submissions)!r}")
    out = Path(out) if out else submissions / "graded"
    paths = sorted(p for p in submissions.rglob("*.ipynb")
                   if out not in p.parents and ".ipynb_checkpoints" not in p.parts)
    if not paths:
        raise GradingError(f"no notebooks (*.ipynb) in {submissions}")
    work, rows, built = [], [], built_assignments()
    for path in paths:
        student = path.relative_to(submissions).with_suffix("").as_posix()
        try:
            name = assignment_of(path, built, assignment)
            work.append((path, name, autograder_zip(name), student))
        except GradingError as e:
            rows.append([student, "", NOTEBOOK, "", "", "error", str(e)])
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    jobs = jobs or max(1, min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(jobs) as pool:
        for (path, name, _, student), (graded, feedback) in zip(
                work, pool.map(grade_one, *zip(*work))):
            rows += graded
            target = out / "feedback" / f"{student}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"{name}: feedback for {student}\n\n{feedback}")
    rows.sort(key=lambda r: (r[0], r[2] != NOTEBOOK, r[2]))
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    write_totals(rows, out / "totals.csv")
    return out / "grades.csv", rows


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
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        csv_path, rows = grade(args.submissions, args.out, args.assignment, args.jobs)
    except GradingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    students = {r[0] for r in rows}
    errors = sum(r[5] == "error" for r in rows)
    print(f"graded {len(students)} submissions in {time.perf_counter() - t0:.1f} s: "
          f"{csv_path} ({errors} rows with errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
