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

The rules a master must follow are checked by ``check_master`` below; the
instructors page (``chapters/instructors.md``) describes them for authors.
"""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab  # noqa: E402
import delegation  # noqa: E402
import nbtool  # noqa: E402

ROOT = nbtool.ROOT
# The masters hold the reference solutions: an instructor who grades for
# credit keeps a private copy and builds from it (D2LMINI_MASTERS=folder; see
# chapters/instructors.md). D2LMINI_ASSIGNMENTS_OUT moves the build elsewhere.
PUBLIC_MASTERS = ROOT / "assignments"
MASTERS = Path(os.environ.get("D2LMINI_MASTERS") or PUBLIC_MASTERS).resolve()
BUILD = Path(os.environ.get("D2LMINI_ASSIGNMENTS_OUT") or ROOT / "_build" / "assignments")
TABLE = ROOT / "chapters" / "exercise-table.md"

PLACEHOLDER = re.compile(r"^\s*<!--\s*exercise:\s*(?P<label>[\w.-]+)\s*-->\s*$")
AUTOGRADED = "autograded"
# The cell after the setup cell: Otter, installed where it is missing, and the
# grader that runs the public tests.
OTTER_CELL_MARK = "import otter"
# Options a master's ASSIGNMENT CONFIG must have, with the value they must have.
REQUIRED_CONFIG = {"init_cell": False, "export_cell": False, "solutions_pdf": False,
                   "run_tests": True, "check_all_cell": True}


class AssignmentError(Exception):
    """A master or a chapter that does not follow the rules; the message says which."""


# Exercises in the chapters ------------------------------------------------------

OPEN_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>exercise|solution)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")


def parse_directives(markdown):
    """The ``{exercise}`` and ``{solution}`` directives of a markdown text.

    Yields dicts with ``kind``, ``arg`` (the title of an exercise, the label
    of the exercise a solution belongs to), ``options`` and ``body``.
    """
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        m = OPEN_FENCE.match(lines[i].strip())
        if not m:
            i += 1
            continue
        fence = m["fence"]
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        inner = lines[i + 1:j]
        options, k = {}, 0
        while k < len(inner) and OPTION.match(inner[k].strip()):
            o = OPTION.match(inner[k].strip())
            options[o["key"]] = o["value"].strip()
            k += 1
        yield {"kind": m["kind"], "arg": m["arg"].strip(), "options": options,
               "body": "\n".join(inner[k:]).strip()}
        i = j + 1


def chapter_notebook(stem):
    """The chapter notebook named ``<stem>.ipynb``, anywhere under chapters/."""
    found = [p for p in nbtool.notebooks() if p.stem == stem]
    if not found:
        raise AssignmentError(f"no chapter notebook named {stem}.ipynb under chapters/ "
                              f"(the master assignments/{stem}.ipynb is named after its chapter)")
    if len(found) > 1:
        raise AssignmentError(f"several chapter notebooks are named {stem}.ipynb: "
                              f"{[str(p.relative_to(ROOT)) for p in found]}")
    return found[0]


def chapter_exercises(path):
    """The exercises of a chapter notebook, in order: dicts with ``label``,
    ``title``, ``body``, ``autograded``, ``has_solution`` and ``solution``
    (the body of its solution, or None)."""
    nb = nbformat.read(path, as_version=4)
    exercises, solutions = [], {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for d in parse_directives(cell.source):
            if d["kind"] == "solution":
                solutions[d["arg"]] = d["body"]
                continue
            classes = d["options"].get("class", "").split()
            exercises.append({"label": d["options"].get("label"), "title": d["arg"],
                              "body": d["body"], "autograded": AUTOGRADED in classes})
    for ex in exercises:
        ex["solution"] = solutions.get(ex["label"])
        ex["has_solution"] = ex["solution"] is not None
    return exercises


MYST_ROLE = re.compile(r"\{[\w:-]+\}`")


def exercise_prompt(label, chapter, points=None):
    """The markdown that replaces the placeholder of ``label``: the exercise's
    title (as a heading, with the question's points) and body, without the
    directive and its options."""
    rel = chapter.relative_to(ROOT)
    found = [e for e in chapter_exercises(chapter) if e["label"] == label]
    if not found:
        raise AssignmentError(f"exercise {label!r} not found in {rel}: the chapter has no "
                              f"{{exercise}} directive with ':label: {label}'")
    ex = found[0]
    if not ex["autograded"]:
        raise AssignmentError(f"exercise {label!r} in {rel} is not marked ':class: autograded'")
    if ex["has_solution"]:
        raise AssignmentError(f"exercise {label!r} in {rel} is autograded, so its solution must "
                              f"not be public: move the {{solution}} {label} out of the chapter "
                              "into the master's '# EXPLANATION' cell of that question")
    if MYST_ROLE.search(ex["body"]) or "```{" in ex["body"]:
        raise AssignmentError(f"exercise {label!r} in {rel} uses MyST roles or directives, "
                              "which do not render in a student's notebook")
    title = " ".join(t for t in [ex["title"], points and f"({pts(points)})"] if t)
    heading = f"### {title}\n\n" if title else ""
    return heading + ex["body"]


# Masters ------------------------------------------------------------------------

def master_paths(names=None):
    paths = sorted(MASTERS.glob("*.ipynb"))
    if names:
        wanted = {Path(n).stem for n in names}
        unknown = wanted - {p.stem for p in paths}
        if unknown:
            raise AssignmentError(f"no master assignments/<name>.ipynb for {sorted(unknown)}")
        paths = [p for p in paths if p.stem in wanted]
    return paths


def _raw_head(cell):
    return cell.source.strip().splitlines()[0].strip().upper() if (
        cell.cell_type == "raw" and cell.source.strip()) else None


def _raw_yaml(cell):
    return yaml.safe_load("\n".join(cell.source.strip().splitlines()[1:])) or {}


def assignment_config(nb):
    cell = nb.cells[0] if nb.cells else None
    if cell is None or _raw_head(cell) != "# ASSIGNMENT CONFIG":
        raise AssignmentError("the first cell must be a raw cell '# ASSIGNMENT CONFIG'")
    return _raw_yaml(cell)


def is_hidden_test(cell):
    """Otter's rule: a test cell whose first line is a comment with the word 'hidden'."""
    first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
    return first.startswith("#") and re.search(r"\bhidden\b", first, re.I) is not None


EXPLANATION = "# EXPLANATION"


def questions(nb):
    """The questions of a master, in order: dicts with ``name``, ``points``,
    ``forbid`` (the names of d2lmini that answers must not use),
    ``config`` (the raw ``# BEGIN QUESTION`` cell), ``placeholders`` (labels),
    ``solutions`` (code cells), ``explanations`` (raw ``# EXPLANATION``
    cells: the markdown of the answer key, which students never see),
    ``tests`` (the test cells, in order), and of those ``public`` and
    ``hidden``."""
    out, question, block = [], None, None
    for cell in nb.cells:
        head = _raw_head(cell)
        if head == "# BEGIN QUESTION":
            config = _raw_yaml(cell)
            question = {"name": config.get("name"), "points": config.get("points"),
                        "forbid": config.get("forbid", []), "config": cell,
                        "placeholders": [], "prompts": [], "solutions": [],
                        "explanations": [],
                        "tests": [], "public": [], "hidden": []}
            out.append(question)
        elif head == "# END QUESTION":
            question = None
        elif head in ("# BEGIN SOLUTION", "# BEGIN TESTS"):
            block = head.split()[-1]
        elif head in ("# END SOLUTION", "# END TESTS"):
            block = None
        elif head == EXPLANATION and question is not None:
            question["explanations"].append(cell)
        elif question is not None and cell.cell_type == "markdown":
            m = PLACEHOLDER.match(cell.source)
            if m:
                question["placeholders"].append(m["label"])
            else:
                question["prompts"].append(cell)
        elif question is not None and cell.cell_type == "code" and block == "SOLUTION":
            question["solutions"].append(cell)
        elif question is not None and cell.cell_type == "code" and block == "TESTS":
            question["tests"].append(cell)
            question["hidden" if is_hidden_test(cell) else "public"].append(cell)
    return out


def solution_lines(nb):
    """The lines of the reference solutions of a master (those Otter removes)."""
    lines = []
    for q in questions(nb):
        for cell in q["solutions"]:
            inside = False
            for line in cell.source.splitlines():
                s = line.strip()
                if s.endswith("# END SOLUTION"):
                    inside = False
                elif s.endswith("# BEGIN SOLUTION"):
                    inside = True
                elif inside or re.search(r"# ?SOLUTION$", s):
                    lines.append(re.sub(r"\s*# ?SOLUTION$", "", s))
    return lines


def lines_outside(nb, cells):
    """The stripped, non-blank lines of every cell of ``nb`` but ``cells``."""
    return {line.strip() for c in nb.cells if not any(c is x for x in cells)
            for line in c.source.splitlines() if line.strip()}


def secret_solution_lines(path):
    """The lines of a master's reference solutions that its resolved form
    (prompts, tests, set-up) shows nowhere else: what students must not see."""
    nb = resolve(path)
    outside = lines_outside(nb, [c for q in questions(nb) for c in q["solutions"]])
    return {line for line in solution_lines(nb) if line and line not in outside}


def explanation(question):
    """The markdown of a question's ``# EXPLANATION`` cell, without that line."""
    return question["explanations"][0].source.strip().partition("\n")[2].strip()


def check_master(path, nb):
    """Raise AssignmentError unless the master follows the course's format."""
    rel = nbtool._rel(path)
    try:
        config = assignment_config(nb)
    except AssignmentError as e:
        raise AssignmentError(f"{rel}: {e}") from None
    if config.get("name") != path.stem:
        raise AssignmentError(f"{rel}: ASSIGNMENT CONFIG must have 'name: {path.stem}', "
                              f"got {config.get('name')!r}")
    for key, value in REQUIRED_CONFIG.items():
        if config.get(key) != value:
            raise AssignmentError(f"{rel}: ASSIGNMENT CONFIG must have '{key}: "
                                  f"{str(value).lower()}', got {config.get(key)!r}")
    if not config.get("generate"):
        raise AssignmentError(f"{rel}: ASSIGNMENT CONFIG must have 'generate' "
                              "(so that the autograder zip is made)")
    if (config.get("tests") or {}).get("files") is not True:
        raise AssignmentError(f"{rel}: ASSIGNMENT CONFIG must have 'tests: {{files: true}}' "
                              "(Otter's checks on Colab need test files)")
    code = nbtool.code_cells(nb)
    if not code or code[0].source.strip() != nbtool.setup_cell_source():
        raise AssignmentError(f"{rel}: the first code cell must be the canonical setup cell "
                              "(python tools/nbtool.py setup-cell)")
    if len(code) < 2 or OTTER_CELL_MARK not in code[1].source or "except ImportError" not in code[1].source:
        raise AssignmentError(f"{rel}: the second code cell must install Otter when "
                              "'import otter' fails and create the grader")
    qs = questions(nb)
    if len(qs) < 2:
        raise AssignmentError(f"{rel}: a master needs at least two questions, found {len(qs)}")
    for q in qs:
        name = q["name"]
        if not name or not name.startswith(f"{path.stem}-q-"):
            raise AssignmentError(f"{rel}: question name {name!r} must be a label "
                                  f"'{path.stem}-q-<name>'")
        own_prompt = (not q["placeholders"] and q["prompts"]
                      and path.resolve().parent != PUBLIC_MASTERS.resolve())
        if q["placeholders"] != [name] and not own_prompt:
            raise AssignmentError(f"{rel}: question {name} must have exactly one prompt cell "
                                  f"'<!-- exercise: {name} -->', found {q['placeholders']} (a "
                                  "private master may write its own prompt in markdown instead)")
        if not isinstance(q["points"], (int, float)) or q["points"] <= 0:
            raise AssignmentError(f"{rel}: question {name} needs positive 'points'")
        if not q["solutions"]:
            raise AssignmentError(f"{rel}: question {name} has no solution cell")
        if not q["public"] or not q["hidden"]:
            raise AssignmentError(f"{rel}: question {name} needs at least one public and one "
                                  f"hidden test, found {len(q['public'])} and {len(q['hidden'])}")
        if len(q["explanations"]) != 1:
            raise AssignmentError(f"{rel}: question {name} needs one raw cell '{EXPLANATION}' "
                                  "(the answer key's explanation), found "
                                  f"{len(q['explanations'])}")
        forbid = q["forbid"]
        if not isinstance(forbid, list) or not all(isinstance(f, str) for f in forbid):
            raise AssignmentError(f"{rel}: question {name}: 'forbid' must be a list of "
                                  f"names of d2lmini, got {forbid!r}")
        if forbid and not answer_names(q):
            raise AssignmentError(f"{rel}: question {name} forbids {forbid} but its solution "
                                  "defines no function or class to check")
    return qs


def answer_names(question):
    """The functions and classes that a question's solution cells define."""
    import ast
    names = []
    for cell in question["solutions"]:
        tree = ast.parse(re.sub(r"(?m)^\s*[%!].*$", "", cell.source))
        names += [n.name for n in tree.body
                  if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    return names


def delegation_guard(question):
    """The lines put at the top of each hidden test of a question with
    ``forbid``: every hidden case fails for an answer that uses one of the
    forbidden names, so that such an answer scores zero for the question."""
    import inspect
    checks = "\n".join(
        f"_used = delegates({name}, {question['forbid']!r})\n"
        "assert _used is None, (f\"the question asks for your own code, and "
        f"{name} uses d2lmini's {{_used}}\")" for name in answer_names(question))
    return inspect.getsource(delegation.delegates) + checks + "\n"


def forbid_sentence(names):
    listed = " or ".join(f"`d2lmini.{n}`" for n in names)
    return (f"\n\n*Write this yourself: an answer that uses {listed} scores zero "
            "for this question.*")


# The share of a question's points that its public tests, which students run
# and can read, carry: copying the example must not earn credit.
PUBLIC_SHARE = 0


def case_points(total, hidden_flags):
    """Points per test case, in order: the public cases share ``PUBLIC_SHARE``
    of ``total``, the hidden ones (at least one) the rest, in equal parts whose
    sum is exact (the last hidden case takes the remainder)."""
    hidden = [k for k, flag in enumerate(hidden_flags) if flag]
    n_public = len(hidden_flags) - len(hidden)
    public = total * PUBLIC_SHARE / n_public if n_public else 0
    share = (total - public * n_public) / len(hidden)
    points = [share if flag else public for flag in hidden_flags]
    points[hidden[-1]] = total - public * n_public - share * (len(hidden) - 1)
    return points


def pts(n):
    return f"{n:g} point" + ("" if n == 1 else "s")


def resolve(path):
    """The master at ``path`` with every placeholder replaced by its exercise,
    its point value in the heading, and points given per test case."""
    nb = nbformat.read(path, as_version=4)
    check_master(path, nb)
    chapter = chapter_notebook(path.stem)
    qs = questions(nb)
    by_name = {q["name"]: q for q in qs}
    for cell in nb.cells:
        m = PLACEHOLDER.match(cell.source) if cell.cell_type == "markdown" else None
        if m:
            q = by_name[m["label"]]
            cell.source = exercise_prompt(m["label"], chapter, q["points"])
            if q["forbid"]:
                cell.source += forbid_sentence(q["forbid"])
    for q in qs:  # a private master's own prompts
        if q["prompts"] and not q["placeholders"]:
            first, last = q["prompts"][0], q["prompts"][-1]
            head, _, rest = first.source.partition("\n")
            if head.startswith("#"):
                first.source = f"{head} ({pts(q['points'])})\n{rest}"
            else:
                first.source = f"**({pts(q['points'])})** {first.source}"
            if q["forbid"]:
                last.source += forbid_sentence(q["forbid"])
    # Otter splits a question's points evenly over its test cases unless the
    # question lists them, one per case in the order of the test cells.
    for q in qs:
        config = _raw_yaml(q["config"])
        config.pop("forbid", None)  # the course's key, not Otter's
        config["points"] = case_points(q["points"], [is_hidden_test(c) for c in q["tests"]])
        q["config"].source = "# BEGIN QUESTION\n" + yaml.safe_dump(config, sort_keys=False)
        if q["forbid"]:
            guard = delegation_guard(q)
            for cell in q["hidden"]:
                first, _, rest = cell.source.lstrip().partition("\n")
                cell.source = f"{first}\n{guard}{rest}"
    explanations = {id(c) for q in qs for c in q["explanations"]}
    nb.cells = [c for c in nb.cells if id(c) not in explanations]
    # Students and Gradescope's image install d2lmini at the commit the
    # assignment was built from.
    requirement = colab.pinned_requirement()
    nbtool.code_cells(nb)[0].source = colab.setup_source(colab.d2lmini_version(), requirement)
    config_cell = nb.cells[0]
    config = assignment_config(nb)
    config["requirements"] = [requirement]
    config_cell.source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)
    return nb


# The answer key --------------------------------------------------------------------

def solution_code(source):
    """A solution cell as instructors read it: without Otter's markers."""
    lines = [re.sub(r"\s*# ?SOLUTION$", "", line) for line in source.splitlines()
             if not re.search(r"# (BEGIN|END) SOLUTION$", line.strip())]
    return "\n".join(lines).strip()


def answer_key(path):
    """The instructors' answer key of a chapter (a notebook): every exercise
    of the chapter, in order, with its solution; for the autograded ones the
    master's reference solution, its explanation and the question's points."""
    master = nbformat.read(path, as_version=4)
    qs = {q["name"]: q for q in check_master(path, master)}
    chapter = chapter_notebook(path.stem)
    chapter_nb = nbformat.read(chapter, as_version=4)
    conv = colab.Converter(colab.read_bib(), colab.glued_values(chapter_nb))
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    title = nbtool.chapter_title(chapter_nb, path.stem)
    cells = [md(f"# Answer key: {title}\n\n**For instructors; do not publish.** The "
                f"solutions of the exercises of the chapter, with the reference solutions "
                f"of the autograded questions of the assignment `{path.stem}`.")]
    for k, ex in enumerate(chapter_exercises(chapter), 1):
        q = qs.get(ex["label"]) if ex["autograded"] else None
        head = f"## Exercise {k}" + (f": {ex['title']}" if ex["title"] else "")
        head += f" (`{ex['label']}`" + (f", autograded, {pts(q['points'])})" if q else ")")
        cells.append(md(head + "\n\n" + conv.convert(ex["body"])))
        if q:
            cells += [code(solution_code(c.source)) for c in q["solutions"]]
            cells.append(md("**Explanation.** " + conv.convert(explanation(q))))
        elif ex["has_solution"]:
            cells.append(md("**Solution.**\n\n" + conv.convert(ex["solution"])))
        else:
            cells.append(md("*The chapter gives no solution for this exercise.*"))
    own = [q for q in qs.values() if not q["placeholders"]]
    if own:
        cells.append(md("## Questions of this assignment only"))
    for q in own:
        cells += [md(f"### `{q['name']}` ({pts(q['points'])})")] + [
            md(c.source) for c in q["prompts"]]
        cells += [code(solution_code(c.source)) for c in q["solutions"]]
        cells.append(md("**Explanation.** " + explanation(q)))
    key = nbformat.v4.new_notebook(cells=cells)
    key.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}
    return key


