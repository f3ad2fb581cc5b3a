"""Cross-correlation, pooling and output sizes from scratch (d2lmini.conv),
checked against PyTorch's built-ins; and LeNet's shapes and parameter count.

F.conv2d works on batches (b, c, h, w) with weights (c_o, c_i, k_h, k_w); the
single-example functions are compared with it by adding and removing the
batch (and channel) axes. The expected parameter count of LeNet is computed
here by formula: a k x k convolution from c_in to c_out channels has
k*k*c_in*c_out weights plus c_out biases, a linear layer d_in*d_out + d_out.
"""
import itertools

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import d2lmini
from d2lmini import (conv_output_size, corr2d, corr2d_multi_in, corr2d_multi_in_out,
                     corr2d_multi_in_out_1x1, lenet, lenet_bn, pool2d)

TOL = 1e-5


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def test_corr2d_small_example_by_hand():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.arange(4.0).reshape(2, 2)
    # 0*0 + 1*1 + 3*2 + 4*3 = 19, and so on
    assert torch.equal(corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))


@pytest.mark.parametrize("n_h,n_w,k_h,k_w", [(6, 8, 1, 2), (5, 5, 3, 3), (7, 4, 2, 4)])
def test_corr2d_matches_conv2d(n_h, n_w, k_h, k_w):
    g = _gen(n_h * 100 + k_w)
    X, K = torch.randn(n_h, n_w, generator=g), torch.randn(k_h, k_w, generator=g)
    Y = corr2d(X, K)
    ref = F.conv2d(X[None, None], K[None, None])[0, 0]
    assert Y.shape == (n_h - k_h + 1, n_w - k_w + 1) == ref.shape
    assert (Y - ref).abs().max().item() < TOL


def test_corr2d_is_not_convolution_unless_kernel_flipped():
    g = _gen(1)
    X, K = torch.randn(5, 5, generator=g), torch.randn(3, 3, generator=g)
    # A true convolution flips the kernel: corr2d with the flipped kernel.
    assert not torch.allclose(corr2d(X, K), corr2d(X, K.flip(0, 1)))


def test_corr2d_gradient_flows_to_kernel():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    K = torch.zeros(1, 2, requires_grad=True)
    Y_hat = corr2d(X, K)
    ((Y_hat - corr2d(X, torch.tensor([[1.0, -1.0]]))) ** 2).sum().backward()
    assert K.grad is not None and K.grad.abs().sum().item() > 0
    Xr = X.clone().requires_grad_()
    corr2d(Xr, torch.ones(2, 2)).sum().backward()
    assert Xr.grad is not None and Xr.grad[2, 3].item() == 4.0  # in 4 windows


def test_multi_in_matches_conv2d():
    g = _gen(2)
    X, K = torch.randn(3, 6, 5, generator=g), torch.randn(3, 2, 3, generator=g)
    ref = F.conv2d(X[None], K[None])[0, 0]
    assert (corr2d_multi_in(X, K) - ref).abs().max().item() < TOL


def test_multi_in_out_matches_conv2d():
    g = _gen(3)
    X, K = torch.randn(3, 6, 7, generator=g), torch.randn(4, 3, 3, 2, generator=g)
    Y = corr2d_multi_in_out(X, K)
    ref = F.conv2d(X[None], K)[0]
    assert Y.shape == (4, 4, 6) == ref.shape
    assert (Y - ref).abs().max().item() < TOL


def test_1x1_as_matrix_product_matches_conv2d_and_loops():
    g = _gen(4)
    X, K = torch.randn(3, 5, 4, generator=g), torch.randn(2, 3, 1, 1, generator=g)
    Y = corr2d_multi_in_out_1x1(X, K)
    assert Y.shape == (2, 5, 4)
    assert (Y - F.conv2d(X[None], K)[0]).abs().max().item() < TOL
    assert (Y - corr2d_multi_in_out(X, K)).abs().max().item() < TOL
    # each pixel: a fully connected layer from 3 channels to 2
    assert torch.allclose(Y[:, 1, 2], K[:, :, 0, 0] @ X[:, 1, 2], atol=TOL)


@pytest.mark.parametrize("mode,ref", [("max", F.max_pool2d), ("avg", F.avg_pool2d)])
@pytest.mark.parametrize("p_h,p_w", [(2, 2), (3, 2), (1, 3)])
def test_pool2d_matches_torch(mode, ref, p_h, p_w):
    g = _gen(p_h * 10 + p_w)
    X = torch.randn(6, 7, generator=g)
    Y = pool2d(X, (p_h, p_w), mode=mode)
    expected = ref(X[None, None], (p_h, p_w), stride=1)[0, 0]
    assert Y.shape == (7 - p_h, 8 - p_w) == expected.shape
    assert (Y - expected).abs().max().item() < TOL


def test_pool2d_small_example_by_hand():
    X = torch.arange(9.0).reshape(3, 3)
    assert torch.equal(pool2d(X, (2, 2)), torch.tensor([[4.0, 5.0], [7.0, 8.0]]))
    assert torch.equal(pool2d(X, (2, 2), "avg"), torch.tensor([[2.0, 3.0], [5.0, 6.0]]))


