"""What the grading sandbox costs: one class graded with it and without it.

    python benchmarks/grading_sandbox.py              # 30 submissions, 2 at a time
    python benchmarks/grading_sandbox.py -n 10 -j 1   # fewer, one at a time

Makes ``-n`` honest submissions (the built solutions notebooks of the
assignments, in turn), grades the class twice with ``tools/grade.py`` (each
submission in its bubblewrap sandbox, then with ``--trusted``, the same runner
without the sandbox), alternating the order over ``--repeat`` rounds, and
prints the seconds of each and their ratio. Every submission must get full
marks both ways. Needs ``make assignments`` first. ``--out FILE`` writes the
table in Markdown too.
"""
import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import grade  # noqa: E402


def make_class(folder, n):
    """``n`` copies of the built solutions notebooks, cycling the assignments."""
    stems = grade.built_assignments()
    if not stems:
        sys.exit("no built assignments: run `make assignments` first")
    for i in range(n):
        stem = stems[i % len(stems)]
        shutil.copy(grade.BUILD / stem / "autograder" / f"{stem}.ipynb",
                    folder / f"{stem}-student{i:02d}.ipynb")


def timed(folder, jobs, trusted):
    out = folder.parent / ("trusted" if trusted else "sandboxed")
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    csv_path, rows = grade.grade(folder, out=out, jobs=jobs, trusted=trusted)
    seconds = time.perf_counter() - t0
    lost = [r for r in csv.reader(open(csv_path)) if r[5] not in ("status", "passed")]
    if lost:
        sys.exit(f"an honest submission lost points ({'trusted' if trusted else 'sandboxed'}):"
                 f" {lost[:3]}")
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="submissions (default 30)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="graded at once (default 2)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds (default 2)")
    parser.add_argument("--out", help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        make_class(folder, args.n)
        times = {"sandboxed": [], "trusted": []}
        for r in range(args.repeat):
            order = [False, True] if r % 2 == 0 else [True, False]
            for trusted in order:
                times["trusted" if trusted else "sandboxed"].append(
                    timed(folder, args.jobs, trusted))
    best = {k: min(v) for k, v in times.items()}
    ratio = best["sandboxed"] / best["trusted"]
    lines = [f"{args.n} honest submissions, {args.jobs} at a time, best of {args.repeat}:",
             "", "| grading | seconds (each round) | best |", "|---|---|---|"]
    for k, v in times.items():
        lines.append(f"| {k} | {', '.join(f'{s:.1f}' for s in v)} | {best[k]:.1f} |")
    lines += ["", f"sandboxed / trusted: {ratio:.2f}"]
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
