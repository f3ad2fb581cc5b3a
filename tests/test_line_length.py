"""Chapter code fits the page: every line of code a chapter shows, in its own
code cells, in the code blocks of its text (solutions among them) or from
d2lmini with show_source, is at most 80 characters (the book's code boxes
hold 80 at 13 px, tests/browser/test_layout.py), so that none scrolls
sideways."""
import inspect
import textwrap
from pathlib import Path

import nbformat
import pytest

import displayed_code
import myst  # tools/myst.py
from conftest import ROOT

LIMIT = 80


def test_code_lines_are_found_inside_directives_only():
    text = ("````{solution} q\n:class: dropdown\nprose that is long " + "x" * 80
            + "\n```python\nprint(1)\n```\nmore prose\n````\n~~~\ncode\n~~~\n")
    assert list(myst.code_lines(text)) == [(5, "print(1)"), (10, "code")]


def test_chapter_code_cells_fit_the_page():
    found = []
    for path in sorted((ROOT / "chapters").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code":
                continue
            for number, line in enumerate(cell.source.splitlines(), start=1):
                if len(line) > LIMIT:
                    found.append(f"{path.relative_to(ROOT)}:cell {index}:{number}: "
                                 f"{len(line)} characters")
    if found:
        pytest.fail(f"{len(found)} code-cell lines over {LIMIT} characters:\n"
                    + "\n".join(found), pytrace=False)


def test_code_blocks_of_the_text_fit_the_page():
    found = []
    pages = [ROOT / "intro.md", *sorted((ROOT / "chapters").rglob("*.md")),
             *sorted((ROOT / "chapters").rglob("*.ipynb"))]
    for path in pages:
        if ".ipynb_checkpoints" in path.parts:
            continue
        if path.suffix == ".ipynb":
            cells = [(index, cell.source) for index, cell
                     in enumerate(nbformat.read(path, as_version=4).cells)
                     if cell.cell_type == "markdown"]
        else:
            cells = [(None, path.read_text())]
        for index, text in cells:
            where = path.relative_to(ROOT)
            where = where if index is None else f"{where}:cell {index}"
            found += [f"{where}:{number}: {len(line)} characters"
                      for number, line in myst.code_lines(text) if len(line) > LIMIT]
    if found:
        pytest.fail(f"{len(found)} lines of code blocks in the text over {LIMIT} characters:\n"
                    + "\n".join(found), pytrace=False)


def test_shown_source_fits_the_page():
    """Measured as show_source shows it: a method dedented."""
    found = {}
    for expression in sorted({expr for _, expr in displayed_code.show_source_calls()}):
        obj = displayed_code.resolve(expression)
        lines, first = inspect.getsourcelines(obj)
        path = Path(inspect.getsourcefile(obj)).resolve()
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        shown = textwrap.dedent("".join(lines)).splitlines()
        for number, line in enumerate(shown, start=first):
            if len(line) > LIMIT:
                found.setdefault(f"{where}:{number}: {len(line)} characters", expression)
    if found:
        pytest.fail(f"{len(found)} shown-source lines over {LIMIT} characters:\n"
                    + "\n".join(f"{place} (in {expr})" for place, expr in found.items()),
                    pytrace=False)
