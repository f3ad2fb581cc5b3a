"""AlexNet (Krizhevsky et al., 2012), for one-channel images and ten classes."""
from torch import nn

__all__ = ["alexnet"]


def alexnet(in_channels=1, num_classes=10):
    """AlexNet: five convolutional layers (96, 256, 384, 384 and 256
    channels) with ReLUs and three 3x3 max-poolings with stride 2, then two
    fully connected layers of 4096 units with ReLU and dropout, and the
    output layer.

    A convolution or pooling with kernel ``k``, stride ``s`` and padding ``p``
    maps a side ``n`` to ``floor((n + 2p - k) / s) + 1``: the 11x11
    convolution with stride 4 and padding 1 and the three poolings take 224
    to 54, 26, 12 and 5 (the other convolutions keep the size), so the first
    fully connected layer sees 256 * 5 * 5 = 6400 features. Before it, an
    adaptive average pooling brings the last map to 5x5 whatever the input
    size (as torchvision's AlexNet does): at 224 pixels it changes nothing,
    and smaller images (65 pixels at least, the smallest that survives the
    three poolings) give the same network, with the same parameters.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1),
        nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),  # (b, 96, 26, 26)
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),             # (b, 256, 12, 12)
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),             # (b, 256, 5, 5)
        nn.AdaptiveAvgPool2d((5, 5)), nn.Flatten(),        # (b, 6400)
        nn.Linear(256 * 5 * 5, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, num_classes))
