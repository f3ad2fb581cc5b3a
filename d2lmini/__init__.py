"""d2lmini: the helper package of the d2lmini deep-learning course.

One idea per module, each short enough to read in one sitting:

* :mod:`d2lmini.runtime`: device, seeding, quick or full mode, checks;
* :mod:`d2lmini.datafiles`: Fashion-MNIST's files, found, verified, downloaded;
* :mod:`d2lmini.data`: Fashion-MNIST in minibatches made on the device;
* :mod:`d2lmini.train`: the classifier training loop and evaluation;
* :mod:`d2lmini.gpu`: the GPU speed-ups (channels-last, bfloat16);
* :mod:`d2lmini.plot`: live training curves, image grids, optimization traces;
* :mod:`d2lmini.layers`: batch normalization from scratch (function and module);
* :mod:`d2lmini.models`: the networks, one module per family;
* :mod:`d2lmini.optim`: update rules and the optimizers built on them;
* :mod:`d2lmini.toys`: test functions, toy trajectories, learning-rate schedules;
* :mod:`d2lmini.curves`: loss curves of optimizers on Fashion-MNIST;
* :mod:`d2lmini.show`: ``show_source``, so chapters show the code they import.
"""
from .datafiles import (CorruptFileError, DataNotFoundError, find_fashion_mnist,
                        read_fashion_mnist)
from .curves import LossCurve, softmax_regression, train_loss_curve
from .layers import BatchNorm, batch_norm
from .models import DenseBlock, Residual, densenet, lenet_bn, resnet18, transition_block
from .optim import (SGD, AdaDelta, AdaGrad, Adam, Momentum, RMSProp, RuleOptimizer, Yogi,
                    adadelta_update, adagrad_update, adam_update, momentum_update,
                    newton_update, rmsprop_update, sgd_update, yogi_update)
from .toys import (bowl, constant_lr, cubic, exponential_lr, format_final,
                   ill_conditioned_bowl, newton_1d, piecewise_lr, polynomial_lr, saddle,
                   scaled_cosh, square, train_1d, train_2d, train_toy, xcos)
from .plot import LivePlot, in_notebook, show_images, use_svg_display
from .plot import plot_loss_curves, plot_trace_1d, plot_trace_2d
from .runtime import (QUICK_EPOCHS, SIZES, cpu, get_mode, is_quick, seed_everything, set_sizes,
                      try_gpu)
from .show import claim, glue, show_source
from .train import (History, Timer, accuracy, evaluate, evaluate_accuracy, evaluate_loss,
                    make_optimizer, train_classifier, train_epoch)
from .version import __version__

if in_notebook():
    use_svg_display()

# d2lmini.data is imported when one of its names is first used: imported here, it
# would make `python -m d2lmini.data` warn that it runs a module already imported.
_FROM_DATA = ("data", "TEXT_LABELS", "DeviceLoader", "get_fashion_mnist_labels",
              "load_fashion_mnist")


def __getattr__(name):
    if name in _FROM_DATA:
        import importlib
        data = importlib.import_module(".data", __name__)
        return data if name == "data" else getattr(data, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_FROM_DATA))

