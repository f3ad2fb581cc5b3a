"""Chapter code fits the page: every line of code a chapter shows, in its own
code cells or from d2lmini with show_source, is at most 80 characters (the
book's code column holds about 76), so that no code box scrolls sideways."""
import inspect
import textwrap
from pathlib import Path

import nbformat
import pytest

import displayed_code
from conftest import ROOT

LIMIT = 80


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
