"""Shown source is readable without the book's theme too: axe-core's
color-contrast rule finds no token of ``d2lmini.show_source`` output below
WCAG AA (4.5:1; 3:1 for large text) on a plain page (as in Jupyter or Colab),
with the system's light and dark colour scheme. (On the website, every page
passes all of axe's WCAG A and AA rules: test_accessibility.py.) Needs
axe-core (`make axe`); `make site` runs it.
"""
import html
import re
import sys

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ROOT, SITE

sys.path.insert(0, str(ROOT / "tools"))
import displayed_code  # noqa: E402

AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
MODES = ["light", "dark"]


def pages_with_source():
    if not SITE.is_dir():
        return []
    return sorted(str(path.relative_to(SITE)) for path in SITE.rglob("*.html")
                  if 'class="d2lmini-source"' in path.read_text(errors="replace"))


PAGES = pages_with_source()


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make axe`")
    return AXE.read_text()


def luminance(css_colour):
    """WCAG's relative luminance of an ``rgb(...)``/``rgba(...)`` colour."""
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css_colour)[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def load(browser, url):
    browser.get(url)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def contrast_violations(browser, axe_source):
    """Run only axe's color-contrast rule on the shown source of the open page:
    the number of text nodes it checked, and a line for each one that fails."""
    browser.execute_script(axe_source)
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run({include: [['.d2lmini-source']]},
                {runOnly: {type: 'rule', values: ['color-contrast']}})
           .then(r => done({
               checked: r.passes.concat(r.violations).reduce((n, x) => n + x.nodes.length, 0),
               violations: r.violations.flatMap(v => v.nodes).map(n => ({
                   target: n.target.join(' '), html: n.html,
                   data: (n.any[0] || {}).data || {}}))}),
                 e => done({error: String(e)}))""")
    assert "error" not in result, result.get("error")
    lines = [f"{v['target']}: {v['data'].get('contrastRatio')}:1 < "
             f"{v['data'].get('expectedContrastRatio')} ({v['data'].get('fgColor')} on "
             f"{v['data'].get('bgColor')}) {v['html'][:80]}" for v in result["violations"]]
    return result["checked"], lines


def test_the_site_shows_source():
    assert PAGES, f"no page of {SITE} shows source (`make book` first)"


PLAIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>shown source without the theme</title>
<style>
body {{ font-family: sans-serif; background: #fff; color: #000; }}
@media (prefers-color-scheme: dark) {{ body {{ background: #111; color: #ddd; }} }}
</style></head><body><main>{}</main></body></html>"""


@pytest.mark.parametrize("mode", MODES)
def test_shown_source_passes_contrast_without_the_theme(browser, axe_source, tmp_path, mode):
    """The colours show_source falls back on where the book's theme is absent,
    for every object that the chapters show."""
    import d2lmini
    expressions = sorted({expr for _, expr in displayed_code.show_source_calls()})
    parts = []
    for expression in expressions:
        source = d2lmini.show_source(displayed_code.resolve(expression))
        parts.append(f"<h2>{html.escape(expression)}</h2>{source._repr_html_()}")
    page = tmp_path / "plain.html"
    page.write_text(PLAIN_PAGE.format("\n".join(parts)))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": mode}]})
    try:
        load(browser, page.as_uri())
        code_bg = browser.execute_script(
            "return getComputedStyle(document.querySelector('.highlight')).backgroundColor")
        assert (luminance(code_bg) < 0.2) == (mode == "dark"), code_bg
        checked, failures = contrast_violations(browser, axe_source)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert checked > 0
    assert not failures, (f"{len(failures)} of {checked} text nodes of shown source fail "
                          f"contrast without the theme, {mode}:\n" + "\n".join(failures))
