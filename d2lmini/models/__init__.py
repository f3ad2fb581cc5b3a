"""The networks of the convolutional chapters, one module per family.

* :mod:`d2lmini.models.lenet`: LeNet with batch normalization;
* :mod:`d2lmini.models.resnet`: the residual block, the stem and ResNet-18;
* :mod:`d2lmini.models.densenet`: dense blocks, transition blocks, DenseNet.

The architectures are those of Dive into Deep Learning (PyTorch edition),
layer for layer and with PyTorch's default convolution biases, so shapes and
parameter counts can be compared with that book. They are built for one
input channel (Fashion-MNIST) and ten classes by default. Channel arguments
are called ``in_channels`` and ``out_channels``, as in ``nn.Conv2d``.
"""
from .densenet import DenseBlock, conv_block, densenet, transition_block
from .lenet import lenet_bn
from .resnet import Residual, resnet18, resnet_block, stem

__all__ = ["lenet_bn", "Residual", "resnet_block", "resnet18", "stem", "conv_block",
           "DenseBlock", "transition_block", "densenet"]
