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
from ..exports import lazy_exports

# Where each network lives (a new family: one line here, and its names in the
# table of d2lmini/__init__.py). A family's module is imported when one of its
# names is first used (see d2lmini.exports).
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "lenet": "lenet lenet_bn",
    "alexnet": "alexnet",
    "vgg": "VGG11 narrow_arch vgg vgg_block",
    "nin": "nin nin_block",
    "googlenet": "Inception googlenet",
    "resnet": "Residual resnet_block resnet18 stem",
    "densenet": "DenseBlock conv_block densenet transition_block",
}, globals())
