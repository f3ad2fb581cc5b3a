"""AlexNet (Krizhevsky et al., 2012), for one-channel images and ten classes."""
from torch import nn

__all__ = ["alexnet"]


def alexnet(in_channels=1, num_classes=10):
    """AlexNet: images (b, c, h, w), h and w >= 65 -> scores (b, classes)."""
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
