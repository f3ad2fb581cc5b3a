"""Convolution and pooling from scratch, as loops that read like the math.

These functions work on single examples without a batch axis; PyTorch's
``F.conv2d``, ``F.max_pool2d`` and ``F.avg_pool2d`` compute the same on
batches, much faster (the tests check that they agree). The chapter
"Convolutions and LeNet" gives the math of each.
"""
import sys

import torch

from .checks import check_positive_int, describe, is_int

__all__ = ["corr2d", "corr2d_multi_in", "corr2d_multi_in_out",
           "corr2d_multi_in_out_1x1", "pool2d", "conv_output_size"]


def corr2d(X, K):
    """Cross-correlation of X (n_h, n_w) with K (k_h, k_w), stride 1."""
    _check_shapes(X, K, "(n_h, n_w)", "(k_h, k_w)")
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1),
                    dtype=torch.result_type(X, K), device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()  # window times kernel
    return Y


def corr2d_multi_in(X, K):
    """X (c_i, n_h, n_w) and K (c_i, k_h, k_w) give one output channel."""
    _check_shapes(X, K, "(c_i, n_h, n_w)", "(c_i, k_h, k_w)")
    return sum(corr2d(x, k) for x, k in zip(X, K))  # sum over the channels


def corr2d_multi_in_out(X, K):
    """X (c_i, n_h, n_w) and K (c_o, c_i, k_h, k_w) give Y (c_o, ., .)."""
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


def corr2d_multi_in_out_1x1(X, K):
    """1x1 convolution: X (c_i, h, w), K (c_o, c_i, 1, 1) -> Y (c_o, h, w)."""
    _check_shapes(X, K, "(c_i, h, w)", "(c_o, c_i, 1, 1)")
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)  # (c_o, h*w)
    return Y.reshape(c_o, h, w)


def pool2d(X, pool_size, mode="max"):
    """Max or average pooling of X (n_h, n_w) with a (p_h, p_w) window."""
    _check_pool(X, pool_size, mode)
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1),
                    dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


def conv_output_size(n, kernel_size, padding=0, stride=1):
    """Output size along one axis: padding on each side, as nn.Conv2d counts."""
    _check_sizes(n, kernel_size, padding, stride)
    return (n + 2 * padding - kernel_size) // stride + 1


def _axes(shape):
    """``"(c_o, c_i, 1, 1)"`` -> ``["c_o", "c_i", 1, 1]``."""
    names = [s.strip() for s in shape.strip("()").split(",")]
    return [int(s) if s.isdigit() else s for s in names]


def _check_shapes(X, K, x_shape, k_shape):
    """``ValueError`` unless ``X`` and ``K`` are tensors of the shapes named
    (an int is the size an axis must have; a name in both, the same size)."""
    sizes, ok = {}, isinstance(X, torch.Tensor) and isinstance(K, torch.Tensor)
    for T, shape in ((X, x_shape), (K, k_shape)):
        axes = _axes(shape)
        ok = ok and T.dim() == len(axes) and all(
            n == (a if is_int(a) else sizes.setdefault(a, n))
            for a, n in zip(axes, T.shape))
    if not ok:
        shared = [a for a in _axes(x_shape) if a in _axes(k_shape)]
        same = f", with the same {', '.join(shared)}" if shared else ""
        given = [tuple(T.shape) if isinstance(T, torch.Tensor) else describe(T)
                 for T in (X, K)]
        where = sys._getframe(1).f_code.co_name  # the function that checks
        raise ValueError(f"{where} expects X of shape {x_shape} and K of shape "
                         f"{k_shape}{same}, got {given[0]} and {given[1]}")
    if any(k > n for k, n in zip(K.shape[-2:], X.shape[-2:])):
        raise ValueError(f"the kernel {tuple(K.shape[-2:])} does not fit in the input "
                         f"{tuple(X.shape[-2:])}")


def _check_pool(X, pool_size, mode):
    """``ValueError`` unless ``X`` is 2-D, ``pool_size`` a pair of positive
    ints and ``mode`` 'max' or 'avg'."""
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    if not isinstance(X, torch.Tensor) or X.dim() != 2:
        raise ValueError(f"pool2d expects a 2-D input (n_h, n_w), got "
                         f"{describe(X)}")
    if not (isinstance(pool_size, (tuple, list)) and len(pool_size) == 2
            and all(is_int(p) and p > 0 for p in pool_size)):
        raise ValueError(f"pool_size must be a pair (p_h, p_w) of positive "
                         f"ints, got {pool_size!r}")
    if any(p > n for p, n in zip(pool_size, X.shape)):
        raise ValueError(f"the window {tuple(pool_size)} does not fit in the "
                         f"input {tuple(X.shape)}")


def _check_sizes(n, kernel_size, padding, stride):
    """``ValueError`` unless the sizes are positive ints (padding: >= 0) and
    the kernel fits in the padded input."""
    for name, value in (("n", n), ("kernel_size", kernel_size), ("stride", stride)):
        check_positive_int(name, value)
    if not (is_int(padding) and padding >= 0):
        raise ValueError(f"padding must be a non-negative int, got {padding!r}")
    if n + 2 * padding < kernel_size:
        raise ValueError(f"kernel_size {kernel_size} does not fit in an input "
                         f"of size {n} padded by {padding} on each side")
