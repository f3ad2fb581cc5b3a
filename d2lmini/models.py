"""The networks of the convolutional chapters: LeNet with batch normalization,
ResNet-18 and DenseNet.

The architectures are those of Dive into Deep Learning (PyTorch edition),
layer for layer and with PyTorch's default convolution biases, so that shapes
and parameter counts can be compared with that book. Both ResNet and DenseNet
are built for one-channel inputs (Fashion-MNIST) and ten classes by default.
"""
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .layers import BatchNorm
from .runtime import check_positive_int

__all__ = ["lenet_bn", "Residual", "resnet_block", "resnet18", "stem", "conv_block",
           "DenseBlock", "transition_block", "densenet"]


def lenet_bn(scratch=True):
    """LeNet-5 with batch normalization after every convolutional and hidden
    fully connected layer, before the sigmoid.

    ``scratch=True`` uses :class:`d2lmini.BatchNorm`; ``scratch=False`` uses
    PyTorch's ``nn.BatchNorm2d`` and ``nn.BatchNorm1d``. Both versions have
    the same parameters and compute the same function. Input: (batch, 1, 28, 28).
    """
    if not isinstance(scratch, bool):
        raise TypeError(f"scratch must be True or False, got {scratch!r}")
    if scratch:
        def bn2d(c): return BatchNorm(c, num_dims=4)
        def bn1d(d): return BatchNorm(d, num_dims=2)
    else:
        bn2d, bn1d = nn.BatchNorm2d, nn.BatchNorm1d
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), bn2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), bn2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), bn1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), bn1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))


class Residual(nn.Module):
    """The residual block of ResNet: ``relu(x + g(x))`` (He et al., 2016).

    ``g`` is a 3x3 convolution (stride ``strides``), batch normalization,
    ReLU, a second 3x3 convolution and batch normalization; both convolutions
    have ``num_channels`` outputs and padding 1. When ``use_1x1conv`` is set
    the shortcut passes ``x`` through a 1x1 convolution with the same stride,
    so that it matches ``g(x)`` when the block changes the number of channels
    or halves the height and width; otherwise the shortcut is the identity,
    which requires ``input_channels == num_channels`` and ``strides == 1``.
    """

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        check_positive_int("input_channels", input_channels)
        check_positive_int("num_channels", num_channels)
        check_positive_int("strides", strides)
        if not use_1x1conv and (input_channels != num_channels or strides != 1):
            raise ValueError(
                "an identity shortcut needs input_channels == num_channels and strides == 1, "
                f"got {input_channels}, {num_channels} and strides={strides}; "
                "pass use_1x1conv=True")
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1,
                               stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = (nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
                      if use_1x1conv else None)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    """A ResNet stage: ``num_residuals`` residual blocks with ``num_channels``
    outputs. Unless it is the first stage, the first block halves the height
    and width and changes the number of channels (1x1-conv shortcut)."""
    check_positive_int("num_residuals", num_residuals)
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blocks.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blocks.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blocks)


def stem(in_channels=1):
    """The first module of ResNet and DenseNet: a 7x7 convolution with 64
    outputs and stride 2, batch normalization, ReLU and a 3x3 max-pooling with
    stride 2. It divides the height and width by four."""
    check_positive_int("in_channels", in_channels)
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))


def resnet18(in_channels=1, num_classes=10):
    """ResNet-18: the stem, four stages of two residual blocks (64, 128, 256
    and 512 channels), global average pooling and a linear classifier.

    Its 17 convolutional layers on the main path plus the output layer give
    the 18 of the name (the three 1x1 shortcut convolutions are not counted).
    """
    check_positive_int("num_classes", num_classes)
    return nn.Sequential(
        stem(in_channels),
        resnet_block(64, 64, 2, first_block=True),
        resnet_block(64, 128, 2),
        resnet_block(128, 256, 2),
        resnet_block(256, 512, 2),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        nn.Linear(512, num_classes))


def conv_block(input_channels, num_channels):
    """DenseNet's convolution: batch normalization, ReLU, then a 3x3
    convolution with padding 1 and ``num_channels`` outputs (pre-activation
    order)."""
    check_positive_int("input_channels", input_channels)
    check_positive_int("num_channels", num_channels)
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    """A dense block (Huang et al., 2017): ``num_convs`` convolution blocks,
    each of which sees the concatenation of the block's input and of the
    outputs of all the convolution blocks before it, and adds ``num_channels``
    (the growth rate) new channels. The output has
    ``input_channels + num_convs * num_channels`` channels, stored in
    ``out_channels``; the height and width do not change.
    """

    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        check_positive_int("num_convs", num_convs)
        check_positive_int("input_channels", input_channels)
        check_positive_int("num_channels", num_channels)
        self.net = nn.Sequential(*[conv_block(input_channels + i * num_channels, num_channels)
                                   for i in range(num_convs)])
        self.out_channels = input_channels + num_convs * num_channels

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)  # concatenate along the channels
        return X


def transition_block(input_channels, num_channels):
    """DenseNet's transition block: batch normalization, ReLU, a 1x1
    convolution to ``num_channels`` channels and a 2x2 average pooling with
    stride 2, which halves the height and width."""
    check_positive_int("input_channels", input_channels)
    check_positive_int("num_channels", num_channels)
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))


def densenet(in_channels=1, num_classes=10, growth_rate=32, arch=(4, 4, 4, 4)):
    """DenseNet as in Dive into Deep Learning: the ResNet stem (64 channels),
    one dense block per entry of ``arch`` (its number of convolutions), with a
    transition block that halves the channels (rounding down) and the height
    and width between consecutive dense blocks, then batch normalization,
    ReLU, global average pooling and a linear classifier.
    """
    check_positive_int("num_classes", num_classes)
    check_positive_int("growth_rate", growth_rate)
    if (isinstance(arch, (str, bytes)) or not isinstance(arch, Sequence) or len(arch) == 0):
        raise ValueError(f"arch must be a non-empty sequence of positive ints, got {arch!r}")
    for n in arch:
        check_positive_int("every entry of arch", n)
    blocks, channels = [], 64
    for i, num_convs in enumerate(arch):
        block = DenseBlock(num_convs, channels, growth_rate)
        blocks.append(block)
        channels = block.out_channels
        if i != len(arch) - 1:
            blocks.append(transition_block(channels, channels // 2))
            channels //= 2
    return nn.Sequential(
        stem(in_channels), *blocks,
        nn.BatchNorm2d(channels), nn.ReLU(),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        nn.Linear(channels, num_classes))
