"""The built website shows no reference solution of an autograded question
(run after `make book`)."""
import html
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import masters  # noqa: E402

SITE = ROOT / "_build" / "html"


def page_lines(page):
    """The lines of text of an HTML page, tags removed and entities decoded."""
    text = re.sub(r"<[^>]+>", "", page.read_text(errors="replace"))
    return {line.strip() for line in html.unescape(text).splitlines() if line.strip()}


def test_the_site_shows_no_autograded_solution():
    pages = sorted(SITE.rglob("*.html"))
    if not pages:
        pytest.fail("no website in _build/html: run `make book` first")
    shown = set().union(*(page_lines(p) for p in pages))
    # What the chapters teach is public by design: d2lmini's code, which the
    # pages show, and the chapters' own code cells.
    taught = {line.strip() for f in (ROOT / "d2lmini").rglob("*.py")
              for line in f.read_text().splitlines()}
    taught |= {line.strip() for f in (ROOT / "chapters").rglob("*.ipynb")
               for c in nbformat.read(f, as_version=4).cells if c.cell_type == "code"
               for line in c.source.splitlines()}
    checked = 0
    for path in masters.master_paths():
        secret = {line for line in masters.secret_solution_lines(path)
                  if len(line) >= 16 and line not in taught}
        leaked = sorted(secret & shown)
        assert not leaked, f"the website shows solution lines of {path.stem}: {leaked}"
        checked += len(secret)
    assert checked > 100


def test_autograded_exercises_say_where_they_are_graded():
    page = (SITE / "chapters" / "optimization" / "adam.html").read_text()
    assert "is part of the assignment" in page and "<code" in page
