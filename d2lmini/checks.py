"""The checks at d2lmini's entry points, in one place (as torch.optim checks
its hyper-parameters once, in the constructor).

The code a chapter shows is the idea alone; the functions, classes and
loaders that students call with their own values check them here first, so
that a wrong value stops with a message that names what was expected and
what was given, instead of a traceback from deep inside PyTorch or, worse, a
result that is silently wrong.
"""
import math
import numbers

import numpy as np
import torch

__all__ = ["is_int", "is_positive_int", "check_positive_int", "is_positive_number",
           "check_positive_number", "check_number", "check_shape", "check_labels",
           "check_unit_images", "check_byte_images", "describe"]


def is_int(value):
    """An integer (Python's or NumPy's), but not ``True`` or ``False``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_positive_int(value):
    """True for a positive integer: ``int`` or a NumPy integer, not a bool."""
    return is_int(value) and value > 0


def check_positive_int(name, value):
    """``value`` as an ``int``; ``ValueError`` unless it is a positive integer."""
    if not is_positive_int(value):
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def is_positive_number(value):
    """True for a finite number > 0 (``int``, ``float`` or NumPy's), not a bool."""
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value) and value > 0)


def check_positive_number(name, value):
    """``value`` as a ``float``; ``ValueError`` unless it is a finite number > 0."""
    if not is_positive_number(value):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_number(name, value, low, high, high_open=True):
    """``value`` as a ``float``; ``ValueError`` unless ``low <= value < high``
    (``<= high`` with ``high_open=False``)."""
    ok = (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
          and low <= value and (value < high if high_open else value <= high))
    if not ok:
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be a number in [{low}, {high}{right}, got {value!r}")
    return float(value)


def describe(value):
    """A short description of what was given, for error messages."""
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    return type(value).__name__


def check_shape(name, value, shape):
    """``ValueError`` unless ``value`` is a tensor with ``len(shape)`` axes;
    ``shape`` names them, e.g. ``"(c_i, n_h, n_w)"`` or ``("c_i", "n_h", "n_w")``,
    and an int in it is a size that axis must have."""
    if isinstance(shape, str):
        shape = tuple(s.strip() for s in shape.strip("()").split(","))
    ok = isinstance(value, torch.Tensor) and value.dim() == len(shape) and all(
        not is_int(s) or n == s for n, s in zip(value.shape, shape))
    if not ok:
        raise ValueError(f"{name} must be a tensor of shape "
                         f"({', '.join(map(str, shape))}), got {describe(value)}")


def check_labels(labels, num_classes=None, where="labels"):
    """``ValueError`` unless every label is an integer class number in
    ``[0, num_classes)`` (``num_classes=None``: at least 0)."""
    if not isinstance(labels, torch.Tensor) or labels.is_floating_point() or labels.is_complex():
        raise TypeError(f"{where} must be an integer tensor of class numbers, "
                        f"got {describe(labels)}")
    if labels.numel() == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    top = "" if num_classes is None else f"{num_classes}"
    if low < 0 or (num_classes is not None and high >= num_classes):
        bad = low if low < 0 else high
        raise ValueError(f"{where} must be class numbers in [0, {top or 'n'}), got {bad}"
                         + (" (-100 is cross-entropy's 'ignore' value, not a class)"
                            if bad == -100 else ""))


def check_unit_images(X, where):
    """``ValueError`` unless ``X`` is a float tensor with values in [0, 1]
    (images already scaled; bytes 0-255 held as floats are the usual mistake)."""
    if not isinstance(X, torch.Tensor) or not X.is_floating_point():
        raise TypeError(f"{where} expects float images with values in [0, 1], "
                        f"got {describe(X)}")
    if not X.numel():
        return
    low, high = X.aminmax()  # one pass, one read from the device
    if not (0 <= low and high <= 1):  # so written, a NaN fails too
        raise ValueError(f"{where} expects float images with values in [0, 1], got values "
                         f"from {float(low):.4g} to {float(high):.4g} (bytes 0-255 "
                         "held as floats? divide them by 255 first)")


def check_byte_images(X, where):
    """``TypeError`` unless ``X`` holds images as uint8 (values 0 to 255)."""
    if not isinstance(X, torch.Tensor) or X.dtype != torch.uint8:
        raise TypeError(f"{where} expects uint8 images (values 0 to 255) and divides "
                        f"them by 255, got {describe(X)}: images already scaled to "
                        "[0, 1] would be scaled twice")
