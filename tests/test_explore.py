"""d2lmini.explore: a grid of runs made into a figure with sliders."""
import json

import numpy as np
import pytest

from d2lmini.explore import cells, explore, line


def draw(a, b):
    x = np.arange(5.0)
    return [line(x, a * x + b, label="y"), line(x, x, color="#888888")], f"a={a}, b={b}"


def test_one_frame_per_combination_in_slider_order():
    fig = explore(draw, {"a": [1.0, 2.0, 3.0], "b": [0, 10]}, names={"a": "slope"})
    spec = fig.spec
    assert [s["name"] for s in spec["sliders"]] == ["slope", "b"]
    assert [s["labels"] for s in spec["sliders"]] == [["1", "2", "3"], ["0", "10"]]
    assert len(spec["frames"]) == 6
    series, caption = fig.frame(2, 1)  # a = 3, b = 10
    assert caption == "a=3.0, b=10"
    assert series[0][0]["y"] == [10.0, 13.0, 16.0, 19.0, 22.0]
    assert series[0][0]["label"] == "y"


def test_what_every_frame_draws_is_stored_once():
    fig = explore(draw, {"a": [1.0, 2.0], "b": [0, 1]})
    assert len(fig.spec["shared"]) == 1  # the grey diagonal
    assert all(f["series"][0][1] == {"ref": 0} for f in fig.spec["frames"])
    assert fig.frame(1, 1)[0][0][1]["x"] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_axes_hold_every_frame_and_stay_put():
    panel = explore(draw, {"a": [1.0, 3.0], "b": [0, 10]}).spec["panels"][0]
    low, high = panel["ylim"]
    assert low < 0 and high > 22  # the diagonal's 0 and 3 * 4 + 10
    assert all(low <= t[0] <= high for t in panel["yticks"]) and len(panel["yticks"]) >= 3
    given = explore(draw, {"a": [1.0, 3.0], "b": [0, 1]}, ylim=(0, 5)).spec["panels"][0]
    assert given["ylim"] == [0.0, 5.0]
    # beyond the limits, a diverging run is clipped instead of stretching the axes
    assert max(explore(draw, {"a": [1.0, 1e9], "b": [0, 1]}, ylim=(0, 5))
               .frame(1, 0)[0][0][0]["y"]) <= 5 + 10 * 5


def test_log_axes_hold_logarithms_and_label_the_values():
    fig = explore(lambda k: [line([1, 10, 100], [k, k * 10, k * 100])], {"k": [1.0, 2.0]},
                  xlog=True, ylog=True)
    panel = fig.spec["panels"][0]
    assert fig.frame(0)[0][0][0]["x"] == [0.0, 1.0, 2.0]
    assert ["1", "10", "100"] == [t[1] for t in panel["xticks"]]


def test_cells_and_several_panels():
    def grid(k):
        g = np.zeros((4, 4))
        g[:k, :k] = 1
        return [[cells(g)], [line([0, 1], [k, k])]], f"{k} x {k}"
    fig = explore(grid, {"k": [1, 2, 3]}, panels=[{"ylim": (4, 0)}, {"title": "k"}])
    assert fig.spec["panels"][0]["ylim"] == [4.0, 0.0]
    assert fig.frame(2)[0][0][0]["values"][2] == [1.0, 1.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="values in \\[0, 1\\]"):
        cells([[2.0]])


def test_html_has_labelled_sliders_and_safe_data():
    fig = explore(lambda s: [line([0, 1], [0, 1], label=s)], {"s": ["</script>", "b"]},
                  names={"s": "a name"}, title="T")
    html = fig._repr_html_()
    assert '<input type="range"' in html and 'max="1"' in html
    assert ">a name</label>" in html
    data = html.split('<script type="application/json">')[1].split("</script>")[0]
    assert json.loads(data.replace("<\\/", "</"))["title"] == "T"
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    # where scripts do not run: the still image and the first caption, no sliders
    assert '<img src="data:image/png;base64,' in html
    assert '<div class="d2l-sliders" hidden>' in html and "T: a name = &lt;/script&gt;" in html


@pytest.mark.parametrize("grid, says", [
    ([1, 2], "grid must be a dict"),
    ({"a": [1]}, "needs at least two values"),
])
def test_bad_grids_are_refused(grid, says):
    with pytest.raises(ValueError, match=says):
        explore(draw, grid)


def test_draw_must_fill_every_panel():
    with pytest.raises(ValueError, match="one list of series per panel"):
        explore(lambda a: [[line([0], [0])]], {"a": [1, 2]}, panels=[{}, {}])
    with pytest.raises(ValueError, match="same length"):
        line([0, 1], [0])
