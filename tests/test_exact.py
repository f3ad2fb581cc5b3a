"""The comparisons every hidden test uses (tools/exact.py), and the build's
rule that hidden tests use nothing else (masters.uncontrolled_check)."""
import inspect
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "assignments"))
import exact  # noqa: E402
import masters  # noqa: E402
from hostile import HOSTILE  # noqa: E402


def injected():
    """The helpers as the build puts them into a hidden test: their source
    alone, run in an empty namespace."""
    namespace = {}
    exec("\n".join(inspect.getsource(f) for f in exact.HELPERS), namespace)
    return namespace


H = injected()
same, kind, within, holds = H["same"], H["kind"], H["within"], H["holds"]


def rigged(label):
    """The namespace of one answer of the hostile corpus (its rigged classes)."""
    namespace = {}
    exec(HOSTILE[label][2], namespace)
    return namespace


AnyNumber = rigged("always-equal-int")["AnyNumber"]
Anything = rigged("always-equal-object")["Anything"]
Close = rigged("rigged-float")["Close"]
Agreeable = rigged("rigged-tensor")["Agreeable"]


class Disguised:
    @property
    def __class__(self):
        return torch.nn.Conv2d


def test_genuine_values_pass():
    same(3, 3)
    same(0.1 + 0.2, 0.3, atol=1e-12)
    same(torch.tensor(0.5), 0.5)  # a one-element tensor where a float is asked
    same(torch.ones(2, 3), torch.ones(2, 3))
    same(torch.ones(2) + 1e-9, torch.ones(2), atol=1e-6)
    same(torch.zeros(1, 4, 5, 5).shape, (1, 4, 5, 5))
    same([1, (2.0, None)], [1, (2.0, None)])
    same({"a": True}, {"a": True})
    kind(torch.nn.Conv2d(1, 1, 3), torch.nn.Module)
    within(0.5, 0, 1)
    holds(None is None)


@pytest.mark.parametrize("answer, expected, says", [
    (AnyNumber(0), 74112, "expected an int"),
    (Anything(), 3, "expected an int"),
    (True, 1, "expected an int"),
    (Close(123.0), 0.5, "expected a number"),
    (torch.zeros(1).as_subclass(Agreeable), torch.ones(1), "expected a torch.Tensor"),
    (torch.ones(2, dtype=torch.float64), torch.ones(2), "expected dtype torch.float32"),
    (torch.ones(3), torch.ones(2), r"expected shape \(2,\)"),
    (torch.ones(2), torch.zeros(2), "the values differ"),
    ([1, 2], (1, 2), "expected a tuple"),
    ((1, AnyNumber(5)), (1, 2), r"the answer\[1\]: expected an int"),
    (75000, 74112, "expected 74112, got 75000"),
    (0.5, 0.3, "expected 0.3, got 0.5"),
    (None, False, "expected a bool"),
])
def test_rigged_or_wrong_answers_fail(answer, expected, says):
    with pytest.raises(AssertionError, match=says):
        same(answer, expected)


def test_classes_and_conditions_cannot_be_faked():
    with pytest.raises(AssertionError, match="expected a Conv2d, got a Disguised"):
        kind(Disguised(), torch.nn.Conv2d)

    class Truthy:
        def __bool__(self):
            return True
    with pytest.raises(AssertionError, match="does not hold"):
        holds(Truthy())
    with pytest.raises(AssertionError, match="expected a number"):
        within(AnyNumber(0), -1, 1)
    with pytest.raises(AssertionError, match="from 0 to 1"):
        within(2.0, 0, 1)


def test_same_refuses_an_expected_value_it_cannot_compare():
    with pytest.raises(TypeError, match="not object"):
        same(object(), object())


@pytest.mark.parametrize("source, says", [
    ("# HIDDEN\nassert f(3) == 7\n", "uses assert"),
    ("# HIDDEN\nsame(f(3) == 7, True)\n", "compares with an operator"),
    ("# HIDDEN\nholds(f(3) < 7)\n", "compares with an operator"),
    ("# HIDDEN\nholds(isinstance(f(3), int))\n", "calls isinstance"),
    ("# HIDDEN\nholds(torch.allclose(f(X), X))\n", "calls allclose"),
    ("# HIDDEN\nx = f(3)\n", "checks nothing"),
])
def test_hidden_tests_that_ask_the_answer_are_refused(source, says):
    assert says in masters.uncontrolled_check(source)


def test_hidden_tests_through_the_helpers_are_accepted():
    source = ("# HIDDEN\nfor n in (1, 2):\n    same(f(n), 2 * n, what=f'n={n}')\n"
              "blk = g()\nkind(blk.conv, nn.Conv2d)\nholds(blk.shortcut is None)\n")
    assert masters.uncontrolled_check(source) is None
