"""Figures a reader can play with: sliders over a grid of runs.

A chapter computes its runs once, for every combination of a few parameter
values (a grid), with the same update rules it shows; :func:`explore` turns
them into a figure whose sliders move over that grid. In a browser (the
website, Colab, Jupyter) it is an SVG drawing with a native slider for each
parameter, labelled, usable from the keyboard, redrawn by a few lines of
JavaScript from data carried in the page: no server, no network, no library
to load. Where JavaScript cannot run (the PDF, a plain terminal) it is a
still image of the first combination.

    fig = explore(draw, {"lr": [0.1, 0.3, 0.6]}, names={"lr": "learning rate"},
                  xlabel="step", ylabel="x")

``draw(**values)`` returns what one combination shows: a list of
:func:`line` and :func:`cells` (one list per panel when there are several),
and optionally a caption, as ``(series, caption)``.
"""
import hashlib
import itertools
import json
import math

import numpy as np

from .explore_page import page

__all__ = ["explore", "line", "cells", "Explorer"]

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]


def _array(values):
    """``values`` (a list, an array, a tensor on any device) as a float array."""
    if hasattr(values, "detach"):
        values = values.detach().cpu()
    return np.asarray(values, dtype=float)


def line(x, y, label=None, color=None, points=False, width=2):
    """A line through the points (x[i], y[i]); ``points=True`` marks them too."""
    x, y = _array(x).reshape(-1), _array(y).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    return {"kind": "line", "x": x, "y": y, "label": label, "color": color,
            "points": bool(points), "width": width}


def cells(values, label=None, color=None, x0=0, y0=0):
    """A grid of squares, row 0 at the top, each as opaque as its value in [0, 1]."""
    grid = _array(values)
    if grid.ndim != 2 or not np.all((grid >= 0) & (grid <= 1)):
        raise ValueError("cells needs a 2-D array of values in [0, 1], "
                         f"got shape {grid.shape}")
    return {"kind": "cells", "values": grid, "label": label, "color": color,
            "x0": float(x0), "y0": float(y0)}


def _extent(series, axis):
    """The corners of a grid of cells, along ``axis``."""
    rows, cols = series["values"].shape
    start = series[f"{axis}0"]
    return np.array([start, start + (cols if axis == "x" else rows)], dtype=float)


def _limits(values, given, pad=0.05):
    if given is not None:
        return [float(given[0]), float(given[1])]
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return [0.0, 1.0]
    low, high = float(finite.min()), float(finite.max())
    span = high - low or 1.0
    return [low - pad * span, high + pad * span]


def _ticks(low, high, log):
    """About five round tick values between low and high (log10 units if log)."""
    low, high = min(low, high), max(low, high)
    if log:
        values = [v for v in range(math.ceil(low), math.floor(high) + 1)]
        return [[v, f"1e{v}" if abs(v) > 2 else f"{10.0 ** v:g}"] for v in values]
    step = 10 ** math.floor(math.log10((high - low) / 4))
    for m in (1, 2, 5, 10):
        if (high - low) / (m * step) <= 6:
            step *= m
            break
    first = math.ceil(low / step) * step
    count = int(math.floor((high - first) / step + 1e-9)) + 1
    return [[first + k * step, f"{first + k * step:.10g}"] for k in range(count)]


class Explorer:
    """The figure :func:`explore` makes: HTML for browsers, PNG otherwise."""

    def __init__(self, spec, still):
        self.spec, self._still = spec, still

    def frame(self, *indices):
        """The series (one list per panel) and the caption shown for the
        given slider positions."""
        sizes = [len(s["labels"]) for s in self.spec["sliders"]]
        frame = self.spec["frames"][int(np.ravel_multi_index(indices, sizes))]
        series = [[self.spec["shared"][s["ref"]] if "ref" in s else s for s in panel]
                  for panel in frame["series"]]
        return series, frame["caption"]

    def to_json(self):
        return json.dumps(self.spec, separators=(",", ":"), allow_nan=False)

    def _repr_html_(self):
        data = self.to_json()  # the id, from the data: the same figure, the same page
        name = "d2l-explorer-" + hashlib.sha1(data.encode()).hexdigest()[:10]
        return page(data, name, self._still())

    def _repr_png_(self):
        return self._still()

    def __repr__(self):
        names = ", ".join(s["name"] for s in self.spec["sliders"])
        return f"<Explorer: {self.spec['title']!r}, sliders: {names}>"


def _encode(series, panel, color_index):
    """A series in the panel's units (log10 where the axis is log), rounded."""
    out = {k: v for k, v in series.items() if k not in ("x", "y", "values")}
    out["color"] = series["color"] or COLORS[color_index % len(COLORS)]
    if series["kind"] == "cells":
        out["values"] = np.round(series["values"], 3).tolist()
        return out
    xy = []
    for name, axis in (("x", "x"), ("y", "y")):
        v = series[name]
        if panel[f"{axis}log"]:
            v = np.log10(np.where(v > 0, v, np.nan))
        low, high = sorted(panel[f"{axis}lim"])
        span = high - low
        v = np.clip(v, low - 10 * span, high + 10 * span)  # a divergence leaves the box
        xy.append(v)
    keep = np.isfinite(xy[0]) & np.isfinite(xy[1])
    out["x"] = np.round(xy[0][keep], 6).tolist()
    out["y"] = np.round(xy[1][keep], 6).tolist()
    return out


