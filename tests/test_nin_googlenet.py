"""Shapes, parameter counts and behaviour of NiN and GoogLeNet.

Expected parameter counts are computed here by formula, never by calling the
code under test: a k x k convolution from c_in to c_out channels has
k*k*c_in*c_out weights plus c_out biases, a linear layer d_in*d_out + d_out.
"""
import pytest
import torch
from torch import nn

import d2lmini
from d2lmini import Inception, googlenet, nin, nin_block


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


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


# ---------------------------------------------------------------- NiN

def nin_block_params(k, c_in, c_out):
    return conv(k, c_in, c_out) + 2 * conv(1, c_out, c_out)


def nin_params(num_classes=10, in_channels=1):
    return (nin_block_params(11, in_channels, 96) + nin_block_params(5, 96, 256)
            + nin_block_params(3, 256, 384) + nin_block_params(3, 384, num_classes))


def pooled(n):  # 3x3 max-pooling with stride 2, no padding
    return (n - 3) // 2 + 1


def test_nin_block():
    blk = nin_block(3, 8, kernel_size=5, stride=2, padding=1)
    assert [type(m) for m in blk] == [nn.Conv2d, nn.ReLU] * 3
    assert [m.kernel_size for m in blk if isinstance(m, nn.Conv2d)] == [(5, 5), (1, 1), (1, 1)]
    assert blk(torch.randn(2, 3, 11, 11)).shape == (2, 8, 5, 5)  # (11 + 2 - 5) // 2 + 1
    assert count(blk) == nin_block_params(5, 3, 8)


