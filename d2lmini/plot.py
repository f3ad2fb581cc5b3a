"""Figures: live training curves, image grids, the notebook progress bar.

Figures are drawn on :class:`matplotlib.figure.Figure` objects that pyplot does
not track, and shown through IPython's display machinery. In Jupyter and Colab
a live figure is one output that is updated in place; the notebook keeps only
its final state, so the saved notebook and the built book show one figure.
Outside a notebook (a script, a test) nothing is displayed.
"""
import io

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullFormatter
from tqdm.std import tqdm as _std_tqdm

__all__ = ["in_notebook", "use_svg_display", "LivePlot", "show_images", "new_figure",
           "display_figure", "plot", "plot_trace_1d", "plot_trace_2d", "plot_loss_curves",
           "progress_bar"]


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


class _NotebookBar(_std_tqdm):
    """A tqdm bar drawn as one notebook output that is updated in place.

    Works in any Jupyter front end (no widgets needed), and the saved notebook
    keeps the bar's final state only.
    """

    def __init__(self, *args, **kwargs):
        from IPython.display import Pretty, display
        self._handle = display(Pretty(""), display_id=True)
        kwargs["file"] = io.StringIO()
        super().__init__(*args, **kwargs)

    def display(self, msg=None, pos=None):
        from IPython.display import Pretty
        self._handle.update(Pretty(msg if msg is not None else self.__str__()))
        return True


def progress_bar(total, desc=None, enabled=True):
    """A tqdm progress bar: in place in a notebook, on stderr elsewhere."""
    cls = _NotebookBar if in_notebook() else _std_tqdm
    return cls(total=total, desc=desc, disable=not enabled, mininterval=0.5,
               ascii=False if cls is _NotebookBar else None,
               bar_format="{l_bar}{bar:20}{r_bar}")


