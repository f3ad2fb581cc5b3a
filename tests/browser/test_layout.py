"""Every page fits the screen, on a laptop (1280 px) and a phone (390 px).

With every folded cell and solution opened: the page never scrolls sideways,
no table, code box or output scrolls sideways inside it or runs past the
text column, and the text of every figure is at least 9 px high as shown.
A figure's text size is read from its SVG file (matplotlib draws a label as
glyphs scaled to its font size) or, for the interactive figures and inline
SVG, from the browser. Needs the built site (`make book`).
"""
import re
import sys
from functools import cache
from urllib.parse import unquote, urlparse

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ROOT, SITE

sys.path.insert(0, str(ROOT / "tools"))
import nbtool  # noqa: E402

PAGES = [name for name, path in nbtool.toc_files() if path is not None]
WIDTHS = {"laptop": 1280, "phone": 390}
MIN_TEXT_PX = 9

#: matplotlib's glyphs of a text of s points: transform="... scale(s/100 -s/100)".
GLYPH_SCALE = re.compile(r"scale\(([\d.]+) -([\d.]+)\)")
FONT_SIZE = re.compile(r"font-size(?:=\"|:\s*)([\d.]+)")
VIEWBOX = re.compile(r"viewBox=\"[\d.\-]+ [\d.\-]+ ([\d.]+) [\d.]+\"")


@cache
def smallest_text(svg_path):
    """(smallest font size, viewBox width) of an SVG file, both in its own
    units; None where it has no text."""
    text = svg_path.read_text(errors="replace")
    sizes = [float(a) * 100 for a, b in GLYPH_SCALE.findall(text) if a == b]
    sizes += [float(s) for s in FONT_SIZE.findall(text)]
    width = VIEWBOX.search(text)
    if not sizes or not width:
        return None
    return min(sizes), float(width.group(1))


def test_smallest_text_reads_matplotlib_and_plain_svg(tmp_path):
    drawn = tmp_path / "drawn.svg"
    drawn.write_text('<svg viewBox="0 0 432 187.2"><g transform="translate(1 2) '
                     'scale(0.111086 -0.111086)"/><g transform="scale(0.14 -0.14)"/></svg>')
    assert smallest_text(drawn) == pytest.approx((11.1086, 432))
    plain = tmp_path / "plain.svg"
    plain.write_text('<svg viewBox="0 0 749 300"><text font-size="13">a</text>'
                     '<text style="font-size: 11px">b</text></svg>')
    assert smallest_text(plain) == (11, 749)


def open_everything(browser, url):
    """Load ``url``, open every folded cell, solution and <details>."""
    browser.get(url)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        document.querySelectorAll('details').forEach(d => d.open = true);
        document.querySelectorAll('.toggle-hidden').forEach(
            e => e.classList.remove('toggle-hidden'));
        if (window.MathJax && MathJax.startup && MathJax.startup.promise)
            MathJax.startup.promise.then(() => done(), () => done());
        else done();""")


OVERFLOW = """
const main = document.querySelector('main').getBoundingClientRect();
const root = document.documentElement;
const found = [];
if (root.scrollWidth > root.clientWidth + 1)
    found.push(`the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
for (const e of document.querySelectorAll(
        'main table, main pre, main div.cell_output, main div.output, main .d2l-explorer')) {
    const box = e.getBoundingClientRect();
    if (box.width === 0) continue;
    const what = e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
        + ' "' + e.textContent.trim().slice(0, 50) + '"';
    if (e.scrollWidth > e.clientWidth + 1)
        found.push(`${what} scrolls sideways: ${e.scrollWidth} px in ${e.clientWidth} px`);
    else if (box.right > main.right + 1 || box.left < main.left - 1)
        found.push(`${what} runs past the text column (${Math.round(box.left)} to `
                   + `${Math.round(box.right)} px; the column is ${Math.round(main.left)} to `
                   + `${Math.round(main.right)} px)`);
}
return found;"""

FIGURES = """
const svgs = [];
for (const img of document.querySelectorAll('main img')) {
    const box = img.getBoundingClientRect();
    if (box.width > 0 && img.currentSrc.split('?')[0].endsWith('.svg'))
        svgs.push([img.currentSrc, box.width]);
}
const inline = [];
for (const text of document.querySelectorAll('main svg text')) {
    const matrix = text.getScreenCTM();
    if (!matrix || !text.textContent.trim() || text.getBoundingClientRect().width === 0) continue;
    const px = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b);
    inline.push([text.textContent.trim().slice(0, 30), px]);
}
return [svgs, inline];"""


def site_file(src):
    path = SITE / unquote(urlparse(src).path).lstrip("/")
    assert path.is_file(), f"{src} is not a file of {SITE}"
    return path


@pytest.mark.parametrize("width", WIDTHS, ids=str)
@pytest.mark.parametrize("page", PAGES)
def test_nothing_scrolls_sideways_and_figure_text_is_readable(browser, site_url, page, width):
    browser.set_window_size(WIDTHS[width], 900)
    try:
        open_everything(browser, f"{site_url}/{page}.html")
        problems = browser.execute_script(OVERFLOW)
        svgs, inline = browser.execute_script(FIGURES)
    finally:
        browser.set_window_size(1280, 900)
    for src, shown_px in svgs:
        smallest = smallest_text(site_file(src))
        if smallest is None:
            continue
        size, view_width = smallest
        px = size * shown_px / view_width
        if px < MIN_TEXT_PX - 0.05:
            problems.append(f"text of {src.rsplit('/', 1)[-1]} is {px:.1f} px high "
                            f"(the figure is shown {shown_px:.0f} px wide)")
    problems += [f"text {label!r} of an interactive figure is {px:.1f} px high"
                 for label, px in inline if px < MIN_TEXT_PX - 0.05]
    assert not problems, f"{page} at {WIDTHS[width]} px:\n" + "\n".join(problems)
