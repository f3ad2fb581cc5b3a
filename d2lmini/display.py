"""Showing figures: in a notebook as SVG, elsewhere not at all.

Figures are drawn on :class:`matplotlib.figure.Figure` objects that pyplot does
not track, and shown through IPython's display machinery. In Jupyter and Colab
a live figure is one output that is updated in place; the notebook keeps only
its final state, so the saved notebook and the built book show one figure.
Outside a notebook (a script, a test) nothing is displayed.

Every figure is readable on a phone: the book shows a figure at its natural
width (``figwidth`` inches at 96 CSS px an inch) or, on a narrow screen,
shrunk to the width of the text (:data:`PHONE_WIDTH_PX`).
:func:`display_figure` raises any text that would then be smaller than
:data:`MIN_TEXT_PX` to that size, so wide figures get larger type.
"""
import contextlib
import io

from matplotlib.figure import Figure
from matplotlib.text import Text

__all__ = ["in_notebook", "use_svg_display", "new_figure", "display_figure",
           "figure_axes", "readable", "min_font_size", "text_px",
           "PHONE_WIDTH_PX", "MIN_TEXT_PX"]

#: The width of the text column on a 390 px wide phone, in CSS pixels.
PHONE_WIDTH_PX = 350
#: The smallest text, in CSS pixels, that a figure shows on that phone.
MIN_TEXT_PX = 9
_PX_PER_INCH = 96  # CSS pixels per inch; an SVG point is 1/72 inch


def in_notebook():
    """True inside a Jupyter kernel (Jupyter, JupyterLab, Colab, nbclient)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def use_svg_display():
    """Draw notebook figures as SVG: sharp at any zoom, in Jupyter and in the book."""
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover
        return
    set_matplotlib_formats("svg")


def text_px(fontsize, figwidth):
    """CSS pixels of text of ``fontsize`` points in a figure ``figwidth`` inches
    wide, shown on the phone (no wider than :data:`PHONE_WIDTH_PX`)."""
    natural = figwidth * _PX_PER_INCH
    return fontsize * _PX_PER_INCH / 72 * min(1.0, PHONE_WIDTH_PX / natural)


def min_font_size(figwidth):
    """The smallest font size, in points, readable on the phone in a figure
    ``figwidth`` inches wide (:data:`MIN_TEXT_PX` pixels)."""
    return MIN_TEXT_PX / text_px(1.0, figwidth)


def readable(fig):
    """Raise every text of ``fig`` smaller than :func:`min_font_size` to it; return ``fig``."""
    low = min_font_size(fig.get_figwidth())
    fig.draw_without_rendering()  # makes the tick labels there will be
    for ax in fig.axes:  # tick labels made later copy these sizes
        size = min((t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()),
                   default=low)
        if size < low:
            ax.tick_params(which="both", labelsize=low)
    for text in fig.findobj(Text):
        if text.get_fontsize() < low:
            text.set_fontsize(low)
    return fig


def new_figure(figsize=(3.5, 2.5), nrows=1, ncols=1, **kwargs):
    """A figure that pyplot does not track, and its axes."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def display_figure(fig, handle=None):
    """Make ``fig`` :func:`readable` and show it in the notebook, updating
    ``handle`` in place if given. Returns the display handle (None outside a
    notebook)."""
    readable(fig)
    if not in_notebook():
        return None
    from IPython.display import SVG, display
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    image = SVG(buf.getvalue())
    if handle is None:
        return display(image, display_id=True)
    handle.update(image)
    return handle


@contextlib.contextmanager
def figure_axes(axes=None, figsize=(3.5, 2.5), nrows=1, ncols=1, **kwargs):
    """Draw into ``axes`` if given (the caller shows the figure), or into the
    axes of a new figure, shown when the block ends.

    >>> with figure_axes(ax, figsize) as ax:
    ...     ax.plot(x, y)
    """
    if axes is not None:
        yield axes
        return
    fig, axes = new_figure(figsize, nrows, ncols, **kwargs)
    yield axes
    display_figure(fig)