def explore(draw, grid, title="", names=None, panels=None, **axes):
    """A figure with one slider per entry of ``grid`` (argument -> values),
    which shows ``draw(**values)`` for the values the sliders point at;
    ``names`` maps an argument to the slider's label ("learning rate").

    ``axes`` (or, for several panels side by side, ``panels=[{...}, ...]``)
    may give ``xlabel``, ``ylabel``, ``xlim``, ``ylim``, ``xlog``, ``ylog``
    and ``title``; limits default to what all combinations need, so the
    axes stay put while the sliders move. ``draw`` runs once per
    combination, now: the page carries the results.
    """
    sliders = _sliders(grid, names or {})
    panels = panels or [axes]
    frames = [_frame(draw(**dict(zip(grid, values))), len(panels))
              for values in itertools.product(*grid.values())]
    layout = [_panel(p, [series[k] for series, _ in frames])
              for k, p in enumerate(panels)]
    encoded = [{"series": [[_encode(s, layout[k], i)
                            for i, s in enumerate(panel)]
                           for k, panel in enumerate(series)],
                "caption": caption} for series, caption in frames]
    spec = {"title": title, "panels": layout, "sliders": sliders,
            "frames": encoded}
    return Explorer(_share(spec), lambda: _still_png(spec))


def _share(spec):
    """The spec with each series that several frames draw (a curve, contour
    lines) stored once, in ``shared``, and referred to by its index."""
    text = [[[json.dumps(s, sort_keys=True) for s in panel] for panel in f["series"]]
            for f in spec["frames"]]
    counts = {}
    for key in (k for f in text for panel in f for k in panel):
        counts[key] = counts.get(key, 0) + 1
    shared = [k for k in counts if counts[k] > 1]
    index = {k: i for i, k in enumerate(shared)}
    frames = [{"series": [[{"ref": index[k]} if k in index else s
                           for k, s in zip(keys, panel)]
                          for keys, panel in zip(f_keys, f["series"])],
               "caption": f["caption"]} for f_keys, f in zip(text, spec["frames"])]
    return {**spec, "frames": frames, "shared": [json.loads(k) for k in shared]}


def _sliders(grid, names):
    """One slider per argument of ``grid``: its label and its values as text."""
    if not isinstance(grid, dict) or not grid:
        raise ValueError("grid must be a dict: argument name -> list of values")
    for name, values in grid.items():
        if len(values) < 2:
            raise ValueError(f"the slider {name!r} needs at least two values")
    return [{"name": names.get(n, n), "labels": [_label(v) for v in vs]}
            for n, vs in grid.items()]


def _label(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def _frame(result, n_panels):
    """What ``draw`` returned, as (one list of series per panel, caption)."""
    series, caption = result if isinstance(result, tuple) else (result, "")
    if n_panels == 1 and series and isinstance(series[0], dict):
        series = [series]
    if len(series) != n_panels:
        raise ValueError(f"draw must return one list of series per panel "
                         f"({n_panels}), got {len(series)}")
    return series, str(caption)


def _panel(options, frames):
    """A panel's labels, limits and ticks, from what all ``frames`` draw in it."""
    panel = {"xlabel": options.get("xlabel", ""), "ylabel": options.get("ylabel", ""),
             "title": options.get("title", ""), "xlog": bool(options.get("xlog")),
             "ylog": bool(options.get("ylog"))}
    for axis in "xy":
        data = [s[axis] if s["kind"] == "line" else _extent(s, axis)
                for series in frames for s in series]
        data = np.concatenate(data) if data else np.zeros(0)
        given = options.get(f"{axis}lim")
        if panel[f"{axis}log"]:
            data = np.log10(data[data > 0])
            given = None if given is None else [math.log10(g) for g in given]
        panel[f"{axis}lim"] = _limits(data, given)
        panel[f"{axis}ticks"] = _ticks(*panel[f"{axis}lim"], panel[f"{axis}log"])
    return panel


def _still_png(spec):
    """The first combination drawn with matplotlib, as PNG bytes."""
    import io

    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb
    panels = spec["panels"]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 2.8),
                             squeeze=False)
    frame = spec["frames"][0]
    for ax, panel, series in zip(axes[0], panels, frame["series"]):
        for s in series:
            if s["kind"] == "cells":  # the cell (i, j) covers [x0 + j, x0 + j + 1]
                rgba = np.zeros(np.shape(s["values"]) + (4,))
                rgba[..., :3] = to_rgb(s["color"])
                rgba[..., 3] = s["values"]
                ax.imshow(rgba, origin="upper", interpolation="nearest",
                          extent=(s["x0"], s["x0"] + len(s["values"][0]),
                                  s["y0"] + len(s["values"]), s["y0"]))
            else:
                ax.plot(s["x"], s["y"], color=s["color"], lw=s["width"] / 1.5,
                        marker="o" if s["points"] else None, ms=3, label=s["label"])
        ax.set_xlim(panel["xlim"])
        ax.set_ylim(panel["ylim"])
        for axis in "xy":
            ticks = panel[f"{axis}ticks"]
            getattr(ax, f"set_{axis}ticks")([t[0] for t in ticks], [t[1] for t in ticks])
        ax.set_xlabel(panel["xlabel"])
        ax.set_ylabel(panel["ylabel"])
        ax.set_title(panel["title"], fontsize=10)
        if any(s.get("label") for s in series):
            ax.legend(fontsize=8)
    values = ", ".join(f"{s['name']} = {s['labels'][0]}" for s in spec["sliders"])
    fig.suptitle(f"{spec['title']} ({values})", fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