def test_one_by_one_convolution_is_a_per_pixel_linear_layer():
    torch.manual_seed(0)
    conv1x1, fc = nn.Conv2d(4, 3, kernel_size=1), nn.Linear(4, 3)
    with torch.no_grad():
        fc.weight.copy_(conv1x1.weight.reshape(3, 4))
        fc.bias.copy_(conv1x1.bias)
    X = torch.randn(2, 4, 5, 6)
    Y = fc(X.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # the same layer at every pixel
    assert torch.allclose(conv1x1(X), Y, atol=1e-6)


@pytest.mark.parametrize("size", [224, 96, 67])
def test_nin_shape_trace(size):
    s1 = (size - 11) // 4 + 1          # the 11x11 stride-4 stem
    s2 = pooled(s1)
    s3 = pooled(s2)
    s4 = pooled(s3)
    expected = [(96, s1, s1), (96, s2, s2), (256, s2, s2), (256, s3, s3), (384, s3, s3),
                (384, s4, s4), (384, s4, s4), (10, s4, s4), (10, 1, 1), (10,)]
    assert trace(nin(), size) == expected
    if size == 224:
        assert expected[1][1:] == (26, 26) and expected[5][1:] == (5, 5)


def test_nin_smallest_input_is_67():
    assert trace(nin(), 67)[-1] == (10,)
    with pytest.raises(RuntimeError, match="too small|Output size"):
        trace(nin(), 66)


def test_nin_parameters_and_layers():
    net = nin()
    assert count(net) == nin_params() == 1_992_166
    assert count(nin(in_channels=3, num_classes=100)) == nin_params(100, 3)
    assert not any(isinstance(m, nn.Linear) for m in net.modules())  # no dense layer
    assert sum(isinstance(m, nn.Conv2d) for m in net.modules()) == 12


def test_nin_logits_are_channel_means():
    torch.manual_seed(0)
    net = nin().eval()
    X = torch.randn(2, 1, 96, 96)
    with torch.no_grad():
        Y = net[:-2](X)  # (2, 10, h, w), before global average pooling
        assert torch.allclose(net(X), Y.mean(dim=(2, 3)), atol=1e-6)


# ---------------------------------------------------------------- GoogLeNet

def inception_params(c_in, c1, c2, c3, c4):
    return (conv(1, c_in, c1) + conv(1, c_in, c2[0]) + conv(3, c2[0], c2[1])
            + conv(1, c_in, c3[0]) + conv(5, c3[0], c3[1]) + conv(1, c_in, c4))


INCEPTIONS = [  # stage, c_in, c1, c2, c3, c4, as in Szegedy et al., Table 1
    (3, 192, 64, (96, 128), (16, 32), 32), (3, 256, 128, (128, 192), (32, 96), 64),
    (4, 480, 192, (96, 208), (16, 48), 64), (4, 512, 160, (112, 224), (24, 64), 64),
    (4, 512, 128, (128, 256), (24, 64), 64), (4, 512, 112, (144, 288), (32, 64), 64),
    (4, 528, 256, (160, 320), (32, 128), 128),
    (5, 832, 256, (160, 320), (32, 128), 128), (5, 832, 384, (192, 384), (48, 128), 128)]


def googlenet_params(num_classes=10, in_channels=1):
    total = conv(7, in_channels, 64) + conv(1, 64, 64) + conv(3, 64, 192)
    total += sum(inception_params(*row[1:]) for row in INCEPTIONS)
    return total + 1024 * num_classes + num_classes


def test_inception_channels_and_parameters():
    blk = Inception(192, 64, (96, 128), (16, 32), 32)
    assert blk.out_channels == 64 + 128 + 32 + 32 == 256
    assert blk(torch.randn(2, 192, 7, 7)).shape == (2, 256, 7, 7)
    assert count(blk) == inception_params(192, 64, (96, 128), (16, 32), 32)
    blk = Inception(5, 1, (2, 3), (4, 6), 7)  # every path's count differs
    assert blk.out_channels == 1 + 3 + 6 + 7
    assert blk(torch.randn(1, 5, 4, 3)).shape == (1, 17, 4, 3)
    assert count(blk) == inception_params(5, 1, (2, 3), (4, 6), 7)
    assert [blk.p2_2.kernel_size, blk.p3_2.kernel_size] == [(3, 3), (5, 5)]


def test_inception_paths_in_order():
    torch.manual_seed(0)
    blk = Inception(3, 2, (2, 3), (2, 4), 5)
    X = torch.randn(1, 3, 6, 6)
    Y = blk(X)
    relu = torch.relu
    assert torch.allclose(Y[:, :2], relu(blk.p1_1(X)))
    assert torch.allclose(Y[:, 2:5], relu(blk.p2_2(relu(blk.p2_1(X)))))
    pooled4 = nn.functional.max_pool2d(X, 3, stride=1, padding=1)
    assert torch.allclose(Y[:, 9:], relu(blk.p4_2(pooled4)))


def test_inception_channels_chain():
    for (_, c_in, c1, c2, c3, c4), nxt in zip(INCEPTIONS, INCEPTIONS[1:] + [(6, 1024)]):
        assert c1 + c2[1] + c3[1] + c4 == nxt[1]


@pytest.mark.parametrize("size", [96, 48, 32])
def test_googlenet_shape_trace(size):
    sizes, s = [], size
    for _ in range(4):  # every stage's stride-2 steps: (s + 1) // 2, padding kept
        s = (s + 1) // 2
        if not sizes:
            s = (s + 1) // 2  # stage 1 also has a stride-2 convolution
        sizes.append(s)
    expected = [(64, sizes[0], sizes[0]), (192, sizes[1], sizes[1]),
                (480, sizes[2], sizes[2]), (832, sizes[3], sizes[3]), (1024,), (10,)]
    assert trace(googlenet(), size) == expected
    if size == 96:
        assert sizes == [24, 12, 6, 3]


def test_googlenet_parameters():
    net = googlenet()
    assert count(net) == googlenet_params() == 5_977_530
    assert count(googlenet(in_channels=3, num_classes=100)) == googlenet_params(100, 3)
    assert sum(isinstance(m, Inception) for m in net.modules()) == 9
    assert sum(isinstance(m, nn.Linear) for m in net.modules()) == 1


def test_exported():
    for name in ["nin_block", "nin", "Inception", "googlenet"]:
        assert getattr(d2lmini, name) is getattr(d2lmini.models, name)
