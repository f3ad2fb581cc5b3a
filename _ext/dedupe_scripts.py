"""Sphinx extension: drop repeated inline <script> blocks from every page.

sphinx-togglebutton and sphinx-thebe add inline scripts (``const THEBE_JS_URL =
...``) once to the application and once to the HTML builder, and Sphinx keeps
both because inline scripts have no file name to tell them apart. A second
``const`` declaration is a JavaScript SyntaxError in the reader's browser, so
each page keeps only the first copy of each script.
"""


def _key(script):
    attributes = getattr(script, "attributes", {}) or {}
    # an inline script's file name is '' in one list and None in the other
    return (getattr(script, "filename", str(script)) or None, tuple(sorted(attributes.items())))


def dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    # in place: the list is the builder's own, and handlers that run after
    # this one (MathJax's, for one) still add to it
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
