"""LeNet (LeCun et al., 1998), and LeNet with batch normalization (Ioffe and
Szegedy, 2015)."""
from torch import nn

from ..layers import BatchNorm

__all__ = ["lenet", "lenet_bn"]


def lenet():
    """LeNet-5: images (b, 1, 28, 28) -> class scores (b, 10)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(),      # (b,6,24,24)
        nn.AvgPool2d(kernel_size=2, stride=2),              # (b,6,12,12)
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),     # (b,16,8,8)
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),  # (b,16*4*4)
        nn.Linear(16 * 4 * 4, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def lenet_bn(scratch=True):
    """LeNet-5 with batch norm before each sigmoid (ours or PyTorch's)."""
    if scratch:
        def bn2d(c): return BatchNorm(c, num_dims=4)
        def bn1d(d): return BatchNorm(d, num_dims=2)
    else:
        bn2d, bn1d = nn.BatchNorm2d, nn.BatchNorm1d
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), bn2d(6), nn.Sigmoid(),  # (b,6,24,24)
        nn.AvgPool2d(kernel_size=2, stride=2),                  # (b,6,12,12)
        nn.Conv2d(6, 16, kernel_size=5), bn2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),    # (b,16*4*4)
        nn.Linear(16 * 4 * 4, 120), bn1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), bn1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))
