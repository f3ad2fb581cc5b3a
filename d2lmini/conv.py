r"""Convolution and pooling from scratch, as loops that read like the math.

A convolutional layer in deep learning computes a *cross-correlation*: a
kernel :math:`K` of shape :math:`k_h\times k_w` slides over an input
:math:`X` of shape :math:`n_h\times n_w`, and each output element is the sum
of the elementwise product of the kernel with the window under it. Pooling
slides a window in the same way but takes its maximum or its mean, and has
no parameters. These functions work on single examples without a batch axis;
PyTorch's ``F.conv2d``, ``F.max_pool2d`` and ``F.avg_pool2d`` compute the
same on batches, much faster (the tests check that they agree).
"""
import torch

from .runtime import check_positive_int

__all__ = ["corr2d", "corr2d_multi_in", "corr2d_multi_in_out",
           "corr2d_multi_in_out_1x1", "pool2d", "conv_output_size"]


def corr2d(X, K):
    r"""Two-dimensional cross-correlation of ``X`` (n_h, n_w) with the kernel
    ``K`` (k_h, k_w), without padding, stride 1:

    .. math::

        Y_{i,j} = \sum_{a=0}^{k_h-1}\sum_{b=0}^{k_w-1} X_{i+a,\,j+b}\,K_{a,b},

    for :math:`0\le i\le n_h-k_h` and :math:`0\le j\le n_w-k_w`, so ``Y`` has
    shape (n_h - k_h + 1, n_w - k_w + 1). Gradients flow to ``X`` and ``K``.
    """
    if X.dim() != 2 or K.dim() != 2:
        raise ValueError(f"corr2d expects a 2-D input and a 2-D kernel, got "
                         f"shapes {tuple(X.shape)} and {tuple(K.shape)}")
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1),
                    dtype=torch.result_type(X, K), device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()  # window times kernel
    return Y


def corr2d_multi_in(X, K):
    r"""Cross-correlation with several input channels: ``X`` (c_i, n_h, n_w)
    and ``K`` (c_i, k_h, k_w) give one output channel,

    .. math::

        Y = \sum_{c=0}^{c_i-1} \operatorname{corr2d}(X_c, K_c).
    """
    if X.dim() != 3 or K.dim() != 3 or X.shape[0] != K.shape[0]:
        raise ValueError(f"corr2d_multi_in expects X (c_i, n_h, n_w) and K "
                         f"(c_i, k_h, k_w) with the same c_i, got shapes "
                         f"{tuple(X.shape)} and {tuple(K.shape)}")
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K):
    r"""Cross-correlation with several input and output channels: ``X``
    (c_i, n_h, n_w) and ``K`` (c_o, c_i, k_h, k_w) give ``Y`` (c_o, ., .), one
    output channel per kernel :math:`K_o` of shape (c_i, k_h, k_w):

    .. math::

        Y_o = \sum_{c=0}^{c_i-1} \operatorname{corr2d}(X_c, K_{o,c}).
    """
    if K.dim() != 4:
        raise ValueError(f"corr2d_multi_in_out expects K (c_o, c_i, k_h, k_w), "
                         f"got shape {tuple(K.shape)}")
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


def corr2d_multi_in_out_1x1(X, K):
    r"""A 1x1 convolution as a matrix product: ``X`` (c_i, h, w) and ``K``
    (c_o, c_i, 1, 1) give ``Y`` (c_o, h, w) with

    .. math::

        Y_{o,i,j} = \sum_{c=0}^{c_i-1} K_{o,c}\,X_{c,i,j},

    a fully connected layer from c_i inputs to c_o outputs applied to every
    pixel with the same weights: with the pixels as the h*w columns of a
    (c_i, h*w) matrix, ``Y = K @ X``.
    """
    if X.dim() != 3 or tuple(K.shape[1:]) != (X.shape[0], 1, 1):
        raise ValueError(f"corr2d_multi_in_out_1x1 expects X (c_i, h, w) and K "
                         f"(c_o, c_i, 1, 1), got shapes {tuple(X.shape)} and "
                         f"{tuple(K.shape)}")
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)  # (c_o, h*w)
    return Y.reshape(c_o, h, w)


def pool2d(X, pool_size, mode="max"):
    r"""Two-dimensional pooling of ``X`` (n_h, n_w) with a (p_h, p_w) window,
    without padding, stride 1:

    .. math::

        Y_{i,j} = \max_{0\le a<p_h,\ 0\le b<p_w} X_{i+a,\,j+b}
        \quad\text{or}\quad
        Y_{i,j} = \frac{1}{p_h p_w}\sum_{a=0}^{p_h-1}\sum_{b=0}^{p_w-1}
        X_{i+a,\,j+b},

    for ``mode='max'`` and ``mode='avg'``; ``Y`` has shape
    (n_h - p_h + 1, n_w - p_w + 1).
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    if X.dim() != 2:
        raise ValueError(f"pool2d expects a 2-D input, got shape {tuple(X.shape)}")
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1),
                    dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


def conv_output_size(n, kernel_size, padding=0, stride=1):
    r"""The output size along one axis of a convolution or pooling layer:
    input size ``n``, kernel (window) size ``k``, ``padding`` ``p`` added on
    *each* side, stride ``s``:

    .. math::

        \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1.

    The padded input has :math:`n + 2p` positions; the window fits at offsets
    :math:`0, s, 2s, \dots` up to :math:`n + 2p - k`. This is how
    ``nn.Conv2d``, ``nn.MaxPool2d`` and ``nn.AvgPool2d`` count (with the
    default ``dilation=1`` and ``ceil_mode=False``).
    """
    for name, value in (("n", n), ("kernel_size", kernel_size), ("stride", stride)):
        check_positive_int(name, value)
    if padding != 0:
        check_positive_int("padding", padding)
    if n + 2 * padding < kernel_size:
        raise ValueError(f"kernel_size {kernel_size} does not fit in an input of "
                         f"size {n} padded by {padding} on each side")
    return (n + 2 * padding - kernel_size) // stride + 1

