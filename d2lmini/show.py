"""What a chapter shows: d2lmini's source code (instead of retyping it), and
results glued into its text (instead of typing numbers that may not hold)."""
import html
import inspect
import os
import re
import textwrap

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.style import Style
from pygments.token import (Comment, Error, Keyword, Literal, Name, Operator, String,
                            Token)

__all__ = ["show_source", "Source", "glue", "claim"]


#: The colours of the book theme's Pygments styles (pydata-sphinx-theme's defaults,
#: accessible-pygments' a11y-high-contrast light and dark), which pass WCAG AA on
#: their backgrounds: shown source uses them where the theme is absent (plain
#: Jupyter, Colab), light or dark as the system is.
PALETTES = {
    "light": dict(background="#fefefe", text="#080808", comment="#515151", keyword="#6730c5",
                  literal="#7f4707", string="#00622f", definition="#005b82", error="#a12236"),
    "dark": dict(background="#2b2b2b", text="#f8f8f2", comment="#ffd900", keyword="#dcc6e0",
                 literal="#ffd900", string="#abe338", definition="#00e0e0", error="#ffa07a"),
}
#: Which colour each kind of token takes (its subtypes inherit it).
ROLES = {
    Token: "text", Comment: "comment", Error: "error",
    Keyword: "keyword", Operator.Word: "keyword", Name.Exception: "keyword",
    Literal: "literal", Keyword.Type: "literal", Name.Builtin: "literal",
    Name.Decorator: "literal", Name.Label: "literal", Name.Variable.Magic: "literal",
    String: "string", Operator: "string", Name.Entity: "string",
    Name.Function: "definition", Name.Class: "definition", Name.Constant: "definition",
    Name.Property: "definition", Name.Tag: "definition", String.Symbol: "definition",
    Name.Variable: "error", String.Regex: "error",
}
_FALLBACK_SCOPE = ":root:not([data-theme]) .d2lmini-source .highlight"


def _fallback_css(used):
    """The fallback colours of the Pygments classes in ``used`` and of the box,
    scoped to pages without the book's theme (whose ``<html>`` has no
    ``data-theme``), so that in the book the theme's own colours apply."""
    rules = [f"{_FALLBACK_SCOPE} {{padding: .4em .7em; border-radius: 4px}}",
             f"{_FALLBACK_SCOPE} pre {{margin: 0}}"]
    for mode, palette in PALETTES.items():
        style = type(f"D2lmini{mode.title()}", (Style,), {
            "background_color": palette["background"],
            "styles": {token: palette[role] for token, role in ROLES.items()}})
        lines = [f"{_FALLBACK_SCOPE}, {_FALLBACK_SCOPE} pre "
                 f"{{background: {palette['background']}; color: {palette['text']}}}"]
        for line in HtmlFormatter(style=style).get_token_style_defs(_FALLBACK_SCOPE):
            rule = line.split(" /*")[0]  # drop the comment
            if rule.split("{")[0].split()[-1].lstrip(".") in used:
                lines.append(rule)
        rules += lines if mode == "light" else ["@media (prefers-color-scheme: dark) {",
                                                *lines, "}"]
    return "\n".join(rules)


class Source:
    """An object's source code that displays highlighted in a notebook.

    Its HTML is a Pygments ``<div class="highlight">`` with CSS classes for
    the tokens, so the book's theme colours it as it colours its own code
    cells, in light and dark mode; a scoped ``<style>`` gives the same colours
    where that theme is absent. Its plain-text form is the code itself.
    """

    def __init__(self, code, title):
        self.code = code
        self.title = title

    def _repr_html_(self):
        body = highlight(self.code, PythonLexer(), HtmlFormatter())
        used = set(re.findall(r'<span class="([^"]+)"', body))
        return ('<div class="d2lmini-source" style="margin:.2em 0;overflow-x:auto">'
                f'<style>{_fallback_css(used)}</style>'
                '<div class="d2lmini-source-title" style="font-size:80%;padding:.3em 0">'
                f'{html.escape(self.title)}</div>{body}</div>')

    def __repr__(self):
        return f"# {self.title}\n{self.code}"

    def __str__(self):
        return self.code


def show_source(obj):
    """Return the source of a function, class, method or module, ready to display.

    The title names the file (relative to the package) and the line numbers,
    so a reader can find the code in the repository.
    """
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)
            or inspect.ismodule(obj)):
        raise TypeError("show_source expects a function, class, method or module, "
                        f"got {type(obj).__name__}")
    try:
        lines, start = inspect.getsourcelines(obj)
    except (OSError, TypeError) as e:
        raise TypeError(f"no source code is available for {obj!r} ({e})") from None
    path = inspect.getsourcefile(obj) or "?"
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.abspath(path).startswith(package_root + os.sep):
        path = os.path.relpath(path, package_root)
    start = max(start, 1)
    title = f"{path}, lines {start}-{start + len(lines) - 1}"
    return Source(textwrap.dedent("".join(lines)).rstrip() + "\n", title)


#: The MIME prefix under which myst-nb finds glued values without showing them.
GLUE_PREFIX = "application/papermill.record/"


def glue(name, value):
    """Make ``value`` available to the chapter's text as ``name`` and return it.

    The book's text refers to it as ``{glue:text}`name:.3f``` (myst-nb's
    glue role), so a number in a sentence is always the number the run on the
    page produced. Nothing is displayed (in Jupyter, Colab or the book); the
    value is stored in the cell's output the way ``myst_nb.glue(name, value,
    display=False)`` stores it, without needing myst-nb where the chapter runs.
    """
    try:
        from IPython import get_ipython
        from IPython.core.formatters import format_display_data
        from IPython.display import display
    except ImportError:  # pragma: no cover
        return value
    if get_ipython() is None:
        return value
    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
    return value


class ClaimError(AssertionError):
    """A sentence of the chapter is not true of the run on the page."""


def claim(holds, text):
    """Check a claim that the chapter's text makes about a result.

    ``holds`` is the claim evaluated on this run's numbers; ``text`` is the
    claim in words. A false claim raises :class:`ClaimError`, so a chapter
    never shows a result next to a sentence it contradicts (nbval and the
    book build fail instead). A true one prints ``text`` with a check mark.
    """
    if not holds:
        raise ClaimError(f"the chapter says that {text}, but this run shows otherwise")
    print(f"✓ {text}")