# Building -------------------------------------------------------------------------

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
        raise AssignmentError(f"otter assign failed for {nbtool._rel(path)} "
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
    cell = nbtool.code_cells(nb)[1]
    if OTTER_CELL_MARK not in cell.source:
        raise AssignmentError(f"{nbtool._rel(student_nb)}: its second code cell is not "
                              "the Otter cell")
    cell.source = otter_cell(tests_dir)
    check_all = [c for c in nbtool.code_cells(nb) if c.source.strip() == "grader.check_all()"]
    if len(check_all) != 1:
        raise AssignmentError(f"{nbtool._rel(student_nb)}: expected one "
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


# The exercise table of the instructors page ------------------------------------

def table_markdown():
    """Which exercises each chapter offers, autograded and others."""
    masters = {p.stem: p for p in master_paths()}
    rows, n_auto, n_other = [], 0, 0
    for _, path in nbtool.toc_files():
        if path is None or path.suffix != ".ipynb":
            continue
        nb = nbformat.read(path, as_version=4)
        rel = path.relative_to(ROOT).with_suffix("").as_posix()
        exercises = chapter_exercises(path)
        points = {}
        if path.stem in masters:
            for q in questions(nbformat.read(masters[path.stem], as_version=4)):
                points[q["name"]] = q["points"]

        def ref(e):  # "Exercise 2.5" (numbered by Sphinx), and the title if it has one
            number = f"{{numref}}`{e['label']}`"
            return f"{number}: {e['title']}" if e["title"] else number

        auto = [f"{ref(e)} ({pts(points[e['label']])})" if e["label"] in points
                else f"{ref(e)} (no master yet)" for e in exercises if e["autograded"]]
        other = [ref(e) for e in exercises if not e["autograded"]]
        n_auto += len(auto)
        n_other += len(other)
        assignment = f"`{path.stem}`" if path.stem in masters else "none yet"
        rows.append(f"| {{doc}}`{nbtool.chapter_title(nb, path.stem)} </{rel}>` | {assignment} | "
                    f"{'<br>'.join(auto) or '-'} | {'<br>'.join(other) or '-'} |")
    lines = [
        "<!-- Generated by `python tools/assignments.py table`; do not edit. -->",
        "",
        f"{n_auto} autograded exercises and {n_other} others, in {len(rows)} chapters.",
        "",
        "| chapter | assignment | autograded exercises | other exercises |",
        "|---|---|---|---|",
    ] + rows
    return "\n".join(lines) + "\n"


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
