"""VGG (Simonyan and Zisserman, 2015): networks built from blocks of 3x3
convolutions."""
from torch import nn

from ..checks import check_positive_int, is_positive_int

__all__ = ["VGG11", "narrow_arch", "vgg", "vgg_block"]

#: VGG-11's convolutional part: (number of 3x3 convolutions, output channels)
#: per block. 8 convolutional layers plus 3 fully connected ones make 11.
VGG11 = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def narrow_arch(arch, ratio=4):
    """arch with every block's channels divided by ratio."""
    _check_arch(arch, ratio)
    return tuple((num_convs, out_channels // ratio)
                 for num_convs, out_channels in arch)


def vgg_block(num_convs, in_channels, out_channels):
    """num_convs 3x3 convolutions with ReLUs, then a 2x2 max-pooling."""
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3,
                                padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(arch=VGG11, in_channels=1, num_classes=10):
    """VGG: a vgg_block per pair in arch, then three fully connected layers."""
    _check_arch(arch)
    blocks = []
    for num_convs, out_channels in arch:
        blocks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *blocks,                                # (b, c, 7, 7) at 224
        nn.AdaptiveAvgPool2d((7, 7)), nn.Flatten(),   # (b, c * 49)
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, num_classes))


def _check_arch(arch, ratio=1):
    """``ValueError`` unless ``arch`` is a non-empty sequence of
    (num_convs, out_channels) pairs of positive ints and ``ratio`` a positive
    int that leaves every block at least one channel."""
    if not isinstance(arch, (tuple, list)) or not arch or not all(
            isinstance(pair, (tuple, list)) and len(pair) == 2
            and all(is_positive_int(v) for v in pair) for pair in arch):
        raise ValueError("arch must be a non-empty sequence of (num_convs, out_channels) "
                         f"pairs of positive ints, got {arch!r}")
    check_positive_int("ratio", ratio)
    if any(out_channels < ratio for _, out_channels in arch):
        raise ValueError(f"ratio {ratio} would leave a block of {arch!r} without channels")
