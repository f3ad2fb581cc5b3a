"""The autograded assignments, as built by `make assignments` into _build/assignments/.

Checks the masters against the chapters, the student notebooks against the
solutions (nothing leaks), and grades with Otter, without Docker, both the
solutions notebook (full marks) and the student notebook as handed out (zero).
"""
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

import course
import exercise_table
import exercises
import masters
import nbtool
import otter_build

MASTERS = masters.master_paths()
IDS = [p.stem for p in MASTERS]
BUILD = otter_build.BUILD
MIN_QUESTIONS = 2


def toc_chapters():
    return [p for _, p in nbtool.toc_files() if p is not None and p.suffix == ".ipynb"]


def master_nb(path):
    return nbformat.read(path, as_version=4)


def built(stem):
    """The build directory of one assignment; fails when it is missing or stale."""
    out = BUILD / stem
    student, autograder = out / "student" / f"{stem}.ipynb", out / "autograder" / f"{stem}.ipynb"
    zips = sorted((out / "autograder").glob("*.zip")) if (out / "autograder").is_dir() else []
    if not (student.is_file() and autograder.is_file() and zips):
        pytest.fail(f"the assignment {stem} is not built (no {out.relative_to(course.ROOT)}/"
                    "student/ and autograder/ zip): run `make assignments` first")
    resolved = BUILD / "masters" / f"{stem}.ipynb"
    sources = [masters.MASTERS / f"{stem}.ipynb", exercises.chapter_notebook(stem)]
    newer = [str(s.relative_to(course.ROOT)) for s in sources
             if s.stat().st_mtime > resolved.stat().st_mtime]
    if newer:
        pytest.fail(f"the build of {stem} is older than {newer}: run `make assignments`")
    return {"student": student, "autograder": autograder, "zip": zips[-1],
            "student_tests": out / "student" / "tests"}


def lines_of(text):
    return {line.strip() for line in text.splitlines() if line.strip()}


def nontrivial(line):
    """Lines worth looking for: not short, not a bare keyword or ellipsis."""
    return len(line) >= 12 and line not in {"return total", "super().__init__()"}


# The masters and the chapters ---------------------------------------------------------

def test_there_are_masters():
    assert MASTERS, "no masters in assignments/"


def test_every_chapter_notebook_has_a_master_with_questions():
    """Full coverage: every notebook chapter of the book has a master with >= 2 questions."""
    by_stem = {p.stem: p for p in MASTERS}
    missing, short = [], []
    for chapter in toc_chapters():
        if chapter.stem not in by_stem:
            missing.append(str(chapter.relative_to(course.ROOT)))
        elif len(masters.questions(master_nb(by_stem[chapter.stem]))) < MIN_QUESTIONS:
            short.append(chapter.stem)
    assert not missing, f"chapters without a master assignments/<chapter>.ipynb: {missing}"
    assert not short, f"masters with fewer than {MIN_QUESTIONS} questions: {short}"


def test_every_master_belongs_to_a_chapter_of_the_book():
    chapters = {p.stem for p in toc_chapters()}
    orphans = [p.name for p in MASTERS if p.stem not in chapters]
    assert not orphans, f"masters whose chapter is not in _toc.yml: {orphans}"


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_master_follows_the_format(path):
    try:
        questions = masters.check_master(path, master_nb(path))
    except exercises.AssignmentError as e:
        pytest.fail(str(e))
    assert len(questions) >= MIN_QUESTIONS


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_every_placeholder_resolves_and_every_autograded_exercise_is_asked(path):
    try:
        resolved = masters.resolve(path)
    except exercises.AssignmentError as e:
        pytest.fail(str(e))
    assert not any(masters.PLACEHOLDER.match(c.source) for c in resolved.cells
                   if c.cell_type == "markdown")
    asked = {q["name"] for q in masters.questions(master_nb(path))}
    chapter = exercises.chapter_notebook(path.stem)
    marked = {e["label"] for e in exercises.chapter_exercises(chapter) if e["autograded"]}
    assert marked == asked, (
        f"{chapter.relative_to(course.ROOT)} marks {sorted(marked)} as autograded, "
        f"{path.relative_to(course.ROOT)} asks {sorted(asked)}")


