"""Network in Network (Lin et al., 2013): NiN blocks and global average pooling."""
from torch import nn

__all__ = ["nin_block", "nin"]


def nin_block(in_channels, out_channels, kernel_size, stride, padding):
    """A convolution and two 1x1 convolutions, each followed by a ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


def nin(in_channels=1, num_classes=10):
    """NiN: four NiN blocks and global average pooling, no dense layer."""
    return nn.Sequential(
        nin_block(in_channels, 96, kernel_size=11, stride=4, padding=0),
        nn.MaxPool2d(3, stride=2),                   # (b, 96, 26, 26) at 224
        nin_block(96, 256, kernel_size=5, stride=1, padding=2),
        nn.MaxPool2d(3, stride=2),                   # (b, 256, 12, 12)
        nin_block(256, 384, kernel_size=3, stride=1, padding=1),
        nn.MaxPool2d(3, stride=2),                   # (b, 384, 5, 5)
        nn.Dropout(0.5),
        nin_block(384, num_classes, kernel_size=3, stride=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),                # (b, num_classes, 1, 1)
        nn.Flatten())                                # (b, num_classes)
