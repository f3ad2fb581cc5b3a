"""The networks of the convolutional chapters, one module per family.

* :mod:`d2lmini.models.lenet`: LeNet, and LeNet with batch normalization;
* :mod:`d2lmini.models.alexnet`: AlexNet;
* :mod:`d2lmini.models.vgg`: the VGG block and VGG;
* :mod:`d2lmini.models.nin`: the NiN block and NiN;
* :mod:`d2lmini.models.googlenet`: the Inception block and GoogLeNet;
* :mod:`d2lmini.models.resnet`: the residual block, the stem and ResNet-18;
* :mod:`d2lmini.models.densenet`: dense blocks, transition blocks, DenseNet.

The architectures are those of Dive into Deep Learning (PyTorch edition),
layer for layer and with PyTorch's default convolution biases, so shapes and
parameter counts can be compared with that book. They are built for one
input channel (Fashion-MNIST) and ten classes by default. Channel arguments
are called ``in_channels`` and ``out_channels``, as in ``nn.Conv2d``.
"""
from typing import TYPE_CHECKING

from ..exports import lazy_exports

if TYPE_CHECKING:  # the networks; each family's module loads when first used
    from .alexnet import alexnet
    from .densenet import DenseBlock, conv_block, densenet, transition_block
    from .googlenet import Inception, googlenet
    from .lenet import lenet, lenet_bn
    from .nin import nin, nin_block
    from .resnet import Residual, resnet18, resnet_block, stem
    from .vgg import VGG11, narrow_arch, vgg, vgg_block

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__, globals())
