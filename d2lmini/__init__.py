"""d2lmini: the helper package of the d2lmini deep-learning course.

One job per module, each short enough to read in one sitting:

* data: :mod:`~d2lmini.datafiles` (Fashion-MNIST's files, found, verified,
  downloaded), :mod:`~d2lmini.loader` (minibatches made on the device),
  :mod:`~d2lmini.data` (the dataset, full or quick), :mod:`~d2lmini.batches`;
* training: :mod:`~d2lmini.train` (the loop), :mod:`~d2lmini.evaluation`,
  :mod:`~d2lmini.history`, :mod:`~d2lmini.gpu` (the GPU speed-ups),
  :mod:`~d2lmini.init`, :mod:`~d2lmini.precision` (bfloat16 on the CPU);
* where and how a chapter runs: :mod:`~d2lmini.mode` (quick or full, and the
  sizes), :mod:`~d2lmini.devices`, :mod:`~d2lmini.seed`,
  :mod:`~d2lmini.seeds` (runs over seeds, and their spread),
  :mod:`~d2lmini.runtime` (the run record), :mod:`~d2lmini.checks` (the
  checks of what students pass in);
* the ideas of the chapters: :mod:`~d2lmini.conv`, :mod:`~d2lmini.layers`,
  :mod:`~d2lmini.models`, :mod:`~d2lmini.augment`, :mod:`~d2lmini.finetune`,
  :mod:`~d2lmini.optim`, :mod:`~d2lmini.toys`, :mod:`~d2lmini.curves`;
* what a page shows: :mod:`~d2lmini.display`, :mod:`~d2lmini.plot`,
  :mod:`~d2lmini.traces`, :mod:`~d2lmini.progress`, :mod:`~d2lmini.show`.
"""
from typing import TYPE_CHECKING

from .display import in_notebook, use_svg_display
from .exports import lazy_exports
from .version import __version__

if TYPE_CHECKING:  # the public names; each module loads when one is first used
    from .augment import (Augmented, brightness_contrast, compose, hflip,
                          random_resized_crop)
    from .batches import minibatch_size
    from .conv import (conv_output_size, corr2d, corr2d_multi_in, corr2d_multi_in_out,
                       corr2d_multi_in_out_1x1, pool2d)
    from .curves import (LossCurve, loss_curves_over_seeds, mean_curve,
                         plot_loss_curves_over_seeds, softmax_regression, train_loss_curve)
    from .data import TEXT_LABELS, get_fashion_mnist_labels, load_fashion_mnist
    from .datafiles import (CorruptFileError, DataNotFoundError, find_fashion_mnist,
                            read_fashion_mnist)
    from .devices import cpu, try_gpu
    from .evaluation import accuracy, evaluate, evaluate_accuracy, evaluate_loss
    from .finetune import (class_subset, freeze_body, head_of, imagenet_input,
                           param_groups, replace_head)
    from .history import History, Timer
    from .init import init_he
    from .layers import BatchNorm, batch_norm
    from .loader import DeviceLoader
    from .mode import QUICK_EPOCHS, SIZES, get_mode, is_quick, set_sizes
    from .models import (VGG11, DenseBlock, Inception, Residual, alexnet, densenet,
                         googlenet, lenet, lenet_bn, narrow_arch, nin, nin_block,
                         resnet18, transition_block, vgg, vgg_block)
    from .optim import (SGD, AdaDelta, AdaGrad, Adam, Momentum, RMSProp, RuleOptimizer,
                        Yogi, adadelta_update, adagrad_update, adam_update,
                        momentum_update, newton_update, rmsprop_update, sgd_update,
                        yogi_update)
    from .plot import LivePlot, show_images
    from .precision import BFloat16OnCPU, bf16_on_cpu, cpu_has_bf16
    from .seed import seed_everything
    from .seeds import Spread, compare, over_seeds, spread
    from .show import claim, glue, show_source
    from .toys import (bowl, constant_lr, cubic, exponential_lr, format_final,
                       ill_conditioned_bowl, newton_1d, piecewise_lr, polynomial_lr,
                       saddle, scaled_cosh, square, train_1d, train_2d, train_toy, xcos)
    from .traces import plot_loss_curves, plot_trace_1d, plot_trace_2d
    from .train import train_classifier, train_epoch

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__, globals())
__all__ += ["in_notebook", "use_svg_display", "__version__"]

if in_notebook():
    use_svg_display()
