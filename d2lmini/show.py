"""What a chapter shows: d2lmini's source code (instead of retyping it), and
results glued into its text (instead of typing numbers that may not hold)."""
import html
import inspect
import os
import textwrap

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

__all__ = ["show_source", "Source", "glue", "claim"]


class Source:
    """An object's source code that displays highlighted in a notebook.

    Its HTML carries inline styles (no stylesheet needed), so it looks the
    same in Jupyter, Colab and the built book; its plain-text form is the
    code itself.
    """

    def __init__(self, code, title):
        self.code = code
        self.title = title

    def _repr_html_(self):
        body = highlight(self.code, PythonLexer(), HtmlFormatter(noclasses=True, nobackground=True))
        return ('<div class="d2lmini-source" style="border:1px solid #ddd;border-radius:4px;'
                'padding:0 .6em;margin:.2em 0;overflow-x:auto;font-size:90%">'
                f'<div style="color:#666;font-size:85%;padding-top:.3em">{html.escape(self.title)}</div>'
                f'{body}</div>')

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
