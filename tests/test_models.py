"""Shapes, parameter counts and behaviour of the networks in d2lmini.models.

Expected parameter counts are computed here from the architecture by formula,
never by calling the code under test: a k x k convolution from c_in to c_out
channels has k*k*c_in*c_out weights plus c_out biases, batch normalization on
c channels has 2c parameters (gamma and beta), a linear layer d_in*d_out + d_out.
"""
import pytest
import torch
from torch import nn

import d2lmini
from d2lmini import (BatchNorm, DenseBlock, Residual, densenet, lenet_bn, resnet18,
                     transition_block)
from d2lmini.models import conv_block, resnet_block, stem


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def bn(c):
    return 2 * c


def linear(d_in, d_out):
    return d_in * d_out + d_out


def count(net):
    return sum(p.numel() for p in net.parameters())


STEM = conv(7, 1, 64) + bn(64)


def residual_params(c_in, c_out, use_1x1conv):
    return (conv(3, c_in, c_out) + conv(3, c_out, c_out) + 2 * bn(c_out)
            + (conv(1, c_in, c_out) if use_1x1conv else 0))


def resnet18_params(num_classes=10):
    total = STEM + 2 * residual_params(64, 64, False)
    for c_in, c_out in [(64, 128), (128, 256), (256, 512)]:
        total += residual_params(c_in, c_out, True) + residual_params(c_out, c_out, False)
    return total + linear(512, num_classes)


