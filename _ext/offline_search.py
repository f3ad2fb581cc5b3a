"""Sphinx extension: search results show their snippet in a downloaded copy
of the website too.

Sphinx's search page fetches each result's page to cut a snippet from it. A
browser refuses such fetches from ``file://``, so a copy opened from disk
listed pages without snippets. The build writes the text of every page
(its main block: sections with their ids, no scripts, styles or images)
into ``searchtexts.js`` beside ``searchindex.js``; on the search page, and
only when it is opened from ``file://``, a few lines of JavaScript load that
file and answer the search's fetches from it. On a web server nothing
changes.
"""
import json
import re
from pathlib import Path

TEXTS = "searchtexts.js"

LOADER = """
(function () {
  if (location.protocol !== "file:") return;
  var root = new URL(".", location.href).href;  // the search page is at the root
  var texts = new Promise(function (resolve) {
    var script = document.createElement("script");
    script.src = "%s";
    script.onload = function () { resolve(window.D2LMINI_SEARCH_TEXTS || {}); };
    script.onerror = function () { resolve({}); };
    document.head.appendChild(script);
  });
  var fetchPage = window.fetch;
  window.fetch = function (url) {
    var href = new URL(String(url), location.href).href.split("#")[0];
    if (href.indexOf(root) !== 0 || !/\\.html$/.test(href))
      return fetchPage.apply(this, arguments);
    var page = href.slice(root.length, -".html".length);
    return texts.then(function (all) {
      return new Response(all[page] || "", {headers: {"Content-Type": "text/html"}});
    });
  };
})();
""" % TEXTS

DROP = ["script", "style", "svg", "img", "button", "input", "noscript", "form",
        ".headerlink", ".d2l-explorer"]


def page_text(html):
    """The main block of a page as small HTML: its text, in the elements
    that have an id (a result's anchor) and nothing else."""
    from bs4 import BeautifulSoup
    main = BeautifulSoup(html, "html.parser").select_one('[role="main"]')
    if main is None:
        return ""
    for selector in DROP:
        for element in main.select(selector):
            element.decompose()
    for tag in main.find_all(True):
        if tag.get("id"):
            tag.attrs = {"id": tag["id"]}  # where a result's anchor points
        else:
            tag.unwrap()
    main.attrs = {"role": "main"}
    return re.sub(r"\s+", " ", str(main))


def add_loader(app, pagename, templatename, context, doctree):
    if pagename == "search" and app.builder.name == "html":
        app.add_js_file(None, body=LOADER)


def write_texts(app, exception):
    if exception is not None or app.builder.name != "html":
        return
    out = Path(app.outdir)
    texts = {}
    for docname in sorted(app.env.found_docs):
        page = out / f"{docname}.html"
        if page.is_file():
            texts[docname] = page_text(page.read_text(encoding="utf-8"))
    body = json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")
    (out / TEXTS).write_text(f"window.D2LMINI_SEARCH_TEXTS = {body};\n", encoding="utf-8")


def setup(app):
    app.connect("html-page-context", add_loader)
    app.connect("build-finished", write_texts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
