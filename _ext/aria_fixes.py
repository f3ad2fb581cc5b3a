"""Sphinx extension: what assistive technology reads matches what a reader
sees, where the HTML that docutils and myst-nb write does not.

- Docutils writes each bibliography entry as ``<div role="doc-biblioentry">``
  inside ``<div role="list">``. WAI-ARIA 1.2 deprecated ``doc-biblioentry``
  and a list must hold list items, so screen readers met a list without items
  (axe-core: aria-deprecated-role, aria-required-children). Each entry is a
  ``listitem``, as DPUB-ARIA now asks.
- myst-nb labels the summary of a folded cell "Toggle hidden content" while it
  shows "Show code cell source"; a voice-control user who says what they see
  would not reach it (WCAG 2.5.3, axe: label-content-name-mismatch). Without
  the label, its name is the text it shows.
"""

FIXES = [
    ('role="doc-biblioentry"', 'role="listitem"'),
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
]


def fix_page(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body:
        for old, new in FIXES:
            body = body.replace(old, new)
        context["body"] = body


def setup(app):
    app.connect("html-page-context", fix_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
