"""d2lmini: the helper package of the d2lmini deep-learning course.

Each module holds one topic and is short enough to read in one sitting:

* :mod:`d2lmini.runtime`: device, seeding, quick or full mode;
* :mod:`d2lmini.data`: Fashion-MNIST, found, verified and batched on the device;
* :mod:`d2lmini.train`: the classifier training loop and evaluation;
* :mod:`d2lmini.plot`: live training curves, image grids, optimization traces;
* :mod:`d2lmini.optim`: update rules, optimizers, toy problems, schedules, loss curves;
* :mod:`d2lmini.layers`: batch normalization from scratch (function and module);
* :mod:`d2lmini.models`: LeNet with batch normalization, ResNet-18, DenseNet;
* :mod:`d2lmini.show`: ``show_source``, so chapters show the code they import.
"""
from .data import (TEXT_LABELS, CorruptFileError, DataNotFoundError, DeviceLoader,
                   find_fashion_mnist, get_fashion_mnist_labels, load_fashion_mnist,
                   read_fashion_mnist)
from .layers import BatchNorm, batch_norm
from .models import DenseBlock, Residual, densenet, lenet_bn, resnet18, transition_block
from .optim import (SGD, AdaDelta, AdaGrad, Adam, LossCurve, Momentum, RMSProp, Yogi,
                    adadelta_update, adagrad_update, adam_update, bowl, constant_lr, cubic,
                    exponential_lr, format_final, ill_conditioned_bowl, momentum_update,
                    newton_1d, newton_update, piecewise_lr, polynomial_lr, rmsprop_update,
                    saddle, scaled_cosh, sgd_update, softmax_regression, square, train_1d,
                    train_2d, train_loss_curve, xcos, yogi_update)
from .plot import LivePlot, in_notebook, show_images, use_svg_display
from .plot import plot_loss_curves, plot_trace_1d, plot_trace_2d
from .runtime import QUICK_EPOCHS, cpu, get_mode, is_quick, seed_everything, try_gpu
from .show import show_source
from .train import (History, Timer, accuracy, evaluate_accuracy, train_classifier,
                    train_epoch)

__version__ = "0.1.0"

if in_notebook():
    use_svg_display()
