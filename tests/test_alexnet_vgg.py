"""Shapes, parameter counts and argument checks of AlexNet and VGG.

Expected parameter counts are computed here by formula, never by calling the
code under test: a k x k convolution from c_in to c_out channels has
k*k*c_in*c_out weights plus c_out biases, a linear layer d_in*d_out + d_out.
"""
import pytest
import torch
from torch import nn

from d2lmini import VGG11, alexnet, narrow_arch, vgg, vgg_block


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def linear(d_in, d_out):
    return d_in * d_out + d_out


def count(net):
    return sum(p.numel() for p in net.parameters())


def trace(net, size):
    """The output shape of each top-level layer for one size x size image."""
    net.eval()
    X, shapes = torch.randn(1, 1, size, size), []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            shapes.append(tuple(X.shape[1:]))
    return shapes


def side(n, k, s, p=0):
    return (n + 2 * p - k) // s + 1


# ---------------------------------------------------------------- AlexNet

ALEXNET_PARAMS = (conv(11, 1, 96) + conv(5, 96, 256) + conv(3, 256, 384)
                  + conv(3, 384, 384) + conv(3, 384, 256)
                  + linear(6400, 4096) + linear(4096, 4096) + linear(4096, 10))


def test_alexnet_at_224():
    net = alexnet()
    shapes = trace(net, 224)
    assert shapes[0] == (96, 54, 54)            # (224 + 2 - 11) // 4 + 1
    assert shapes[2] == (96, 26, 26) and shapes[5] == (256, 12, 12)
    assert shapes[12] == (256, 5, 5) and shapes[13] == (256, 5, 5)
    assert shapes[14] == (6400,) and shapes[-1] == (10,)
    assert count(net) == ALEXNET_PARAMS == 46_764_746


def test_adaptive_pooling_is_the_identity_at_224():
    net = alexnet().eval()
    X = torch.randn(2, 1, 224, 224)
    with torch.no_grad():
        Y = net[:13](X)
        assert torch.equal(net[13](Y), Y)


@pytest.mark.parametrize("size", [65, 67, 96, 128])
def test_alexnet_at_smaller_sizes(size):
    n = side(size, 11, 4, 1)
    for _ in range(3):
        n = side(n, 3, 2)
    net = alexnet()
    shapes = trace(net, size)
    assert shapes[12] == (256, n, n) and shapes[14] == (6400,)
    assert shapes[-1] == (10,)
    assert count(net) == ALEXNET_PARAMS


def test_alexnet_fails_below_65_pixels():
    with pytest.raises(RuntimeError):
        trace(alexnet(), 64)


def test_alexnet_channels_and_classes():
    net = alexnet(in_channels=3, num_classes=7)
    assert net(torch.randn(2, 3, 67, 67)).shape == (2, 7)
    assert count(net) == ALEXNET_PARAMS + 121 * 96 * 2 - linear(4096, 10) + linear(4096, 7)


# ---------------------------------------------------------------- VGG

def vgg_params(arch, num_classes=10):
    total, c_in = 0, 1
    for num_convs, c_out in arch:
        total += conv(3, c_in, c_out) + (num_convs - 1) * conv(3, c_out, c_out)
        c_in = c_out
    return (total + linear(c_in * 7 * 7, 4096) + linear(4096, 4096)
            + linear(4096, num_classes))


def test_vgg_block():
    blk = vgg_block(2, 3, 8)
    assert [type(m) for m in blk] == [nn.Conv2d, nn.ReLU] * 2 + [nn.MaxPool2d]
    assert blk(torch.randn(2, 3, 10, 10)).shape == (2, 8, 5, 5)
    assert count(blk) == conv(3, 3, 8) + conv(3, 8, 8)


def test_vgg11_at_224():
    assert VGG11 == ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
    net = vgg(VGG11)
    shapes = trace(net, 224)
    assert shapes[:7] == [(64, 112, 112), (128, 56, 56), (256, 28, 28),
                          (512, 14, 14), (512, 7, 7), (512, 7, 7), (512 * 49,)]
    assert shapes[-1] == (10,)
    n_conv = sum(isinstance(m, nn.Conv2d) for m in net.modules())
    n_fc = sum(isinstance(m, nn.Linear) for m in net.modules())
    assert n_conv + n_fc == 11
    assert count(net) == vgg_params(VGG11) == 128_806_154


def test_narrow_arch():
    assert narrow_arch(VGG11) == ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))
    assert narrow_arch([[1, 64]], ratio=2) == ((1, 32),)
    with pytest.raises(ValueError, match="ratio must be a positive int, got 0"):
        narrow_arch(VGG11, ratio=0)
    with pytest.raises(ValueError, match="ratio must be a positive int, got 2.5"):
        narrow_arch(VGG11, ratio=2.5)
    with pytest.raises(ValueError, match="ratio 128 would leave a block"):
        narrow_arch(VGG11, ratio=128)
    with pytest.raises(ValueError, match=r"\(num_convs, out_channels\) pairs"):
        narrow_arch(64)


@pytest.mark.parametrize("size", [224, 32, 64, 100])
def test_narrow_vgg_sizes(size):
    arch = narrow_arch(VGG11)
    net = vgg(arch)
    shapes = trace(net, size)
    n = size // 32
    assert shapes[4] == (128, n, n) and shapes[6] == (128 * 49,)
    assert count(net) == vgg_params(arch) == 43_093_322


def test_vgg_other_depths():
    arch = ((2, 8), (3, 4))
    net = vgg(arch, num_classes=3)
    assert trace(net, 12)[1] == (4, 3, 3) and trace(net, 12)[-1] == (3,)
    assert count(net) == vgg_params(arch, 3)


@pytest.mark.parametrize("arch", [(), [(1, 64, 3)], [(0, 64)], [(1, 6.5)],
                                  "vgg11", [3], None, [(True, 64)]])
def test_vgg_rejects_bad_arch(arch):
    with pytest.raises(ValueError, match=r"\(num_convs, out_channels\) pairs"):
        vgg(arch)
