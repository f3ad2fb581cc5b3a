"""DenseNet (Huang et al., 2017): dense blocks joined by transition blocks."""
import torch
from torch import nn

from .resnet import stem

__all__ = ["conv_block", "DenseBlock", "transition_block", "densenet"]


def conv_block(in_channels, out_channels):
    """Batch norm, ReLU, then a 3x3 convolution that keeps h and w."""
    return nn.Sequential(
        nn.BatchNorm2d(in_channels), nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    """A dense block: each conv block adds growth_rate channels to its input."""

    def __init__(self, num_convs, in_channels, growth_rate):
        super().__init__()
        self.net = nn.Sequential(*[
            conv_block(in_channels + i * growth_rate, growth_rate)
            for i in range(num_convs)])
        self.out_channels = in_channels + num_convs * growth_rate

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)  # concatenate along the channels
        return X


def transition_block(in_channels, out_channels):
    """Batch norm, ReLU, 1x1 conv to out_channels, 2x2 average pooling."""
    return nn.Sequential(
        nn.BatchNorm2d(in_channels), nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))


def densenet(in_channels=1, num_classes=10, growth_rate=32, arch=(4, 4, 4, 4)):
    """DenseNet: the stem, dense blocks joined by transitions, a classifier."""
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