def test_exercise_labels_are_unique_across_the_book():
    labels = [e["label"] for p in nbtool.notebooks() for e in exercises.chapter_exercises(p)]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    assert not duplicates, f"exercise labels used twice: {duplicates}"


def test_exercise_table_is_up_to_date():
    table = exercise_table.TABLE
    assert table.is_file() and table.read_text() == exercise_table.table_markdown(), (
        f"{table.relative_to(course.ROOT)} is out of date: run "
        "`python tools/assignments.py table`")


# The built student notebooks --------------------------------------------------------------

@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_student_notebook_starts_with_the_setup_cell(path):
    """It installs d2lmini at the commit the assignment was built from."""
    nb = nbformat.read(built(path.stem)["student"], as_version=4)
    code = nbtool.code_cells(nb)
    requirement = course.pinned_requirement()
    assert requirement.startswith(f"d2lmini @ git+{course.repository_url()}@")
    assert code and code[0].source == course.setup_cell_source(course.d2lmini_version(),
                                                                requirement)
    assert "import otter" in code[1].source and "except ImportError" in code[1].source
    config = masters.assignment_config(nbformat.read(BUILD / "masters" / path.name, as_version=4))
    assert config["requirements"] == [requirement]


def embedded_tests(student_nb):
    """The public tests that the student notebook's Otter cell writes."""
    import base64
    import re
    import zlib
    cell = nbtool.code_cells(nbformat.read(student_nb, as_version=4))[1].source
    blob = "".join(re.findall(r'^    "([A-Za-z0-9+/=]+)"$', cell, re.M))
    return json.loads(zlib.decompress(base64.b64decode(blob)))


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_student_notebook_carries_its_public_tests(path):
    out = built(path.stem)
    handed_out = {p.name: p.read_text() for p in out["student_tests"].glob("*.py")}
    assert handed_out and embedded_tests(out["student"]) == handed_out
    assert f"otter-grader=={otter_build.otter_version()}" in nbtool.code_cells(
        nbformat.read(out["student"], as_version=4))[1].source


def test_student_notebook_alone_writes_its_tests_and_checks_answers(tmp_path):
    """On Colab the notebook arrives without tests/: its Otter cell writes them."""
    from nbclient import NotebookClient
    out = built("adam")
    nb = nbformat.read(out["student"], as_version=4)
    code = nbtool.code_cells(nb)
    check = nbformat.v4.new_code_cell('def bias_corrected_moments(grads, beta1=0.9, beta2=0.999):\n'
                                      '    return 0.0, 0.0\n'
                                      'print(grader.check("adam-q-bias"))')
    nb.cells = code[:2] + [check]
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    written = {p.name: p.read_text() for p in (tmp_path / "tests").glob("*.py")}
    assert written == {p.name: p.read_text() for p in out["student_tests"].glob("*.py")}
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.outputs)
    assert "public tests in tests/: adam-q-bias.py, adam-q-update.py" in printed
    assert "adam-q-bias" in printed and "failed" in printed.lower()


def test_check_all_says_so_when_there_are_no_tests(tmp_path):
    from nbclient import NotebookClient
    out = built("adam")
    nb = nbformat.read(out["student"], as_version=4)
    cell = next(c for c in nb.cells if "grader.check_all()" in c.source)
    assert cell.source == otter_build.CHECK_ALL_CELL
    grader = nbformat.v4.new_code_cell('import otter\ngrader = otter.Notebook(tests_dir="tests")')
    nb.cells = [grader, cell]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert "NO PUBLIC TESTS FOUND in tests/" in printed


