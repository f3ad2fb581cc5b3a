import pytest

import d2lmini
from d2lmini import show


def test_show_source_of_a_function():
    src = d2lmini.show_source(d2lmini.evaluate_accuracy)
    assert src.code.startswith("def evaluate_accuracy(net, data_iter, device=None")
    assert src.title.startswith("d2lmini/train.py, lines ")
    html = src._repr_html_()
    assert "style=" in html and "evaluate_accuracy" in html and "d2lmini/train.py" in html
    assert repr(src).startswith("# d2lmini/train.py")


def test_show_source_of_a_method_is_dedented():
    src = d2lmini.show_source(d2lmini.DeviceLoader.transform)
    assert src.code.startswith("def transform(self, images):")


def test_show_source_line_numbers_point_at_the_code():
    src = show.show_source(d2lmini.seed_everything)
    first = int(src.title.split("lines ")[1].split("-")[0])
    with open(d2lmini.runtime.__file__) as f:
        assert f.readlines()[first - 1].startswith("def seed_everything")


@pytest.mark.parametrize("bad", [3, "text", None])
def test_show_source_rejects_non_code(bad):
    with pytest.raises(TypeError, match="expects a function, class, method or module"):
        d2lmini.show_source(bad)


def test_show_source_without_source():
    import math
    with pytest.raises(TypeError, match="no source code"):
        d2lmini.show_source(math)


def test_plot_validates():
    with pytest.raises(ValueError, match="legend entries"):
        d2lmini.plot.plot([1, 2], [[1, 2], [2, 3]], legend=["one"])
    with pytest.raises(ValueError, match="needs 4 images"):
        d2lmini.show_images([[[0]]], 2, 2)