def densenet_params(growth=32, arch=(4, 4, 4, 4), num_classes=10):
    total, c = STEM, 64
    for i, n in enumerate(arch):
        for j in range(n):
            total += bn(c + j * growth) + conv(3, c + j * growth, growth)
        c += n * growth
        if i != len(arch) - 1:
            total += bn(c) + conv(1, c, c // 2)
            c //= 2
    return total + bn(c) + linear(c, num_classes)


# ---------------------------------------------------------------- LeNet-BN

LENET_BN_PARAMS = (conv(5, 1, 6) + bn(6) + conv(5, 6, 16) + bn(16) + linear(256, 120) + bn(120)
                   + linear(120, 84) + bn(84) + linear(84, 10))


@pytest.mark.parametrize("scratch", [True, False])
def test_lenet_bn_shapes_and_parameters(scratch):
    net = lenet_bn(scratch=scratch)
    assert count(net) == LENET_BN_PARAMS == 44878
    norm = BatchNorm if scratch else (nn.BatchNorm1d, nn.BatchNorm2d)
    assert sum(isinstance(m, norm) for m in net.modules()) == 4
    assert sum(isinstance(m, nn.Sigmoid) for m in net.modules()) == 4
    X = torch.randn(2, 1, 28, 28)
    shapes = []
    for layer in net:
        X = layer(X)
        shapes.append(tuple(X.shape))
    assert shapes[3] == (2, 6, 12, 12) and shapes[7] == (2, 16, 4, 4)
    assert shapes[8] == (2, 256) and shapes[-1] == (2, 10)


def test_lenet_bn_scratch_and_builtin_compute_the_same_function():
    torch.manual_seed(0)
    a, b = lenet_bn(scratch=True), lenet_bn(scratch=False)
    # Same number of tensors in the same order; copy reshaped values across.
    with torch.no_grad():
        for p, q in zip(a.parameters(), b.parameters()):
            q.copy_(p.reshape(q.shape))
    X = torch.randn(8, 1, 28, 28)
    assert (a(X) - b(X)).abs().max().item() < 1e-5
    a.eval(), b.eval()
    X = torch.randn(3, 1, 28, 28)
    # Means are updated identically; variances differ by the unbiased factor,
    # so compare eval outputs after giving the built-in our moving variances.
    with torch.no_grad():
        for ours, ref in zip([m for m in a.modules() if isinstance(m, BatchNorm)],
                             [m for m in b.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]):
            assert (ours.moving_mean.flatten() - ref.running_mean).abs().max().item() < 1e-5
            ref.running_var.copy_(ours.moving_var.flatten())
    assert (a(X) - b(X)).abs().max().item() < 1e-5


# ---------------------------------------------------------------- ResNet

def test_residual_block_shapes_and_parameters():
    X = torch.randn(4, 3, 6, 6)
    blk = Residual(3, 3)
    assert blk(X).shape == (4, 3, 6, 6)
    assert blk.conv3 is None
    assert count(blk) == residual_params(3, 3, False)
    blk = Residual(3, 6, use_1x1conv=True, stride=2)
    assert blk(X).shape == (4, 6, 3, 3)
    assert count(blk) == residual_params(3, 6, True)
    assert Residual(3, 6, use_1x1conv=True)(X).shape == (4, 6, 6, 6)
    assert (blk(X) >= 0).all()  # ends with a ReLU


def test_residual_block_adds_the_shortcut():
    torch.manual_seed(0)
    blk = Residual(4, 4)
    with torch.no_grad():  # make g(x) = 0: the block is relu(x)
        blk.bn2.weight.zero_()
        blk.bn2.bias.zero_()
    X = torch.randn(2, 4, 5, 5)
    assert torch.allclose(blk(X), torch.relu(X))


def test_residual_block_with_mismatched_identity_fails_loudly():
    # No check in the constructor: the addition itself refuses mismatched shapes.
    X = torch.randn(2, 3, 6, 6)
    with pytest.raises(RuntimeError, match="size"):
        Residual(3, 6)(X)
    with pytest.raises(RuntimeError, match="size"):
        Residual(3, 3, stride=2)(X)


def test_resnet_stage():
    stage = resnet_block(64, 128, 2)
    assert stage(torch.randn(1, 64, 8, 8)).shape == (1, 128, 4, 4)
    assert resnet_block(64, 64, 2, first_block=True)(torch.randn(1, 64, 8, 8)).shape == (1, 64, 8, 8)


@pytest.mark.parametrize("size, stage_sizes", [(224, [56, 56, 28, 14, 7]), (96, [24, 24, 12, 6, 3])])
def test_resnet18_shape_trace(size, stage_sizes):
    net = resnet18()
    X = torch.randn(1, 1, size, size)
    net.eval()
    channels = [64, 64, 128, 256, 512]
    with torch.no_grad():
        for i, layer in enumerate(net):
            X = layer(X)
            if i < 5:
                assert tuple(X.shape) == (1, channels[i], stage_sizes[i], stage_sizes[i])
    assert tuple(X.shape) == (1, 10)


def test_resnet18_parameters_and_layers():
    net = resnet18()
    assert count(net) == resnet18_params() == 11_178_378
    assert count(resnet18(in_channels=3, num_classes=100)) == (
        resnet18_params(100) + conv(7, 3, 64) - conv(7, 1, 64))
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 17 + 3  # 17 on the main path, 3 shortcut 1x1 convs
    assert all(m.bias is not None for m in convs)  # PyTorch's default biases, as in D2L
    assert sum(isinstance(m, nn.Linear) for m in net.modules()) == 1


def test_resnet18_train_and_eval():
    torch.manual_seed(0)
    net = resnet18()
    X = torch.randn(2, 1, 32, 32)
    bn0 = net[0][1]
    before = bn0.running_mean.clone()
    net.train()
    net(X)
    assert not torch.equal(bn0.running_mean, before)
    net.eval()
    after = bn0.running_mean.clone()
    with torch.no_grad():
        Y1, Y2 = net(X), net(X[:1])
    assert torch.equal(bn0.running_mean, after)
    assert (Y1[:1] - Y2).abs().max().item() < 1e-4  # eval: independent of the batch


# ---------------------------------------------------------------- DenseNet

def test_dense_block_channels():
    blk = DenseBlock(2, 3, 10)
    assert blk.out_channels == 3 + 2 * 10
    Y = blk(torch.randn(4, 3, 8, 8))
    assert Y.shape == (4, 23, 8, 8)
    assert count(blk) == sum(bn(3 + i * 10) + conv(3, 3 + i * 10, 10) for i in range(2))
    blk = DenseBlock(4, 64, 32)
    assert blk.out_channels == 192
    assert blk(torch.randn(1, 64, 5, 5)).shape == (1, 192, 5, 5)


def test_dense_block_keeps_its_input():
    blk = DenseBlock(3, 2, 4)
    X = torch.randn(2, 2, 5, 5)
    assert torch.equal(blk(X)[:, :2], X)  # concatenation: the input passes unchanged


def test_conv_and_transition_blocks():
    assert [type(m) for m in conv_block(3, 5)] == [nn.BatchNorm2d, nn.ReLU, nn.Conv2d]
    blk = transition_block(23, 10)
    assert blk(torch.randn(4, 23, 8, 8)).shape == (4, 10, 4, 4)
    assert count(blk) == bn(23) + conv(1, 23, 10)
    assert blk(torch.randn(1, 23, 7, 7)).shape == (1, 10, 3, 3)  # floor


@pytest.mark.parametrize("size", [224, 96])
def test_densenet_shape_trace(size):
    net = densenet()
    net.eval()
    X = torch.randn(1, 1, size, size)
    expected_channels = [64, 192, 96, 224, 112, 240, 120, 248]
    s = size // 4
    expected_sizes = [s, s, s // 2, s // 2, s // 4, s // 4, s // 8, s // 8]
    with torch.no_grad():
        for i, layer in enumerate(net):
            X = layer(X)
            if i < 8:
                assert tuple(X.shape) == (1, expected_channels[i], expected_sizes[i],
                                          expected_sizes[i])
    assert tuple(X.shape) == (1, 10)


def test_densenet_parameters():
    assert count(densenet()) == densenet_params() == 758_226
    assert count(densenet(growth_rate=16, arch=(2, 3))) == densenet_params(16, (2, 3))
    assert count(densenet(num_classes=5)) == densenet_params(num_classes=5)


def test_exported():
    for name in ["lenet_bn", "Residual", "resnet18", "DenseBlock", "transition_block",
                 "densenet"]:
        assert getattr(d2lmini, name) is getattr(d2lmini.models, name)
