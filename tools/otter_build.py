"""Building one assignment with Otter Assign: the student notebook (with its
public tests inside), the autograder and the answer key, into
``_build/assignments/<chapter>/`` (or under ``D2LMINI_ASSIGNMENTS_OUT``).
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import nbformat

from answer_key import answer_key
from course import ROOT, code_cells, relative
from exercises import AssignmentError
from masters import OTTER_CELL_MARK, resolve

BUILD = Path(os.environ.get("D2LMINI_ASSIGNMENTS_OUT") or ROOT / "_build" / "assignments")


def otter_command():
    exe = Path(sys.executable).with_name("otter")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "otter"]


def build_one(path):
    """Resolve one master and run Otter Assign on it; return the seconds it took."""
    t0 = time.perf_counter()
    nb = resolve(path)
    masters = BUILD / "masters"
    masters.mkdir(parents=True, exist_ok=True)
    resolved = masters / path.name
    nbformat.write(nb, resolved)
    out = BUILD / path.stem
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, D2LMINI_MODE=os.environ.get("D2LMINI_MODE", "quick"))
    proc = subprocess.run(otter_command() + ["assign", "-v", str(resolved), str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    (BUILD / f"{path.stem}.log").write_text(log)
    expected = [out / "student" / path.name, out / "autograder" / path.name]
    zips = sorted((out / "autograder").glob("*.zip")) if (out / "autograder").is_dir() else []
    if proc.returncode != 0 or "All autograder tests passed" not in log or not zips or not all(
            p.is_file() for p in expected):
        shutil.rmtree(out, ignore_errors=True)  # never leave a half-built assignment
        tail = "\n".join(log.strip().splitlines()[-40:])
        raise AssignmentError(f"otter assign failed for {relative(path)} "
                              f"(exit status {proc.returncode}); the solutions must pass every "
                              f"test. Its output ends with:\n{tail}")
    embed_public_tests(expected[0], out / "student" / "tests")
    nbformat.write(answer_key(path), out / "answer-key.ipynb")
    return time.perf_counter() - t0


def otter_version():
    from importlib.metadata import version
    return version("otter-grader")


def pack_tests(tests_dir):
    """The public test files of a student folder, as lines of compressed text
    that fit in a notebook cell: base64 of zlib of JSON {file name: content}."""
    files = {p.name: p.read_text() for p in sorted(Path(tests_dir).glob("*.py"))}
    blob = base64.b64encode(zlib.compress(json.dumps(files).encode(), 9)).decode()
    return [blob[i:i + 72] for i in range(0, len(blob), 72)]


def otter_cell(tests_dir):
    """The student notebook's second code cell: Otter at the version that built
    the assignment, and the public tests, written into tests/ when missing (on
    Colab after every restart), so that nothing has to be uploaded."""
    blob = "\n".join(f'    "{line}"' for line in pack_tests(tests_dir))
    return f"""\
# Otter Grader checks your answers: grader.check("<question>") runs that
# question's public tests. This cell installs Otter where it is missing and
# writes the public tests into tests/ where they are missing (on Colab, after
# every restart), so there is nothing to upload.
import base64, json, pathlib, zlib
try:
    import otter
except ImportError:
    %pip install --quiet otter-grader=={otter_version()}
    import otter
PUBLIC_TESTS = (
{blob}
)
public_tests = json.loads(zlib.decompress(base64.b64decode(PUBLIC_TESTS)))
for name, text in public_tests.items():
    path = pathlib.Path("tests", name)
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
print(f"public tests in tests/: {{', '.join(sorted(public_tests))}}")
grader = otter.Notebook(tests_dir="tests")
"""


def embed_public_tests(student_nb, tests_dir):
    """Replace the Otter cell of a built student notebook by ``otter_cell``."""
    nb = nbformat.read(student_nb, as_version=4)
    cell = code_cells(nb)[1]
    if OTTER_CELL_MARK not in cell.source:
        raise AssignmentError(f"{relative(student_nb)}: its second code cell is not "
                              "the Otter cell")
    cell.source = otter_cell(tests_dir)
    check_all = [c for c in code_cells(nb) if c.source.strip() == "grader.check_all()"]
    if len(check_all) != 1:
        raise AssignmentError(f"{relative(student_nb)}: expected one "
                              f"'grader.check_all()' cell, found {len(check_all)}")
    check_all[0].source = CHECK_ALL_CELL
    nbformat.write(nb, student_nb)


# Otter's check_all() reports nothing when it finds no tests: say so.
CHECK_ALL_CELL = """\
# Run every public test. Without tests/ (the second code cell writes it) there
# would be nothing to run, and no report is not a pass.
import pathlib
if not list(pathlib.Path("tests").glob("*.py")):
    print("NO PUBLIC TESTS FOUND in tests/: run the second code cell of this "
          "notebook, which writes them, then run this cell again.")
grader.check_all()
"""
