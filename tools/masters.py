"""The assignments' masters: Otter Assign notebooks (format v1), one per
chapter, in ``assignments/`` (or a private copy, ``D2LMINI_MASTERS``).

:func:`questions` reads a master, :func:`check_master` checks the course's rules
(the instructors page, ``chapters/instructors.md``, describes them for
authors), and :func:`resolve` makes of it the notebook Otter Assign builds:
every placeholder replaced by the chapter's exercise, points per test case, a
guard against answers that call d2lmini's own implementation, and a setup cell
that installs the d2lmini it was built from.
"""
import ast
import inspect
import os
import re
from pathlib import Path

import nbformat
import yaml

import delegation
import exact
from course import (ROOT, code_cells, d2lmini_version, pinned_requirement, relative,
                    setup_cell_source)
from exercises import AssignmentError, chapter_notebook, exercise_prompt, pts

# The masters hold the reference solutions: an instructor who grades for
# credit keeps a private copy and builds from it (D2LMINI_MASTERS=folder; see
# chapters/instructors.md).
PUBLIC_MASTERS = ROOT / "assignments"
MASTERS = Path(os.environ.get("D2LMINI_MASTERS") or PUBLIC_MASTERS).resolve()

PLACEHOLDER = re.compile(r"^\s*<!--\s*exercise:\s*(?P<label>[\w.-]+)\s*-->\s*$")
# The cell after the setup cell: Otter, installed where it is missing, and the
# grader that runs the public tests.
OTTER_CELL_MARK = "import otter"
# Options a master's ASSIGNMENT CONFIG must have, with the value they must have.
REQUIRED_CONFIG = {"init_cell": False, "export_cell": False, "solutions_pdf": False,
                   "run_tests": True, "check_all_cell": True}


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
    rel = relative(path)
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
    code = code_cells(nb)
    if not code or code[0].source.strip() != setup_cell_source():
        raise AssignmentError(f"{rel}: the first code cell must be the canonical setup cell "
                              "(python tools/nbtool.py setup-cell)")
    otter = code[1].source if len(code) > 1 else ""
    if OTTER_CELL_MARK not in otter or "except ImportError" not in otter:
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
        for number, cell in enumerate(q["hidden"], start=1):
            problem = uncontrolled_check(cell.source)
            if problem:
                raise AssignmentError(f"{rel}: hidden test {number} of {name}: {problem}")
    return qs


#: The comparisons of tools/exact.py, which every hidden test uses.
EXACT = {f.__name__ for f in exact.HELPERS}
#: Calls that ask the answer how it compares (its __eq__, __class__, ...).
ASKS_THE_ANSWER = {"isinstance", "allclose", "equal", "isclose", "array_equal"}


def uncontrolled_check(source):
    """Why a hidden test lets the answer decide whether it passes (None if it
    does not): an ``assert``, a comparison operator other than ``is``, or a
    call such as ``isinstance`` or ``torch.allclose``, instead of the
    functions of tools/exact.py (``same``, ``kind``, ``within``, ``holds``)."""
    tree = ast.parse(re.sub(r"(?m)^\s*[%!].*$", "", source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            return (f"line {node.lineno} uses assert; check with {sorted(EXACT)} "
                    "(tools/exact.py), which the answer cannot control")
        if isinstance(node, ast.Compare) and not all(
                isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
            return (f"line {node.lineno} compares with an operator that the answer can "
                    f"override; use {sorted(EXACT)} (tools/exact.py)")
        if isinstance(node, ast.Call):
            f = node.func
            called = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
            if called in ASKS_THE_ANSWER:
                return (f"line {node.lineno} calls {called}, which asks the answer; use "
                        f"{sorted(EXACT)} (tools/exact.py)")
    if not any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in EXACT
               for n in ast.walk(tree)):
        return f"it checks nothing with {sorted(EXACT)} (tools/exact.py)"
    return None


def answer_names(question):
    """The functions and classes that a question's solution cells define."""
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
    checks = "\n".join(
        f"_used = delegates({name}, {question['forbid']!r})\n"
        "assert _used is None, (f\"the question asks for your own code, and "
        f"{name} uses d2lmini's {{_used}}\")" for name in answer_names(question))
    return inspect.getsource(delegation.delegates) + checks + "\n"


def exact_helpers():
    """The source of the comparisons every hidden test uses (tools/exact.py),
    put at the top of each hidden test: they run inside the grader."""
    return "\n".join(inspect.getsource(f) for f in exact.HELPERS)


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
        guard = exact_helpers() + (delegation_guard(q) if q["forbid"] else "")
        for cell in q["hidden"]:
            first, _, rest = cell.source.lstrip().partition("\n")
            cell.source = f"{first}\n{guard}{rest}"
    explanations = {id(c) for q in qs for c in q["explanations"]}
    nb.cells = [c for c in nb.cells if id(c) not in explanations]
    # Students and Gradescope's image install d2lmini at the commit the
    # assignment was built from.
    requirement = pinned_requirement()
    code_cells(nb)[0].source = setup_cell_source(d2lmini_version(), requirement)
    config_cell = nb.cells[0]
    config = assignment_config(nb)
    config["requirements"] = [requirement]
    config_cell.source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)
    return nb
