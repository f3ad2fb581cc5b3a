"""Show the source code of d2lmini in a chapter, instead of retyping it."""
import html
import inspect
import os
import textwrap

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

__all__ = ["show_source", "Source"]


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
