"""ResNet (He et al., 2016): the residual block and ResNet-18."""
from torch import nn
from torch.nn import functional as F

__all__ = ["Residual", "resnet_block", "stem", "resnet18"]


class Residual(nn.Module):
    """The residual block: relu(x + g(x)), with a 1x1 conv on x if asked."""

    def __init__(self, in_channels, out_channels, use_1x1conv=False, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3,
                               padding=1, stride=stride)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3,
                               padding=1)
        self.conv3 = (nn.Conv2d(in_channels, out_channels, kernel_size=1,
                                stride=stride) if use_1x1conv else None)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)  # the shortcut: add the input back


def resnet_block(in_channels, out_channels, num_residuals, first_block=False):
    """A ResNet stage of num_residuals blocks; a later stage halves h, w."""
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blocks.append(Residual(in_channels, out_channels,
                                   use_1x1conv=True, stride=2))
        else:
            blocks.append(Residual(out_channels, out_channels))
    return nn.Sequential(*blocks)


def stem(in_channels=1):
    """7x7 conv (stride 2), batch norm, ReLU, max-pool: (b, 64, h/4, w/4)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))


def resnet18(in_channels=1, num_classes=10):
    """ResNet-18: the stem, four stages of two blocks, pooling, a classifier."""
    return nn.Sequential(
        stem(in_channels),                       # (b, 64, h/4, w/4)
        resnet_block(64, 64, 2, first_block=True),
        resnet_block(64, 128, 2),                # (b, 128, h/8, w/8)
        resnet_block(128, 256, 2),               # (b, 256, h/16, w/16)
        resnet_block(256, 512, 2),               # (b, 512, h/32, w/32)
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),  # (b, 512)
        nn.Linear(512, num_classes))
