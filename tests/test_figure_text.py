"""Figures stay readable on a phone: no text under 9 CSS px at 350 px wide.

The book shows a figure's SVG (72 pt an inch) at its natural width,
``figwidth * 96`` CSS px, or shrunk to the phone's text column (350 px of a
390 px screen). Text of ``s`` points is then ``s * 4/3 * min(1, 350 /
(figwidth * 96))`` px high.
"""
import io

import pytest
import torch
from matplotlib.text import Text

import d2lmini
from d2lmini import curves, display, plot, toys, traces

PHONE_PX, MIN_PX = 350, 9


def phone_px(fontsize, figwidth):
    return fontsize * 4 / 3 * min(1.0, PHONE_PX / (figwidth * 96))


def small_texts(fig):
    """The visible, non-empty texts of ``fig`` under 9 px on the phone, as
    drawn (the SVG is made first, so that every tick label exists)."""
    fig.savefig(io.StringIO(), format="svg")
    width = fig.get_figwidth()
    return [(t.get_text(), round(phone_px(t.get_fontsize(), width), 2))
            for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()
            and phone_px(t.get_fontsize(), width) < MIN_PX - 1e-9]


def _curve(label, scale=1.0):
    return curves.LossCurve(label, [0, 0.5, 1, 1.5, 2], [0, 0.1, 0.2, 0.3, 0.4],
                            [2.3 * scale, 0.9 * scale, 0.7, 0.6, 0.55])


def _trace_2d():
    return toys.train_2d(toys.ill_conditioned_bowl, (-5.0, -2.0), 20, d2lmini.SGD, lr=0.4)


FIGURES = {
    "plot": lambda: plot.plot([0, 1, 2], [[0, 1, 4], [0, 1, 8]], xlabel="step t",
                              ylabel="learning rate", legend=["one", "two"], title="schedules"),
    "plot, log scales": lambda: plot.plot([1, 10, 100], [1e-3, 1e-5, 1e-7], xscale="log",
                                          yscale="log", figsize=(4.5, 2.8)),
    "plot_trace_1d": lambda: traces.plot_trace_1d(
        toys.square, toys.train_1d(toys.square, 10.0, 10, d2lmini.SGD, lr=0.2), title="lr 0.2"),
    "plot_trace_2d": lambda: traces.plot_trace_2d(toys.bowl, _trace_2d(), title="20 steps"),
    "plot_loss_curves": lambda: traces.plot_loss_curves([_curve("ours"), _curve("torch")]),
    "plot_loss_curves, seven runs": lambda: traces.plot_loss_curves(
        [_curve(f"optimizer number {i}", 1 + i / 10) for i in range(7)], yscale="log"),
    "show_images, 2x9": lambda: plot.show_images(
        torch.rand(18, 28, 28), 2, 9, titles=["ankle boot", "t-shirt", "pullover"] * 6),
    "show_images, 5x8": lambda: plot.show_images(
        torch.rand(40, 1, 28, 28), 5, 8, scale=1.3,
        titles=[f"original: {name}" for name in ["sandal", "sneaker"] * 20]),
    "show_images, 1x9, two-line titles": lambda: plot.show_images(
        torch.rand(9, 28, 28), 1, 9, scale=1.6, titles=["ankle boot\nsneaker"] * 9),
    "show_images, 1x1": lambda: plot.show_images(torch.rand(1, 28, 28), 1, 1, scale=1.6,
                                                 titles=["trouser"]),
    "show_images, no titles": lambda: plot.show_images(torch.rand(6, 5, 5), 1, 6),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figures_of_d2lmini_are_readable_on_a_phone(name):
    assert small_texts(FIGURES[name]()) == []


def test_live_plot_is_readable_on_a_phone():
    live = plot.LivePlot(xlabel="epoch", legend=["train loss", "train acc", "test acc"],
                         xlim=[1, 10])
    for epoch in range(1, 4):
        live.add(epoch, [1 / epoch, 0.5 + epoch / 10, None if epoch == 1 else 0.6])
    assert small_texts(live.fig) == []


def test_display_figure_makes_any_figure_readable():
    # What the chapters draw on their own figures: panels side by side,
    # small titles and annotations, a 3-D surface.
    fig, axes = display.new_figure((7, 2.4), 1, 3)
    for i, ax in enumerate(axes):
        traces.plot_trace_2d(toys.bowl, _trace_2d(), ax=ax, title=f"panel {i}")
        ax.annotate("a note", xy=(0, 0), xytext=(1, 1), fontsize=6)
    assert small_texts(fig)  # too small before it is shown
    display.display_figure(fig)
    assert small_texts(fig) == []
    fig, ax = display.new_figure((4, 3.2), subplot_kw={"projection": "3d"})
    ax.plot_surface(*torch.meshgrid(torch.linspace(-1, 1, 5), torch.linspace(-1, 1, 5),
                                    indexing="xy"), torch.zeros(5, 5))
    ax.set_zlabel("f(x, y)")
    display.display_figure(fig)
    assert small_texts(fig) == []


def test_readable_leaves_large_text_alone():
    fig, ax = display.new_figure((3, 2))
    ax.set_title("big", fontsize=14)
    ax.set_xlabel("small", fontsize=5)
    display.readable(fig)
    assert ax.title.get_fontsize() == 14
    assert ax.xaxis.label.get_fontsize() == pytest.approx(display.min_font_size(3))
    # a figure no wider than the phone's column needs 9 px = 6.75 pt
    assert display.min_font_size(3) == pytest.approx(6.75)
    assert display.min_font_size(7) == pytest.approx(9 * 0.75 * 7 * 96 / 350)
    assert display.text_px(10, 7) == pytest.approx(phone_px(10, 7))


def test_figure_axes_draws_into_given_axes_or_a_new_figure():
    fig, axes = display.new_figure(ncols=2)
    with display.figure_axes(axes[1]) as ax:
        assert ax is axes[1]
    with display.figure_axes(None, (3, 2), 1, 2, sharey=True) as new:
        assert len(new) == 2 and new[0].figure is not fig
        assert new[0].figure.get_figwidth() == 3
