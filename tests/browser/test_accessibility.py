"""Every page of the website passes axe-core's WCAG 2.1 A and AA rules, in
the theme's light and dark mode.

The only violations let through belong to the theme's own elements, each
listed in THEME_OWNED with the reason (they are reported upstream, not
patched here). Needs the built site (`make book`) and axe-core (`make axe`).
"""
import pytest

from test_contrast import AXE, load, luminance
from test_site import PAGES

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MODES = ["light", "dark"]

#: (axe rule, CSS selector of the theme's element): why it is not ours to fix.
THEME_OWNED = {
    ("label-content-name-mismatch", ".search-button__button"):
        "pydata-sphinx-theme 0.17's search button is labelled 'Search' while its "
        "visible text is 'Search Ctrl+K' (WCAG 2.5.3 wants the label to contain it)",
    ("label-content-name-mismatch", ".theme-switch-button"):
        "pydata-sphinx-theme 0.17's colour-mode switch is labelled 'Color mode' while "
        "its icon's title, which axe counts as its text, says 'Light', 'Dark' or 'System'",
}


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make axe`")
    return AXE.read_text()


@pytest.fixture(scope="module", params=MODES)
def mode(request, browser, site_url):
    """Pages open in the theme's light or dark mode (pydata-sphinx-theme keeps
    the reader's choice in localStorage); the choice is forgotten afterwards."""
    load(browser, f"{site_url}/index.html")
    browser.execute_script("localStorage.setItem('mode', arguments[0]);"
                           "localStorage.setItem('theme', arguments[0]);", request.param)
    yield request.param
    browser.execute_script("localStorage.removeItem('mode'); localStorage.removeItem('theme')")


def violations(browser, axe_source):
    """axe-core's WCAG A/AA violations on the open page, as lines, without
    those of THEME_OWNED."""
    browser.execute_script(axe_source)
    result = browser.execute_async_script("""
        const [rules, owned, done] = arguments;
        axe.run(document, {runOnly: {type: 'tag', values: rules}}).then(r => done(
            r.violations.flatMap(v => v.nodes.filter(n => {
                const e = n.target.length === 1 && document.querySelector(n.target[0]);
                return !(e && owned.some(([rule, sel]) => rule === v.id && e.matches(sel)));
            }).map(n => `${v.id} (${v.help}): ${n.target.join(' ')}: `
                        + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)))),
            e => done(['axe failed: ' + e]));""", RULES, [list(k) for k in THEME_OWNED])
    return result


@pytest.mark.parametrize("page", [name for name, _ in PAGES] + ["genindex", "search"])
def test_every_page_passes_axe(browser, site_url, axe_source, mode, page):
    load(browser, f"{site_url}/{page}.html")
    theme, background = browser.execute_script(
        "return [document.documentElement.dataset.theme, "
        "getComputedStyle(document.body).backgroundColor]")
    assert theme == mode and (luminance(background) < 0.2) == (mode == "dark"), \
        f"{page} did not open in {mode} mode ({theme}, {background})"
    found = violations(browser, axe_source)
    assert not found, f"{len(found)} violations on {page} in {mode} mode:\n" + "\n".join(found)


def test_theme_exclusions_are_still_needed(browser, site_url, axe_source):
    """An exclusion that the theme no longer needs is dropped from the list."""
    load(browser, f"{site_url}/index.html")
    browser.execute_script(axe_source)
    seen = browser.execute_async_script("""
        const [rules, done] = arguments;
        axe.run(document, {runOnly: {type: 'tag', values: rules}}).then(r => done(
            r.violations.flatMap(v => v.nodes.map(n => [v.id, n.target.join(' ')]))));""",
                                        RULES)
    for rule, selector in THEME_OWNED:
        cls = selector.lstrip(".")
        assert any(r == rule and cls in target for r, target in seen), \
            f"{rule} on {selector} no longer occurs: remove it from THEME_OWNED"