def student_text(out):
    """Everything a student receives: the notebook (cells and metadata) and the test files."""
    nb = nbformat.read(out["student"], as_version=4)
    text = "\n".join(c.source for c in nb.cells) + "\n" + json.dumps(nb.metadata)
    for f in sorted(out["student_tests"].glob("*.py")):
        text += "\n" + f.read_text()
    return text


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_student_notebook_has_no_solution_line(path):
    secret = secret_lines(path)
    assert secret, f"{path.name}: no solution lines found (are the BEGIN/END SOLUTION marks there?)"
    student = lines_of(student_text(built(path.stem)))
    leaked = sorted(secret & student)
    assert not leaked, f"the student version of {path.stem} contains solution lines: {leaked}"


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_student_notebook_has_no_hidden_test(path):
    out = built(path.stem)
    nb = masters.resolve(path)
    hidden_cells = [cell for q in masters.questions(nb) for cell in q["hidden"]]
    # Lines that the master also has outside its hidden tests are not secrets.
    elsewhere = masters.lines_outside(nb, hidden_cells)
    hidden = {line for cell in hidden_cells for line in lines_of_list(cell.source)[1:]
              if nontrivial(line) and line not in elsewhere}
    text = student_text(out)
    student = lines_of(text) | {line[4:].strip() for line in text.splitlines()
                                if line.startswith((">>> ", "... "))}
    leaked = sorted(hidden & student)
    assert not leaked, f"the student version of {path.stem} contains hidden tests: {leaked}"
    assert "'hidden': True" not in text and '"hidden": true' not in text


