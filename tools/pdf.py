"""The PDF edition of the book (`make pdf`).

1. Sphinx's singlehtml builder renders the whole book as one page, with the
   website's configuration (_config.yml, _toc.yml), into _build/pdf/singlehtml
   (doctrees and notebook images in _build/pdf too, apart from the website's).
   Notebooks show their stored outputs; one without would come from the
   website build's execution cache, _build/.jupyter_cache, so nothing runs.
2. Headless Chromium (the one the browser tests use) opens the page, waits
   for MathJax, adds a title page and a heading page for each part, puts a
   cell's printed outputs in one box, scales display math too wide for the
   page, and prints it with the DevTools command Page.printToPDF: A4, page
   numbers in the footer, links and a bookmark outline kept. It prints twice:
   the second time with the page numbers in the contents, found in the first
   print's text (pdftotext). _static/print.css lays the page out for paper:
   each chapter on a new page, no sidebars or buttons, code that wraps
   instead of running off the page, the interactive figures' first frame
   without their sliders, hide-input cells' code left out as the site folds it.

Two editions: d2lmini.pdf leaves the exercise solutions out (the solution
boxes and the solution cells, tagged hide-cell); d2lmini-instructors.pdf
prints them, opened. Both are copied into the website's folder, _build/html,
where its link to them (intro.md) looks.

    python tools/pdf.py [--no-build] [--out _build/pdf]
"""
import argparse
import base64
import datetime
import html
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from headless import chromium, serve

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "pdf"
EDITIONS = {"d2lmini.pdf": False, "d2lmini-instructors.pdf": True}  # name: with solutions
A4 = {"paperWidth": 8.27, "paperHeight": 11.69}  # inches
MARGINS = {"marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.6, "marginRight": 0.6}
FOOTER = ('<div style="width:100%;font-size:8pt;color:#555;text-align:center;'
          'font-family:sans-serif"><span class="pageNumber"></span></div>')


def setup(app):
    """Sphinx extension for this build: myst-nb registers its folded-cell node
    for the html builder only, and Sphinx does not fall back to those handlers
    for singlehtml once another extension (sphinx-exercise) has registered
    singlehtml ones."""
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
    app.add_node(HideCodeCellNode, override=True,
                 singlehtml=(visit_HideCellInput, depart_HideCellInput))
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def build(out):
    """The book as one HTML page, in out/singlehtml; warnings are errors."""
    from jupyter_book.config import get_final_config
    from jupyter_book.sphinx import build_sphinx
    overrides = {"external_toc_path": (ROOT / "_toc.yml").as_posix(),
                 "latex_individualpages": False, "nitpicky": True,
                 "nb_execution_cache_path": str(ROOT / "_build" / ".jupyter_cache")}
    config, _ = get_final_config(user_yaml=ROOT / "_config.yml", sourcedir=ROOT,
                                 cli_config=dict(overrides))
    sys.path.insert(0, str(ROOT / "tools"))
    overrides["extensions"] = config["extensions"] + ["pdf"]
    status = build_sphinx(ROOT, out / "singlehtml", doctreedir=out / ".doctrees",
                          noconfig=True, path_config=ROOT / "_config.yml",
                          confoverrides=overrides, builder="singlehtml",
                          warningiserror=True, keep_going=True)
    if status != 0:
        sys.exit(f"the singlehtml build failed: {status}")


def title_page():
    """HTML of the title page: title, authors, version and date."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    version = re.search(r"""__version__\s*=\s*["']([^"']+)""",
                        (ROOT / "d2lmini" / "version.py").read_text()).group(1)
    title, _, subtitle = config["title"].partition(": ")
    return (f'<h1>{html.escape(title)}</h1><p class="subtitle">{html.escape(subtitle)}</p>'
            f'<p class="authors">{html.escape(config["author"])}</p>'
            f'<p class="version">Version {version}, '
            f'{datetime.date.today():%-d %B %Y}</p>')


# Run in the page before printing: arguments[0] is the title page's HTML.
PREPARE = """
const printBody = document.getElementById('jb-print-docs-body');
const title = document.createElement('section');
title.className = 'd2lmini-title-page';
title.innerHTML = arguments[0];
printBody.querySelector('h1').replaceWith(title);
// a heading for each part, before its first chapter: the parts' toctrees
// are rendered in order, and the printed contents has their captions
const captions = [...printBody.querySelectorAll('#jb-print-toc p.caption')];
const parts = document.querySelectorAll('article.bd-article .toctree-wrapper');
if (captions.length === parts.length)
    parts.forEach((part, i) => {
        const h = document.createElement('h1');
        h.className = 'd2lmini-part';
        h.textContent = captions[i].textContent;
        part.prepend(h);
    });
// consecutive printed outputs of a cell in one box, as a notebook shows them
document.querySelectorAll('div.output.stream').forEach(out => {
    const before = out.previousElementSibling;
    if (before && before.matches('div.output.stream')) {
        before.querySelector('pre').append(...out.querySelector('pre').childNodes);
        out.remove();
    }
});
document.documentElement.dataset.theme = 'light';
return [...printBody.querySelectorAll('#jb-print-toc a')].map(a => a.textContent.trim());
"""
NUMBER_CONTENTS = """
// arguments[0]: the page of each entry of the printed contents, in order
document.querySelectorAll('#jb-print-toc a').forEach((a, i) => {
    let page = a.querySelector('.d2lmini-page');
    if (!page) {
        page = a.appendChild(document.createElement('span'));
        page.className = 'd2lmini-page';
    }
    page.textContent = arguments[0][i];
});
"""
OPEN_SOLUTIONS = """
document.querySelectorAll('details').forEach(d => d.open = true);
document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
"""
DROP_SOLUTIONS = """
document.querySelectorAll('div.solution, div.cell.tag_hide-cell').forEach(e => e.remove());
"""
WAIT_FOR_MATH = """
const done = arguments[arguments.length - 1];
if (window.MathJax && MathJax.startup && MathJax.startup.promise)
    MathJax.startup.promise.then(() => done(true), () => done(false));
else done(false);
"""
FIT_MATH = """
// display math wider than the page (on the website it scrolls) is scaled down
for (const math of document.querySelectorAll('mjx-container[display="true"]')) {
    const room = math.getBoundingClientRect().width;
    const wide = math.firstElementChild.getBoundingClientRect().width;
    if (wide > room && room > 0) math.style.zoom = room / wide;
}
"""
WAIT_FOR_IMAGES = """
const done = arguments[arguments.length - 1];
Promise.all([...document.images].map(img => img.decode().catch(() => null)))
    .then(() => done([...document.images].filter(i => !i.naturalWidth).map(i => i.src)));
"""


def fit_math(browser):
    """Scale down display math too wide for the page, measured in a viewport
    as wide as the printed text."""
    width = (A4["paperWidth"] - MARGINS["marginLeft"] - MARGINS["marginRight"]) * 96
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": int(width), "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    browser.execute_script(FIT_MATH)
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def first_pages(pdf, entries):
    """The page where each of entries (the contents' lines, in order) starts
    in pdf: the first page after the last one found that begins with it."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")]
    found, page = [], 2  # after the title page and the contents
    for entry in entries:
        page = next((i for i in range(page, len(pages)) if pages[i].startswith(entry)), None)
        if page is None:
            sys.exit(f"{pdf}: no page starts with {entry!r}")
        found.append(page + 1)
    return found


def print_pdf(browser, path):
    """Print the page as it is into path."""
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {
        **A4, **MARGINS, "printBackground": True, "displayHeaderFooter": True,
        "headerTemplate": "<div></div>", "footerTemplate": FOOTER,
        "generateDocumentOutline": True})
    path.write_bytes(base64.b64decode(pdf["data"]))


def print_editions(out):
    """Print both editions of out/singlehtml/intro.html into out."""
    server = serve(out / "singlehtml")
    browser = chromium("--hide-scrollbars")
    try:
        browser.set_script_timeout(300)
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/intro.html")
        if not browser.execute_async_script(WAIT_FOR_MATH):
            sys.exit("MathJax did not typeset the page")
        entries = browser.execute_script(PREPARE, title_page())
        # the instructors' edition first: the other one only removes
        for name, solutions in sorted(EDITIONS.items(), key=lambda e: not e[1]):
            browser.execute_script(OPEN_SOLUTIONS if solutions else DROP_SOLUTIONS)
            fit_math(browser)
            missing = browser.execute_async_script(WAIT_FOR_IMAGES)
            if missing:
                sys.exit(f"images that did not load: {missing[:5]}")
            start = time.time()
            # printed twice: the second time with the page numbers of the first
            print_pdf(browser, out / name)
            browser.execute_script(NUMBER_CONTENTS, first_pages(out / name, entries))
            print_pdf(browser, out / name)
            print(f"{out / name}: printed in {time.time() - start:.0f} s")
    finally:
        browser.quit()
        server.shutdown()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-build", action="store_true",
                        help="print the singlehtml build that is there")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    start = time.time()
    if not args.no_build:
        build(args.out)
        print(f"singlehtml build: {time.time() - start:.0f} s")
    print_editions(args.out)
    site = ROOT / "_build" / "html"
    if site.is_dir():  # where the website's link finds them (intro.md)
        for name in EDITIONS:
            shutil.copy2(args.out / name, site / name)
    print(f"PDF edition made in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
