"""Figures of optimization: 1-D and 2-D trajectories on the function they
minimize, and loss curves side by side (against epochs and against seconds).

Each function draws into the axes ``ax`` it is given (the caller shows the
figure), or into a new figure that it displays; it returns the figure.
"""
import numpy as np
import torch
from matplotlib.ticker import NullFormatter

from .display import figure_axes

__all__ = ["plot_trace_1d", "plot_trace_2d", "plot_loss_curves"]


def _trace_points(points, ncols):
    points = torch.as_tensor(points, dtype=torch.float64).detach().cpu()
    if ncols == 1 and points.dim() == 1:
        return points.numpy()
    if points.dim() != 2 or points.shape[1] != ncols:
        raise ValueError(f"expected a trajectory of shape (T+1, {ncols}), "
                         f"got {tuple(points.shape)}")
    return points.numpy()


def plot_trace_1d(f, points, xlim=None, ax=None, figsize=(3.5, 2.5), title=None,
                  xlabel="x", ylabel="f(x)"):
    """Draw ``f`` and, on it, the iterates ``points`` of a 1-D optimization, joined in order.

    ``f`` takes a float64 tensor and returns one (the functions of
    :mod:`d2lmini.toys` do). ``xlim`` defaults to a symmetric range that
    holds every iterate.
    """
    xs = _trace_points(points, 1)
    if xlim is None:
        r = max(float(np.abs(xs).max()), 1.0) * 1.1
        xlim = (-r, r)
    grid = torch.linspace(xlim[0], xlim[1], 300, dtype=torch.float64)
    with torch.no_grad():
        fx = f(grid).numpy()
        fp = f(torch.as_tensor(xs)).numpy()
    with figure_axes(ax, figsize) as ax:
        ax.plot(grid.numpy(), fx, "-", color="C0")
        ax.plot(xs, fp, "-o", color="C1", markersize=3, linewidth=1)
        ax.set_xlabel(xlabel or "")
        ax.set_ylabel(ylabel or "")
        if title:
            ax.set_title(title, fontsize=10)
        ax.grid(True, alpha=0.3)
    return ax.figure


def plot_trace_2d(f, points=None, xlim=None, ylim=None, ax=None, figsize=(3.5, 2.5),
                  title=None, levels=12):
    """Draw contour lines of ``f(x1, x2)`` and the iterates ``points`` (shape (T+1, 2)) on them.

    ``f`` takes two float64 tensors of the same shape (a meshgrid). Without
    ``points`` only the contours are drawn. The limits default to a box around
    the iterates and the origin.
    """
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
    with figure_axes(ax, figsize) as ax:
        ax.contour(x1.numpy(), x2.numpy(), z, levels=levels, colors="C0", linewidths=0.7)
        if pts is not None:
            ax.plot(pts[:, 0], pts[:, 1], "-o", color="C1", markersize=3, linewidth=1)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        if title:
            ax.set_title(title, fontsize=10)
    return ax.figure


def plot_loss_curves(curves, figsize=(6, 3.2), yscale="linear", time_scale="log", axes=None):
    """Compare runs side by side: training loss against epochs and against seconds.

    ``curves`` are :class:`d2lmini.curves.LossCurve` records (anything with
    ``label``, ``epochs``, ``seconds`` and ``losses``); ``axes``, if given, two
    axes to draw into. The time axis is logarithmic by default, since methods
    can differ in speed by orders of magnitude; its first point (time 0) is
    left out there. The legend is below the two panels.
    """
    curves = list(curves)
    if not curves:
        raise ValueError("plot_loss_curves needs at least one curve, got none")
    with figure_axes(axes, figsize, 1, 2, sharey=True) as (ax_e, ax_t):
        fmts = ("-", "--", "-.", ":")
        skip = 1 if time_scale == "log" else 0
        for i, c in enumerate(curves):
            fmt = fmts[i % len(fmts)]
            ax_e.plot(c.epochs, c.losses, fmt, color=f"C{i}", label=c.label)
            ax_t.plot(c.seconds[skip:], c.losses[skip:], fmt, color=f"C{i}")
        ax_e.set_xlabel("epoch")
        ax_e.set_ylabel("training loss")
        ax_t.set_xlabel("seconds of training")
        ax_t.set_xscale(time_scale)
        if time_scale == "log":  # minor labels collide when the times span under a decade
            ax_t.xaxis.set_minor_formatter(NullFormatter())
        for ax in (ax_e, ax_t):
            ax.set_yscale(yscale)
            ax.grid(True, alpha=0.3)
        ax_e.figure.legend(loc="outside lower center", ncols=min(len(curves), 2),
                           fontsize="small")
    return ax_e.figure