def new_figure(figsize=(3.5, 2.5), nrows=1, ncols=1, **kwargs):
    """A figure that pyplot does not track, and its axes."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def display_figure(fig, handle=None):
    """Show ``fig`` in the notebook, updating ``handle`` in place if given.

    Returns the display handle (None outside a notebook).
    """
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


def show_images(images, num_rows, num_cols, titles=None, scale=1.1):
    """Draw a grid of images (a tensor or array of shape (n, h, w) or (n, 1, h, w)).

    Returns the figure; in a notebook it is also displayed (end the line with
    ``;`` so that the returned figure is not shown a second time).
    """
    n = num_rows * num_cols
    if len(images) < n:
        raise ValueError(f"a {num_rows}x{num_cols} grid needs {n} images, got {len(images)}")
    if titles is not None and len(titles) < n:
        raise ValueError(f"a {num_rows}x{num_cols} grid needs {n} titles, got {len(titles)}")
    fig, axes = new_figure((num_cols * scale, num_rows * scale * 1.15), num_rows, num_cols,
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
            ax.set_title(titles[i], fontsize=9)
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
    show = ax is None
    fig = None
    if show:
        fig, ax = new_figure(figsize)
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
    if show:
        display_figure(fig)
    return fig if show else ax.figure


def _finish(fig, show):
    if show:
        display_figure(fig)
    return fig


def _trace_points(points, ncols):
    import torch
    points = torch.as_tensor(points, dtype=torch.float64).detach().cpu()
    if ncols == 1 and points.dim() == 1:
        return points.numpy()
    if points.dim() != 2 or points.shape[1] != ncols:
        raise ValueError(f"expected a trajectory of shape (T+1, {ncols}), got {tuple(points.shape)}")
    return points.numpy()


def plot_trace_1d(f, points, xlim=None, ax=None, figsize=(3.5, 2.5), title=None,
                  xlabel="x", ylabel="f(x)"):
    """Draw ``f`` and, on it, the iterates ``points`` of a 1-D optimization, joined in order.

    ``f`` takes a float64 tensor and returns one (the functions of
    :mod:`d2lmini.toys` do). ``xlim`` defaults to a symmetric range that
    holds every iterate. Returns the figure; it is displayed unless ``ax``
    (an existing axes) is given.
    """
    import numpy as np
    import torch
    xs = _trace_points(points, 1)
    if xlim is None:
        r = max(float(np.abs(xs).max()), 1.0) * 1.1
        xlim = (-r, r)
    grid = torch.linspace(xlim[0], xlim[1], 300, dtype=torch.float64)
    with torch.no_grad():
        fx = f(grid).numpy()
        fp = f(torch.as_tensor(xs)).numpy()
    show = ax is None
    fig = None
    if show:
        fig, ax = new_figure(figsize)
    ax.plot(grid.numpy(), fx, "-", color="C0")
    ax.plot(xs, fp, "-o", color="C1", markersize=3, linewidth=1)
    ax.set_xlabel(xlabel or "")
    ax.set_ylabel(ylabel or "")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    return _finish(fig, show) if show else ax.figure


def plot_trace_2d(f, points=None, xlim=None, ylim=None, ax=None, figsize=(3.5, 2.5), title=None,
                  levels=12):
    """Draw contour lines of ``f(x1, x2)`` and the iterates ``points`` (shape (T+1, 2)) on them.

    ``f`` takes two float64 tensors of the same shape (a meshgrid). Without
    ``points`` only the contours are drawn. The limits default to a box around
    the iterates and the origin. Returns the figure; it is displayed unless
    ``ax`` is given.
    """
    import numpy as np
    import torch
    pts = None if points is None else _trace_points(points, 2)
    if xlim is None or ylim is None:
        box = np.zeros((1, 2)) if pts is None else np.vstack([pts, np.zeros((1, 2))])
        lo, hi = box.min(axis=0), box.max(axis=0)
        pad = np.maximum((hi - lo) * 0.1, 0.5)
        xlim = xlim if xlim is not None else (lo[0] - pad[0], hi[0] + pad[0])
        ylim = ylim if ylim is not None else (lo[1] - pad[1], hi[1] + pad[1])
    g1 = torch.linspace(xlim[0], xlim[1], 200, dtype=torch.float64)
    g2 = torch.linspace(ylim[0], ylim[1], 200, dtype=torch.float64)
    x1, x2 = torch.meshgrid(g1, g2, indexing="xy")
    with torch.no_grad():
        z = f(x1, x2).numpy()
    show = ax is None
    fig = None
    if show:
        fig, ax = new_figure(figsize)
    ax.contour(x1.numpy(), x2.numpy(), z, levels=levels, colors="C0", linewidths=0.7)
    if pts is not None:
        ax.plot(pts[:, 0], pts[:, 1], "-o", color="C1", markersize=3, linewidth=1)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title, fontsize=10)
    return _finish(fig, show) if show else ax.figure


def plot_loss_curves(curves, figsize=(7, 2.6), yscale="linear", time_scale="log"):
    """Compare runs side by side: training loss against epochs and against seconds.

    ``curves`` are :class:`d2lmini.curves.LossCurve` records (anything with
    ``label``, ``epochs``, ``seconds`` and ``losses``). The time axis is
    logarithmic by default, since methods can differ in speed by orders of
    magnitude; its first point (time 0) is left out there. Returns the figure.
    """
    curves = list(curves)
    if not curves:
        raise ValueError("plot_loss_curves needs at least one curve, got none")
    fig, (ax_e, ax_t) = new_figure(figsize, 1, 2, sharey=True)
    fmts = ("-", "--", "-.", ":")
    for i, c in enumerate(curves):
        fmt = fmts[i % len(fmts)]
        ax_e.plot(c.epochs, c.losses, fmt, color=f"C{i}", label=c.label)
        skip = 1 if time_scale == "log" else 0
        ax_t.plot(c.seconds[skip:], c.losses[skip:], fmt, color=f"C{i}", label=c.label)
    ax_e.set_xlabel("epoch")
    ax_e.set_ylabel("training loss")
    ax_t.set_xlabel("seconds of training")
    ax_t.set_xscale(time_scale)
    if time_scale == "log":  # minor labels collide when the times span under a decade
        ax_t.xaxis.set_minor_formatter(NullFormatter())
    for ax in (ax_e, ax_t):
        ax.set_yscale(yscale)
        ax.grid(True, alpha=0.3)
    ax_t.legend(fontsize="small")
    display_figure(fig)
    return fig
