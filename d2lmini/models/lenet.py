"""LeNet (LeCun et al., 1998), and LeNet with batch normalization (Ioffe and
Szegedy, 2015)."""
from torch import nn

from ..layers import BatchNorm

__all__ = ["lenet", "lenet_bn"]


def lenet():
    """LeNet-5 for Fashion-MNIST: two convolutional layers (6 and 16
    channels, 5x5 kernels, no padding), each followed by a sigmoid and a 2x2
    average pooling with stride 2, then three fully connected layers (120, 84
    and 10 outputs) with sigmoids between them. Input: (batch, 1, 28, 28);
    output: (batch, 10) class scores.

    It has exactly the layers of :func:`lenet_bn` without the normalization,
    so the batch-normalization chapter compares like with like. (Dive into
    Deep Learning pads the first convolution by 2, which keeps 28x28 and
    gives 16*5*5 features before the first fully connected layer.)
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(),      # (b,6,24,24)
        nn.AvgPool2d(kernel_size=2, stride=2),              # (b,6,12,12)
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),     # (b,16,8,8)
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),  # (b,16*4*4)
        nn.Linear(16 * 4 * 4, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def lenet_bn(scratch=True):
    """LeNet-5 with batch normalization after every convolutional and hidden
    fully connected layer, before the sigmoid. Input: (batch, 1, 28, 28).

    ``scratch=True`` uses :class:`d2lmini.BatchNorm`; ``scratch=False`` uses
    PyTorch's ``nn.BatchNorm2d`` and ``nn.BatchNorm1d``. Both versions have
    the same parameters and compute the same function.
    """
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
