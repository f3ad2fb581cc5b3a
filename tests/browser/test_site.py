"""Every page of the built website, as a reader sees it in Chromium.

Needs the built site (`make book`); run by `make test` after the book build.
A full-page screenshot of every page is saved to _build/screenshots/.
"""
import re
import sys
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ROOT, SCREENSHOTS, SITE

sys.path.insert(0, str(ROOT / "tools"))
import nbtool  # noqa: E402

PAGES = [(name, path) for name, path in nbtool.toc_files() if path is not None]
REPO = nbtool.repository_url()


def page_id(page):
    return page[0]


def open_page(browser, url):
    browser.get_log("browser")  # forget messages of earlier pages
    browser.get(url)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    # wait until MathJax has typeset the page (where it is loaded)
    browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        if (window.MathJax && MathJax.startup && MathJax.startup.promise)
            MathJax.startup.promise.then(() => done(true), () => done(false));
        else done(false);""")


def save_screenshot(browser, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(height, 900), 30000))
    path = SCREENSHOTS / (name.replace("/", "__") + ".png")
    browser.save_screenshot(str(path))
    browser.set_window_size(1280, 900)
    return path


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_page_as_a_reader_sees_it(browser, site_url, page):
    name, source = page
    open_page(browser, f"{site_url}/{name}.html")
    assert "404" not in browser.title

    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE"]
    assert not errors, f"JavaScript errors on {name}: {errors}"

    images = browser.execute_script("""
        return Array.from(document.querySelectorAll('main img')).map(img => ({
            src: img.currentSrc, complete: img.complete, width: img.naturalWidth,
            hidden: !!img.closest('.toggle-hidden, details:not([open])')}))""")
    broken = [img["src"] for img in images if not (img["complete"] and img["width"] > 0)]
    assert not broken, f"images that did not load on {name}: {broken}"

    # The comments that mark cells for the tests are not shown.
    shown = browser.execute_script("return document.querySelector('main').textContent")
    assert "NBVAL_" not in shown, f"a test marker is shown on {name}"

    # Math is typeset: no raw TeX delimiters outside code, and MathJax output present.
    text = browser.execute_script("""
        const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('pre, code, .highlight, .output').forEach(e => e.remove());
        return main.innerText""")
    for raw in ("$", "\\(", "\\)", "\\[", "\\]"):
        assert raw not in text, f"untypeset math ({raw}) on {name}"
    command = re.search(r".{0,40}\\[a-zA-Z]{2,}.{0,20}", text)
    assert command is None, f"raw TeX on {name}: {command.group(0)!r}"
    if browser.find_elements(By.CSS_SELECTOR, "main .math"):
        assert browser.find_elements(By.CSS_SELECTOR, "main mjx-container"), \
            f"MathJax did not typeset {name}"

    if source.suffix == ".ipynb":
        rel = source.relative_to(ROOT).as_posix()
        links = [a.get_attribute("href") for a in browser.find_elements(By.TAG_NAME, "a")]
        branch = nbtool.config()["repository"]["branch"]  # the plain edition's branch
        colab = (f"https://colab.research.google.com/github/{REPO.split('github.com/')[1]}"
                 f"/blob/{branch}/{rel}")
        assert colab in links, f"no Colab link to {rel} on {name}"
        downloads = [h for h in links if h and h.endswith(f"_sources/{rel}")]
        assert downloads, f"no .ipynb download link on {name}"
        with urllib.request.urlopen(downloads[0]) as response:
            assert response.status == 200 and b'"cells"' in response.read()

    # Solutions are closed until the reader opens them.
    for solution in browser.find_elements(By.CSS_SELECTOR, "main div.solution"):
        body = solution.find_elements(By.CSS_SELECTOR, "section")
        assert body and not any(b.is_displayed() for b in body), \
            f"an exercise solution is open by default on {name}"

    shot = save_screenshot(browser, name)
    assert shot.stat().st_size > 10_000


def test_search_finds_a_term_from_a_chapter(browser, site_url):
    open_page(browser, f"{site_url}/search.html?q=softmax")
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li"))
    hits = [a.get_attribute("href") for a in
            browser.find_elements(By.CSS_SELECTOR, "#search-results li a")]
    assert any("chapters/preliminaries" in h for h in hits), hits
    save_screenshot(browser, "search")


def test_search_from_a_downloaded_copy_shows_snippets(browser):
    """Opened from disk (file://), where the browser refuses the fetches that
    the search page cuts its snippets from: each result still has one."""
    browser.get((SITE / "search.html").as_uri() + "?q=softmax")
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li p.context"))
    items = browser.find_elements(By.CSS_SELECTOR, "#search-results li")
    snippets = [li.find_elements(By.CSS_SELECTOR, "p.context") for li in items]
    assert items and all(snippets), f"{sum(map(bool, snippets))} of {len(items)} have a snippet"
    assert "softmax" in snippets[0][0].text.lower()


def test_math_is_served_by_the_site_itself(site_url):
    html = (ROOT / "_build" / "html" / "chapters" / "preliminaries.html").read_text()
    assert "_static/mathjax/tex-chtml.js" in html
    assert "cdn.jsdelivr.net" not in html and "mathjax@" not in html
    with urllib.request.urlopen(f"{site_url}/_static/mathjax/tex-chtml.js") as response:
        assert response.status == 200