def lines_of_list(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


# What stays private: solutions and the answer key ---------------------------------------

def secret_lines(path):
    """The secret solution lines of a master worth looking for."""
    return {line for line in masters.secret_solution_lines(path) if nontrivial(line)}


def test_no_autograded_solution_is_in_the_chapters():
    """The chapters (website, Colab, GitHub) hold no line of an autograded
    question's reference solution beyond the chapter's own code, and no
    {solution} of such a question."""
    text = set()
    for f in sorted((course.ROOT / "chapters").rglob("*")):
        if f.suffix == ".ipynb":
            text |= {line for c in nbformat.read(f, as_version=4).cells
                     for line in lines_of(c.source)}
        elif f.suffix == ".md":
            text |= lines_of(f.read_text())
    for path in MASTERS:
        # The chapter's own code, which an exercise may build on, is public by design.
        taught = {line for c in nbtool.code_cells(nbformat.read(
            exercises.chapter_notebook(path.stem), as_version=4)) for line in lines_of(c.source)}
        # Short lines ("c_in = c_out") are idioms, not solutions.
        secret = {line for line in secret_lines(path) - taught if len(line) >= 16}
        assert secret, path.name
        leaked = sorted(secret & text)
        assert not leaked, f"chapters/ show solution lines of {path.stem}: {leaked}"
        for ex in exercises.chapter_exercises(exercises.chapter_notebook(path.stem)):
            assert not (ex["autograded"] and ex["has_solution"]), ex["label"]


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_answer_key_has_every_exercise_with_its_solution(path):
    key = nbformat.read(BUILD / path.stem / "answer-key.ipynb", as_version=4)
    built(path.stem)
    markdown = "\n".join(c.source for c in key.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in key.cells if c.cell_type == "code")
    chapter = exercises.chapter_exercises(exercises.chapter_notebook(path.stem))
    for ex in chapter:
        assert f"(`{ex['label']}`" in markdown, ex["label"]
    assert markdown.count("**Solution.**") == sum(
        1 for ex in chapter if ex["has_solution"])
    qs = masters.questions(master_nb(path))
    assert markdown.count("**Explanation.**") == len(qs)
    for q in qs:
        assert f"autograded, {exercises.pts(q['points'])}" in markdown, q["name"]
    assert secret_lines(path) <= lines_of(code)
    assert "BEGIN SOLUTION" not in code and "END SOLUTION" not in code


# Points ----------------------------------------------------------------------------------

def autograder_tests(zip_path):
    """The test files in an autograder zip, as Otter's OK-format dicts."""
    import zipfile
    tests = {}
    with zipfile.ZipFile(zip_path) as z:
        for name in z.namelist():
            if name.startswith("tests/") and name.endswith(".py"):
                scope = {}
                exec(z.read(name).decode(), scope)
                tests[scope["test"]["name"]] = scope["test"]
    return tests


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_public_tests_carry_at_most_a_fifth_of_the_points(path):
    """Copying the prompt's example earns at most 20% of a question."""
    tests = autograder_tests(built(path.stem)["zip"])
    for q in masters.questions(master_nb(path)):
        test = tests[q["name"]]
        cases = [c for suite in test["suites"] for c in suite["cases"]]
        points = test["points"]
        assert isinstance(points, list) and len(points) == len(cases), q["name"]
        assert sum(points) == q["points"], q["name"]
        public = sum(p for p, c in zip(points, cases) if not c["hidden"])
        assert public <= 0.2 * q["points"], f"{q['name']}: public tests carry {public} points"
        assert any(c["hidden"] for c in cases), q["name"]


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_students_see_each_questions_points(path):
    nb = nbformat.read(built(path.stem)["student"], as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for q in masters.questions(master_nb(path)):
        assert f"({exercises.pts(q['points'])})" in text, q["name"]


# Grading with Otter, without Docker -------------------------------------------------------

def otter_run(zip_path, notebook, out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(otter_build.otter_command() + ["run", "--no-logo", "-a", str(zip_path),
                                                  "-o", str(out_dir), str(notebook)],
                          capture_output=True, text=True,
                          env=dict(os.environ, D2LMINI_MODE="quick"))
    results = out_dir / "results.json"
    if proc.returncode != 0 or not results.is_file():
        return {"error": f"otter run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"}
    scores = {t["name"]: (t["score"], t["max_score"])
              for t in json.loads(results.read_text())["tests"] if "max_score" in t}
    return {"scores": scores}


@pytest.fixture(scope="session")
def grades(tmp_path_factory):
    """One otter run per built notebook (solutions and student), run in parallel."""
    root = tmp_path_factory.mktemp("grading")
    jobs = {}
    for path in MASTERS:
        out = BUILD / path.stem
        zips = sorted((out / "autograder").glob("*.zip")) if (out / "autograder").is_dir() else []
        if not zips:
            continue
        for kind in ("autograder", "student"):
            nb = out / kind / f"{path.stem}.ipynb"
            jobs[(path.stem, kind)] = (zips[-1], nb, root / path.stem / kind)
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        futures = {key: pool.submit(otter_run, *args) for key, args in jobs.items()}
        return {key: f.result() for key, f in futures.items()}


def result(grades, stem, kind):
    built(stem)
    r = grades.get((stem, kind))
    if r is None or "error" in r:
        pytest.fail(f"grading the {kind} notebook of {stem}: {r and r['error']}")
    return r["scores"]


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_solutions_get_full_marks(path, grades):
    scores = result(grades, path.stem, "autograder")
    points = {q["name"]: q["points"] for q in masters.questions(master_nb(path))}
    assert {name: possible for name, (_, possible) in scores.items()} == points
    lost = {name: f"{score}/{possible}" for name, (score, possible) in scores.items()
            if score != possible}
    assert not lost, f"the solutions of {path.stem} lose points: {lost}"


@pytest.mark.parametrize("path", MASTERS, ids=IDS)
def test_student_notebook_as_handed_out_gets_zero(path, grades):
    scores = result(grades, path.stem, "student")
    assert scores, f"no questions graded for {path.stem}"
    earned = {name: score for name, (score, _) in scores.items() if score}
    assert not earned, f"the unanswered {path.stem} notebook earns points: {earned}"


# Grading a class: `make grade SUBMISSIONS=folder` ----------------------------------------

def test_grading_a_class_writes_one_csv_with_errors_apart_from_failures(tmp_path):
    import csv
    import grade
    stem = "adam"
    out = built(stem)
    subs = tmp_path / "submissions"
    subs.mkdir()
    nbformat.write(nbformat.read(out["autograder"], as_version=4), subs / f"{stem}-ann.ipynb")
    nbformat.write(nbformat.read(out["student"], as_version=4), subs / f"{stem}-ben.ipynb")
    crashing = nbformat.read(out["autograder"], as_version=4)
    first_answer = next(c for c in crashing.cells if c.cell_type == "code"
                        and c.source.lstrip().startswith(("def ", "class ", "import")))
    first_answer.source = "raise RuntimeError('broken on purpose')\n" + first_answer.source
    nbformat.write(crashing, subs / "cara.ipynb")  # named by Otter's metadata only
    # A real submission: the student notebook (whose Otter cell writes the
    # public tests) with the reference answers filled in.
    answers = {c.get("id"): c.source for c in nbformat.read(out["autograder"], as_version=4).cells}
    filled = nbformat.read(out["student"], as_version=4)
    for cell in filled.cells:
        if cell.cell_type == "code" and "..." in cell.source and cell.get("id") in answers:
            cell.source = answers[cell.get("id")]
    nbformat.write(filled, subs / f"{stem}-dan.ipynb")
    (subs / "notes.ipynb").write_text("not a notebook")
    csv_path, _ = grade.grade(subs, jobs=2)
    rows = list(csv.DictReader(open(csv_path)))
    assert list(rows[0]) == grade.COLUMNS
    by = {(r["student"], r["question"]): r for r in rows}
    master = master_nb(masters.MASTERS / f"{stem}.ipynb")
    questions = {q["name"]: q["points"] for q in masters.questions(master)}
    for q, points in questions.items():
        assert by[(f"{stem}-ann", q)]["status"] == "passed"
        assert by[(f"{stem}-dan", q)]["status"] == "passed"
        assert float(by[(f"{stem}-ann", q)]["points"]) == points
        assert float(by[(f"{stem}-ben", q)]["points"]) == 0
        assert by[(f"{stem}-ben", q)]["status"] in ("failed", "error")
    notebook_row = by[("cara", grade.NOTEBOOK)]
    assert notebook_row["status"] == "error" and "broken on purpose" in notebook_row["message"]
    assert by[("notes", grade.NOTEBOOK)]["status"] == "error"
    totals = {r["student"]: r for r in csv.DictReader(open(csv_path.parent / "totals.csv"))}
    assert list(totals["cara"]) == grade.TOTAL_COLUMNS
    assert float(totals[f"{stem}-ann"]["points"]) == sum(questions.values())
    assert float(totals[f"{stem}-ben"]["points"]) == 0
    assert totals["notes"]["points"] == "" and int(totals["notes"]["errors"]) == 1
    assert int(totals["cara"]["errors"]) >= 1
    assert (csv_path.parent / "feedback" / f"{stem}-ben.txt").is_file()
    feedback = (csv_path.parent / "feedback" / "cara.txt").read_text()
    assert "broken on purpose" in feedback and "total:" in feedback


def test_hostile_submissions_score_zero_and_change_nothing(tmp_path):
    """The hostile corpus (tests/assignments/hostile.py) graded with honest
    submissions, each in its sandbox: every hostile one scores zero where it
    cheats (every question when it changed what grading relies on), the
    honest ones get full marks, whatever is in the same run, nothing outside the sandboxes changed, and
    the run ends within a bound: the time limit, plus the honest work."""
    import csv
    import time

    import grade
    from hostile import CANARY, HOSTILE, WRITTEN
    subs = tmp_path / "submissions"
    subs.mkdir()
    points = {}
    for stem in sorted({stem for stem, *_ in HOSTILE.values()}):
        nbformat.write(submission(stem, {}), subs / f"{stem}-honest.ipynb")
        points[stem] = {q["name"]: q["points"]
                        for q in masters.questions(master_nb(masters.MASTERS / f"{stem}.ipynb"))}
    for label, (stem, question, source, _) in HOSTILE.items():
        nbformat.write(submission(stem, {question: source}), subs / f"{stem}-{label}.ipynb")
    canary = course.ROOT / "README.md"
    before = canary.stat().st_mtime
    with open(CANARY, "w") as f:
        f.write("the grader's own file")
    for path in WRITTEN:
        if os.path.exists(path):
            os.remove(path)
    timeout = 40
    t0 = time.monotonic()
    csv_path, _ = grade.grade(subs, jobs=2, timeout=timeout, memory_mb=2048)
    took = time.monotonic() - t0
    rows = list(csv.DictReader(open(csv_path)))
    got = {}
    for r in rows:
        got.setdefault(r["student"], {})[r["question"]] = r
    escaped = []
    for stem in points:
        honest = got[f"{stem}-honest"]
        assert grade.NOTEBOOK not in honest, honest
        for q, p in points[stem].items():
            assert float(honest[q]["points"]) == p, (stem, q, honest[q])
    for label, (stem, question, _, reach) in HOSTILE.items():
        graded = got[f"{stem}-{label}"]
        for q in points[stem]:
            earned = float(graded[q]["points"]) if q in graded else 0.0
            if earned and (reach == "notebook" or q == question):
                escaped.append(f"{label} {q}: {earned:g} points "
                               f"({graded.get(q, graded.get(grade.NOTEBOOK))})")
    assert not escaped, "\n".join(escaped)
    assert "timed out after 40 s" in got["resnet-infinite-loop"][grade.NOTEBOOK]["message"]
    tampered = got["resnet-patches-builtins"]["resnet-q-params"]["message"]
    assert "builtins.isinstance" in tampered and "torch.allclose" in tampered
    assert "while it was tested" in got["resnet-patches-while-tested"]["resnet-q-params"][
        "message"]
    assert open(CANARY).read() == "the grader's own file"
    assert not [p for p in WRITTEN if os.path.exists(p)]
    assert canary.stat().st_mtime == before
    # two workers: the loop's time limit, and about 15 s for each other submission
    bound = timeout + 15 * len(got) / 2 + 30
    assert took < bound, f"grading took {took:.0f} s, more than {bound:.0f} s"


def test_the_sandbox_benchmark_grades_both_ways(capsys):
    """benchmarks/grading_sandbox.py, on a small class: both ways give full marks
    (it exits otherwise) and it prints the ratio."""
    import importlib.util
    path = course.ROOT / "benchmarks" / "grading_sandbox.py"
    spec = importlib.util.spec_from_file_location("grading_sandbox", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["-n", "2", "-j", "1", "--repeat", "1"]) == 0
    assert "sandboxed / trusted: " in capsys.readouterr().out


def test_grading_refuses_to_run_without_a_sandbox(monkeypatch, tmp_path):
    """No bubblewrap: grading stops with a message that says what to install,
    unless the instructor says the submissions are trusted."""
    import grade
    import sandbox
    monkeypatch.setattr(sandbox, "bubblewrap", lambda: None)
    subs = tmp_path / "submissions"
    subs.mkdir()
    nbformat.write(submission("resnet", {}), subs / "resnet-ann.ipynb")
    with pytest.raises(sandbox.NoSandbox, match="apt-get install bubblewrap"):
        grade.grade(subs)
    assert grade.main([str(subs)]) == 1
    csv_path, rows = grade.grade(subs, trusted=True)
    assert {r[5] for r in rows} == {"passed"}


# Answers that delegate to d2lmini ---------------------------------------------------------

def test_every_question_that_forbids_has_a_delegating_answer():
    from delegations import DELEGATING
    forbidding = {q["name"] for p in MASTERS for q in masters.questions(master_nb(p))
                  if q["forbid"]}
    assert forbidding and set(DELEGATING) == forbidding


def test_students_are_told_what_they_must_not_use():
    for path in MASTERS:
        nb = masters.resolve(path)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        for q in masters.questions(master_nb(path)):
            if q["forbid"]:
                assert masters.forbid_sentence(q["forbid"]).strip() in text, q["name"]


def answer_cell(nb, question):
    """The code cell of a built solutions notebook that defines ``question``'s answer."""
    names = masters.answer_names(question)
    return next(c for c in nb.cells if c.cell_type == "code" and any(
        c.source.lstrip().startswith((f"def {n}(", f"class {n}(")) or
        f"\ndef {n}(" in c.source or f"\nclass {n}(" in c.source for n in names))


def submission(stem, answers):
    """The built solutions notebook of ``stem`` with ``answers`` ({question: source}) in
    place of the reference solutions of those questions."""
    nb = nbformat.read(built(stem)["autograder"], as_version=4)
    for q in masters.questions(master_nb(masters.MASTERS / f"{stem}.ipynb")):
        if q["name"] in answers:
            answer_cell(nb, q).source = answers[q["name"]].strip()
    return nb


def test_delegating_answers_score_zero(tmp_path):
    """Each delegating answer replaces the reference solution in the solutions
    notebook: its question scores zero, with a message that says why, while
    the other questions keep full marks."""
    import csv
    import grade
    from delegations import DELEGATING
    subs = tmp_path / "submissions"
    subs.mkdir()
    expected = {}
    for path in MASTERS:
        qs = masters.questions(master_nb(path))
        answers = {q["name"]: DELEGATING[q["name"]] for q in qs if q["forbid"]}
        if not answers:
            continue
        for q in qs:
            expected[(path.stem, q["name"])] = 0 if q["name"] in answers else q["points"]
        nbformat.write(submission(path.stem, answers), subs / f"{path.stem}-eve.ipynb")
    csv_path, _ = grade.grade(subs, jobs=2)
    rows = {(r["assignment"], r["question"]): r for r in csv.DictReader(open(csv_path))
            if r["question"] != grade.NOTEBOOK}
    assert set(rows) == set(expected)
    for key, points in expected.items():
        row = rows[key]
        assert float(row["points"]) == points, (key, row)
        if points == 0:
            assert row["status"] == "failed" and "your own code" in row["message"], row
    feedback = (csv_path.parent / "feedback" / "adam-eve.txt").read_text()
    assert "asks for your own code" in feedback


# Plausible mistakes ----------------------------------------------------------------------

def test_every_question_has_two_plausible_mistakes():
    """tests/assignments/mistakes.py: at least two labelled wrong answers per
    question, each defining what the question asks for."""
    import ast
    from mistakes import MISTAKES
    questions = {q["name"]: q for p in MASTERS for q in masters.questions(master_nb(p))}
    assert set(MISTAKES) == set(questions)
    for name, wrong in MISTAKES.items():
        labels = [label for label, _ in wrong]
        assert len(wrong) >= 2 and len(set(labels)) == len(labels) and all(labels), name
        for label, source in wrong:
            defined = {n.name for n in ast.parse(source).body
                       if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            assert set(masters.answer_names(questions[name])) <= defined, (name, label)


def feedback_of(text):
    """The lines of a feedback file about each question: {question: lines}."""
    blocks, name = {}, None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            name = line.partition(":")[0]
            blocks[name] = []
        elif line.strip() and name is not None:
            blocks[name].append(line.strip())
    return blocks


def test_mistakes_score_zero(tmp_path):
    """Mistake k of every question of an assignment replaces the reference
    solutions in one notebook (tests/assignments/mistakes.py): each loses all
    of its question's points, and the feedback says that every hidden test of
    the question failed, by number, and nothing else of them; the questions
    that have no k-th mistake keep their points."""
    import grade
    from mistakes import MISTAKES
    subs = tmp_path / "submissions"
    subs.mkdir()
    expected = {}  # (student, question): (the question, the mistake's label or None)
    for path in MASTERS:
        qs = masters.questions(master_nb(path))
        for k in range(max(len(MISTAKES[q["name"]]) for q in qs)):
            student = f"{path.stem}-mistake{k + 1}"
            wrong = {q["name"]: MISTAKES[q["name"]][k] for q in qs
                     if k < len(MISTAKES[q["name"]])}
            answers = {name: source for name, (_, source) in wrong.items()}
            nbformat.write(submission(path.stem, answers), subs / f"{student}.ipynb")
            for q in qs:
                label = wrong[q["name"]][0] if q["name"] in wrong else None
                expected[(student, q["name"])] = q, label
    _, rows = grade.grade(subs, jobs=2)
    crashed = [r for r in rows if r[2] == grade.NOTEBOOK]
    assert not crashed, f"notebooks that raised when they ran: {crashed}"
    points = {(r[0], r[2]): float(r[3]) for r in rows}
    assert set(points) == set(expected)
    escaped, lost, told = [], [], []
    for (student, name), (q, label) in sorted(expected.items()):
        got = points[(student, name)]
        if label is None:
            if got != q["points"]:
                lost.append(f"{student} {name}: {got:g} of {q['points']}")
            continue
        feedback = feedback_of((subs / "graded" / "feedback" / f"{student}.txt").read_text())
        n = len(q["hidden"])
        numbers = ", ".join(str(i) for i in range(1, n + 1))
        if got != 0 or f"hidden tests failed: {n} of {n} (number {numbers})" not in feedback[name]:
            escaped.append(f"{student} {name} ({label}): {got:g} points, {feedback[name]}")
        told += [f"{student} {name}: {line}" for line in feedback[name] if not line.startswith(
            ("public test failed: ", "hidden tests failed: "))]
    assert not escaped, "mistakes that earn points (strengthen the hidden tests):\n" + (
        "\n".join(escaped))
    assert not lost, f"questions answered right that lose points: {lost}"
    assert not told, f"feedback that tells more of the hidden tests than their numbers: {told}"


# A private copy of the masters: `make assignments MASTERS=folder` ---------------------------

def test_a_private_master_builds_with_its_own_prompt(tmp_path):
    """An instructor's copy may replace a chapter's prompt by one of its own,
    which students have not seen on the website; the public masters may not."""
    import sys
    nb = master_nb(masters.MASTERS / "adam.ipynb")
    placeholder = next(c for c in nb.cells if c.cell_type == "markdown"
                       and masters.PLACEHOLDER.match(c.source)
                       and "adam-q-bias" in c.source)
    placeholder.source = ("### Bias correction, our way\n\nWrite `bias_corrected_moments(grads, "
                          "beta1=0.9, beta2=0.999)`: the bias-corrected moments after the "
                          "gradients `grads` (a 1-D tensor).")
    with pytest.raises(exercises.AssignmentError, match="exactly one prompt cell"):
        masters.check_master(masters.MASTERS / "adam.ipynb", nb)
    private, out = tmp_path / "private", tmp_path / "out"
    private.mkdir()
    nbformat.write(nb, private / "adam.ipynb")
    env = dict(os.environ, D2LMINI_MASTERS=str(private), D2LMINI_ASSIGNMENTS_OUT=str(out))
    proc = subprocess.run([sys.executable, str(course.ROOT / "tools" / "assignments.py"),
                           "build", "adam"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    student = nbformat.read(out / "adam" / "student" / "adam.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    points = next(q["points"] for q in masters.questions(nb) if q["name"] == "adam-q-bias")
    assert f"### Bias correction, our way ({exercises.pts(points)})" in text
    key = nbformat.read(out / "adam" / "answer-key.ipynb", as_version=4)
    assert any("Questions of this assignment only" in c.source for c in key.cells)
    assert (out / "adam" / "autograder").is_dir() and not list(private.glob("*.zip"))