def test_bad_input_raises():
    with pytest.raises(ValueError, match="'max' or 'avg'"):
        pool2d(torch.zeros(3, 3), (2, 2), mode="min")
    with pytest.raises(ValueError, match="2-D input"):
        pool2d(torch.zeros(1, 3, 3), (2, 2))
    with pytest.raises(ValueError, match=r"pool_size must be a pair \(p_h, p_w\)"):
        pool2d(torch.zeros(3, 3), 2)
    with pytest.raises(ValueError, match=r"window \(4, 1\) does not fit"):
        pool2d(torch.zeros(3, 3), (4, 1))
    with pytest.raises(ValueError, match=r"corr2d expects X of shape \(n_h, n_w\) and K of shape "
                                         r"\(k_h, k_w\), got \(1, 3, 3\) and \(2, 2\)"):
        corr2d(torch.zeros(1, 3, 3), torch.zeros(2, 2))
    with pytest.raises(ValueError, match=r"got list and \(2, 2\)"):
        corr2d([[1.0, 2.0]], torch.zeros(2, 2))
    with pytest.raises(ValueError, match=r"kernel \(4, 2\) does not fit in the input \(3, 3\)"):
        corr2d(torch.zeros(3, 3), torch.zeros(4, 2))
    # zip would drop the third kernel slice: the channels must agree
    with pytest.raises(ValueError, match=r"with the same c_i, got \(2, 3, 3\) and \(3, 2, 2\)"):
        corr2d_multi_in(torch.zeros(2, 3, 3), torch.zeros(3, 2, 2))
    # corr2d_multi_in_out leaves the checks to corr2d_multi_in, kernel by kernel:
    # a kernel without its c_o axis gives slices of the wrong shape
    with pytest.raises(ValueError, match=r"corr2d_multi_in expects .* K of shape "
                                         r"\(c_i, k_h, k_w\).* got \(2, 3, 3\) and \(2, 2\)"):
        corr2d_multi_in_out(torch.zeros(2, 3, 3), torch.zeros(2, 2, 2))
    with pytest.raises(ValueError, match="same c_i"):
        corr2d_multi_in_out(torch.zeros(2, 3, 3), torch.zeros(4, 3, 2, 2))
    with pytest.raises(ValueError, match="same c_i"):
        corr2d_multi_in_out(torch.zeros(3, 3, 3), torch.zeros(4, 2, 2, 2))
    with pytest.raises(ValueError, match=r"\(c_o, c_i, 1, 1\)"):
        corr2d_multi_in_out_1x1(torch.zeros(2, 3, 3), torch.zeros(4, 2, 3, 3))
    # as many numbers as a (2, 2, 1, 1) kernel: the reshape alone would accept it
    with pytest.raises(ValueError, match=r"\(c_o, c_i, 1, 1\)"):
        corr2d_multi_in_out_1x1(torch.zeros(2, 3, 3), torch.zeros(2, 1, 2, 1))


# ------------------------------------------------------------ output sizes

@pytest.mark.parametrize("n", [1, 5, 8, 28, 31])
def test_conv_output_size_matches_conv2d_and_pooling(n):
    for k, p, s in itertools.product([1, 2, 3, 5], [0, 1, 2], [1, 2, 3]):
        if n + 2 * p < k:
            continue
        X = torch.zeros(1, 1, n, n)
        expected = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)(X).shape[-1]
        assert conv_output_size(n, k, padding=p, stride=s) == expected, (n, k, p, s)
        if 2 * p <= k:  # PyTorch's pooling allows padding up to half the window
            pooled = F.max_pool2d(X, k, stride=s, padding=p).shape[-1]
            assert conv_output_size(n, k, p, s) == pooled, (n, k, p, s)


def test_conv_output_size_values_and_errors():
    assert conv_output_size(8, 3, padding=1) == 8      # same size
    assert conv_output_size(8, 3, padding=1, stride=2) == 4
    assert conv_output_size(8, 5, padding=0, stride=3) == 2  # floor(3 / 3) + 1
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(3, 5)
    assert conv_output_size(3, 5, padding=1) == 1  # fits once padded
    for bad in (dict(n=0, kernel_size=1), dict(n=4, kernel_size=1.5),
                dict(n=4, kernel_size=2, stride=0), dict(n=4, kernel_size=2, padding=-1),
                dict(n=True, kernel_size=1)):
        with pytest.raises(ValueError, match="must be a"):
            conv_output_size(**bad)


# ------------------------------------------------------------------- LeNet

def _conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def _linear(d_in, d_out):
    return d_in * d_out + d_out


def test_lenet_shapes_and_parameters():
    net = lenet()
    expected = (_conv(5, 1, 6) + _conv(5, 6, 16) + _linear(16 * 4 * 4, 120)
                + _linear(120, 84) + _linear(84, 10))
    assert sum(p.numel() for p in net.parameters()) == expected == 44426
    X = torch.randn(2, 1, 28, 28)
    shapes = []
    for layer in net:
        X = layer(X)
        shapes.append(tuple(X.shape))
    assert shapes[0] == (2, 6, 24, 24) and shapes[2] == (2, 6, 12, 12)
    assert shapes[3] == (2, 16, 8, 8) and shapes[5] == (2, 16, 4, 4)
    assert shapes[6] == (2, 256) and shapes[-1] == (2, 10)
    assert sum(isinstance(m, nn.Sigmoid) for m in net) == 4
    assert sum(isinstance(m, nn.AvgPool2d) for m in net) == 2


def test_lenet_is_lenet_bn_without_normalization():
    def layers(net):
        return [repr(m) for m in net
                if not isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    assert layers(lenet()) == layers(lenet_bn(scratch=False))
    assert d2lmini.lenet is lenet
