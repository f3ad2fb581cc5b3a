"""Figures: live training curves, image grids, curves of a function.

Figures are made and shown with :mod:`d2lmini.display`, which keeps their
text readable on a phone; the optimization traces are in :mod:`d2lmini.traces`.
"""
import textwrap

from matplotlib.ticker import MaxNLocator

from .display import display_figure, figure_axes, min_font_size, new_figure

__all__ = ["LivePlot", "show_images", "plot"]


class LivePlot:
    """Curves that grow point by point, redrawn in place in a notebook.

    >>> plot = LivePlot(xlabel="epoch", legend=["train loss", "test acc"], xlim=[1, 10])
    >>> plot.add(1, [0.9, 0.6])     # one x, one y per curve (None skips a curve)
    """

    def __init__(self, xlabel=None, ylabel=None, legend=(), xlim=None, ylim=None,
                 figsize=(4.5, 3), fmts=("-", "m--", "g-.", "r:")):
        self.legend = list(legend)
        self.fig, self.ax = new_figure(figsize)
        self.config = dict(xlabel=xlabel, ylabel=ylabel, xlim=xlim, ylim=ylim)
        self.fmts = fmts
        self.xs = [[] for _ in self.legend]
        self.ys = [[] for _ in self.legend]
        self._handle = None

    def add(self, x, ys):
        if len(ys) != len(self.legend):
            raise ValueError(f"expected {len(self.legend)} values (one per curve), got {len(ys)}")
        for i, y in enumerate(ys):
            if y is not None:
                self.xs[i].append(x)
                self.ys[i].append(float(y))
        self.draw()

    def draw(self):
        ax = self.ax
        ax.cla()
        for xs, ys, fmt, label in zip(self.xs, self.ys, self.fmts * 4, self.legend):
            ax.plot(xs, ys, fmt, label=label, marker="o" if len(xs) < 3 else None, markersize=3)
        c = self.config
        ax.set_xlabel(c["xlabel"] or "")
        ax.set_ylabel(c["ylabel"] or "")
        if c["xlim"]:
            ax.set_xlim(c["xlim"])
        if c["ylim"]:
            ax.set_ylim(c["ylim"])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        if self.legend:
            ax.legend(fontsize="small", loc="best")
        self._handle = display_figure(self.fig, self._handle)


def _wrap(title, width):
    """``title`` broken at spaces into lines of about ``width`` characters."""
    return "\n".join(textwrap.fill(line, width, break_long_words=False,
                                   break_on_hyphens=False)
                     for line in str(title).split("\n"))


def show_images(images, num_rows, num_cols, titles=None, scale=1.1):
    """Draw a grid of images (a tensor or array of shape (n, h, w) or (n, 1, h, w)).

    Each image is ``scale`` inches wide. Titles are set at the smallest size
    readable on a phone, broken at spaces to fit their column. Returns the
    figure; in a notebook it is also displayed (end the line with ``;`` so
    that the returned figure is not shown a second time).
    """
    n = num_rows * num_cols
    if len(images) < n:
        raise ValueError(f"a {num_rows}x{num_cols} grid needs {n} images, got {len(images)}")
    if titles is not None and len(titles) < n:
        raise ValueError(f"a {num_rows}x{num_cols} grid needs {n} titles, got {len(titles)}")
    size = max(9.0, min_font_size(num_cols * scale))  # points
    if titles is not None:  # about 0.6 em a character
        titles = [_wrap(t, max(4, int(scale * 72 / (0.6 * size)))) for t in titles[:n]]
    lines = 0 if titles is None else max(t.count("\n") + 1 for t in titles)
    row = scale + lines * size * 1.25 / 72  # inches: the image and its title
    fig, axes = new_figure((num_cols * scale, num_rows * row), num_rows, num_cols,
                           squeeze=False)
    for i, ax in enumerate(axes.flat):
        img = images[i]
        if hasattr(img, "detach"):
            img = img.detach().cpu().numpy()
        img = img.reshape(img.shape[-2:])
        ax.imshow(img, cmap="gray_r")
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i], fontsize=size)
    display_figure(fig)
    return fig


def _as_list(v):
    if hasattr(v, "detach"):
        v = v.detach().cpu().numpy()
    return v


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"),
         figsize=(3.5, 2.5), title=None, ax=None):
    """Plot one or several curves and display the figure; return the figure.

    ``X`` and ``Y`` are sequences (lists, arrays or tensors) or lists of them:
    ``plot(x, [f(x), g(x)], legend=["f", "g"])`` draws two curves over the same
    x. With ``Y`` omitted, ``X`` is plotted against its index. Pass ``ax`` to
    draw into an existing axes (nothing is displayed then: the caller shows
    the figure).
    """
    def has_one_axis(v):
        v = _as_list(v)
        return hasattr(v, "ndim") and v.ndim == 1 or (
            isinstance(v, list) and (not v or not hasattr(v[0], "__len__")))
    if Y is None:
        Y = [X] if has_one_axis(X) else list(X)
        X = [list(range(len(_as_list(y)))) for y in Y]
    if has_one_axis(Y):
        Y = [Y]
    if has_one_axis(X):
        X = [X] * len(Y)
    if len(X) != len(Y):
        raise ValueError(f"got {len(X)} x sequences for {len(Y)} y sequences")
    if legend is not None and len(legend) != len(Y):
        raise ValueError(f"got {len(legend)} legend entries for {len(Y)} curves")
    with figure_axes(ax, figsize) as ax:
        for i, (x, y) in enumerate(zip(X, Y)):
            ax.plot(_as_list(x), _as_list(y), fmts[i % len(fmts)],
                    label=None if legend is None else legend[i])
        ax.set_xlabel(xlabel or "")
        ax.set_ylabel(ylabel or "")
        ax.set_xscale(xscale)
        ax.set_yscale(yscale)
        if xlim is not None:
            ax.set_xlim(xlim)
        if ylim is not None:
            ax.set_ylim(ylim)
        if title:
            ax.set_title(title)
        if legend is not None:
            ax.legend(fontsize="small")
        ax.grid(True, alpha=0.3)
    return ax.figure
