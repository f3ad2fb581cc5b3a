"""VGG (Simonyan and Zisserman, 2015): networks built from blocks of 3x3
convolutions."""
from torch import nn

__all__ = ["VGG11", "narrow_arch", "vgg", "vgg_block"]

#: VGG-11's convolutional part: (number of 3x3 convolutions, output channels)
#: per block. 8 convolutional layers plus 3 fully connected ones make 11.
VGG11 = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def narrow_arch(arch, ratio=4):
    """``arch`` with every block's channels divided by ``ratio`` (VGG-11 with
    ratio 4: 16, 32, 64, 128, 128 channels); the number of convolutions per
    block stays. Parameters of a 3x3 convolution scale with
    ``c_in * c_out``, so the convolutions shrink about ``ratio**2``-fold."""
    if not isinstance(ratio, int) or ratio < 1:
        raise ValueError(f"ratio must be a positive int, got {ratio!r}")
    return tuple((num_convs, out_channels // ratio)
                 for num_convs, out_channels in arch)


def vgg_block(num_convs, in_channels, out_channels):
    """A VGG block: ``num_convs`` 3x3 convolutions with padding 1 (each keeps
    the height and width), each followed by a ReLU, then a 2x2 max-pooling
    with stride 2, which halves the height and width."""
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3,
                                padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(arch=VGG11, in_channels=1, num_classes=10):
    """VGG: one :func:`vgg_block` per ``(num_convs, out_channels)`` pair of
    ``arch``, then two fully connected layers of 4096 units with ReLU and
    dropout, and the output layer.

    Each block halves the side, so five blocks turn 224 pixels into
    224 / 2**5 = 7, and the first fully connected layer takes ``c * 7 * 7``
    features, ``c`` the last block's channels. Before it, an adaptive average
    pooling brings the last map to 7x7 whatever the input size (as
    torchvision's VGG does): at 224 pixels with five blocks it changes
    nothing, and smaller images (at least ``2**len(arch)`` pixels) give the
    same network, with the same parameters.
    """
    if not isinstance(arch, (tuple, list)) or not arch or not all(
            isinstance(pair, (tuple, list)) and len(pair) == 2
            and all(isinstance(v, int) and v >= 1 for v in pair)
            for pair in arch):
        raise ValueError("arch must be a non-empty sequence of "
                         "(num_convs, out_channels) pairs of positive ints, "
                         f"got {arch!r}")
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
