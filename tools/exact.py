"""Comparisons that the answer under test cannot control.

``assert answer(3) == 7`` asks the answer's own ``__eq__``: an object whose
``__eq__`` returns True, or a subclass of ``int`` or ``torch.Tensor`` with
rigged comparisons, passes every such test. The hidden tests therefore
compare through the functions below, which look at the exact type first (with
``type(x)``, which an object cannot fake, never ``isinstance``, which asks the
object's ``__class__``) and then compare genuine values: numbers through
``int``/``float``, tensors through ``torch.equal`` or ``torch.allclose``.

Each function raises ``AssertionError`` with a message that says what was
expected and what came, and returns None. The build puts their source at the
top of every hidden test (see ``masters.resolve``), so that they run inside
the grader, where this module is not available: keep them self-contained.
"""


def same(actual, expected, atol=0.0, rtol=0.0, what="the answer"):
    """``actual`` equals ``expected``, of the same kind: an ``int`` for an
    int (not a bool), a number for a float (within ``atol + rtol *
    |expected|``), a ``torch.Tensor`` of the same dtype and shape for a
    tensor (``torch.equal``, or ``torch.allclose`` with a tolerance), and
    lists, tuples (a ``torch.Size`` too) and dicts element by element."""
    import numpy
    import torch
    integers = (int, numpy.int64, numpy.int32)
    numbers = integers + (float, numpy.float64, numpy.float32)
    got = type(actual)
    if type(expected) is bool:
        if got is not bool:
            raise AssertionError(f"{what}: expected a bool, got a {got.__name__}")
        if actual is not expected:
            raise AssertionError(f"{what}: expected {expected}, got {actual}")
    elif type(expected) is int:
        if got not in integers:
            raise AssertionError(f"{what}: expected an int ({expected}), "
                                 f"got a {got.__name__}")
        if int(actual) != expected:
            raise AssertionError(f"{what}: expected {expected}, got {int(actual)}")
    elif type(expected) is float:
        if got is torch.Tensor and actual.numel() == 1:
            actual, got = actual.item(), float
        if got not in numbers:
            raise AssertionError(f"{what}: expected a number ({expected}), "
                                 f"got a {got.__name__}")
        value = float(actual)
        if not abs(value - expected) <= atol + rtol * abs(expected):
            raise AssertionError(f"{what}: expected {expected}, got {value}")
    elif type(expected) is torch.Tensor:
        if got is not torch.Tensor:
            raise AssertionError(f"{what}: expected a torch.Tensor, got a {got.__name__}")
        if actual.dtype != expected.dtype:
            raise AssertionError(f"{what}: expected dtype {expected.dtype}, "
                                 f"got {actual.dtype}")
        if tuple(actual.shape) != tuple(expected.shape):
            raise AssertionError(f"{what}: expected shape {tuple(expected.shape)}, "
                                 f"got {tuple(actual.shape)}")
        actual, expected = actual.detach().cpu(), expected.detach().cpu()
        equal = (torch.equal(actual, expected) if atol == 0 and rtol == 0
                 else torch.allclose(actual, expected, rtol=rtol, atol=atol))
        if not equal:
            gap = (actual.double() - expected.double()).abs().max().item()
            raise AssertionError(f"{what}: the values differ (by up to {gap:.3g})")
    elif type(expected) in (list, tuple):
        allowed = (tuple, torch.Size) if type(expected) is tuple else (list,)
        if got not in allowed:
            raise AssertionError(f"{what}: expected a {type(expected).__name__}, "
                                 f"got a {got.__name__}")
        if len(actual) != len(expected):
            raise AssertionError(f"{what}: expected {len(expected)} items, "
                                 f"got {len(actual)}")
        for i, (a, e) in enumerate(zip(tuple(actual), expected)):
            same(a, e, atol, rtol, f"{what}[{i}]")
    elif type(expected) is dict:
        if got is not dict:
            raise AssertionError(f"{what}: expected a dict, got a {got.__name__}")
        if sorted(map(str, actual)) != sorted(map(str, expected)):
            raise AssertionError(f"{what}: expected the keys {sorted(expected)}")
        for key, e in expected.items():
            same(actual[key], e, atol, rtol, f"{what}[{key!r}]")
    elif type(expected) is str:
        if got is not str:
            raise AssertionError(f"{what}: expected a str, got a {got.__name__}")
        if str.__eq__(actual, expected) is not True:
            raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")
    elif expected is None:
        if actual is not None:
            raise AssertionError(f"{what}: expected None, got a {got.__name__}")
    else:
        raise TypeError(f"same() compares ints, floats, bools, strings, None, tensors, "
                        f"lists, tuples and dicts, not {type(expected).__name__}")


def kind(obj, cls, what="the answer"):
    """``obj`` is a ``cls`` (or of a subclass), by its real type."""
    if not issubclass(type(obj), cls):
        raise AssertionError(f"{what}: expected a {cls.__name__}, "
                             f"got a {type(obj).__name__}")


def within(actual, low, high, what="the answer"):
    """``actual`` is a plain number (a one-element tensor too) in [low, high]."""
    import numpy
    import torch
    if type(actual) is torch.Tensor and actual.numel() == 1:
        actual = actual.item()
    if type(actual) not in (int, float, numpy.float64, numpy.float32, numpy.int64):
        raise AssertionError(f"{what}: expected a number, got a {type(actual).__name__}")
    if not low <= float(actual) <= high:
        raise AssertionError(f"{what}: expected a value from {low} to {high}, "
                             f"got {float(actual)}")


def holds(condition, what="the check"):
    """``condition`` is the genuine ``True`` (a bool, not an object that says so)."""
    if condition is not True:
        raise AssertionError(f"{what} does not hold")


HELPERS = [same, kind, within, holds]
