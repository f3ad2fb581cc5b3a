"""DenseNet (Huang et al., 2017): dense blocks joined by transition blocks."""
import torch
from torch import nn

from .resnet import stem

__all__ = ["conv_block", "DenseBlock", "transition_block", "densenet"]


def conv_block(in_channels, out_channels):
    """DenseNet's convolution: batch normalization, ReLU, then a 3x3
    convolution with padding 1 (the pre-activation order)."""
    return nn.Sequential(
        nn.BatchNorm2d(in_channels), nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    """A dense block: ``num_convs`` convolution blocks, each of which sees the
    concatenation of the block's input and of the outputs of all the blocks
    before it, and adds ``growth_rate`` new channels. The output has
    ``in_channels + num_convs * growth_rate`` channels (``out_channels``);
    the height and width do not change.
    """

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
    """DenseNet's transition block: batch normalization, ReLU, a 1x1
    convolution to ``out_channels`` channels and a 2x2 average pooling with
    stride 2, which halves the height and width."""
    return nn.Sequential(
        nn.BatchNorm2d(in_channels), nn.ReLU(),
        nn.Conv2d(in_channels, out_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))


def densenet(in_channels=1, num_classes=10, growth_rate=32, arch=(4, 4, 4, 4)):
    """DenseNet as in Dive into Deep Learning: the ResNet stem (64 channels),
    one dense block per entry of ``arch`` (its number of convolutions), with a
    transition block between consecutive dense blocks that halves the
    channels (rounding down) and the height and width, then batch
    normalization, ReLU, global average pooling and a linear classifier.
    """
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
