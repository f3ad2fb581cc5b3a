"""The interactive figures of the website, offline, as a reader uses them.

Each page of a chapter that makes interactive figures (d2lmini.explore) is
opened from disk (file://) with every network request blocked; every slider
of every figure is moved with the keyboard, and the figure must redraw.
"""
import sys

import nbformat
import pytest

from conftest import ROOT, SITE

AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"

sys.path.insert(0, str(ROOT / "tests"))
from explorers import check_explorers, offline  # noqa: E402

#: The chapters that must have interactive figures, and how many at least.
REQUIRED = {"chapters/optimization/gd": 2, "chapters/optimization/sgd": 1,
            "chapters/optimization/minibatch-sgd": 1, "chapters/optimization/momentum": 1,
            "chapters/optimization/adagrad": 1, "chapters/optimization/rmsprop": 1,
            "chapters/optimization/adadelta": 1, "chapters/optimization/adam": 1,
            "chapters/optimization/convexity": 1, "chapters/cnn/convolutions": 2}


def figures_made(chapter):
    """How many code cells of the chapter end by making an explore() figure."""
    nb = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
    return sum("explore(" in c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("chapter", sorted(REQUIRED))
def test_interactive_figures_work_offline(browser, chapter):
    made = figures_made(chapter)
    assert made >= REQUIRED[chapter], f"{chapter} makes {made} interactive figures"
    offline(browser)
    try:
        browser.get((SITE / f"{chapter}.html").as_uri())
        shown = check_explorers(browser)
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    assert shown == made, f"{chapter}: {made} figures made, {shown} on the page"
    for mode in ("light", "dark"):  # axe-core's WCAG A and AA rules, on the figures
        browser.execute_script("document.documentElement.dataset.theme = arguments[0]", mode)
        assert not axe_violations(browser), (chapter, mode, axe_violations(browser))


def axe_violations(browser):
    """What axe-core finds wrong (WCAG 2 A and AA) in the page's figures."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make axe`")
    browser.execute_script(AXE.read_text())
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run({include: [['.d2l-explorer']]},
                {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
           .then(r => done(r.violations.map(v => v.id + ': ' +
                 v.nodes.map(n => n.target.join(' ')).join(', '))),
                 e => done(['axe failed: ' + e]))""")
    return result
