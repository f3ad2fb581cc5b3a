"""d2lmini: the helper package of the d2lmini deep-learning course.

One idea per module, each short enough to read in one sitting:

* :mod:`d2lmini.runtime`: device, seeding, quick or full mode, checks;
* :mod:`d2lmini.datafiles`: Fashion-MNIST's files, found, verified, downloaded;
* :mod:`d2lmini.data`: Fashion-MNIST in minibatches made on the device;
* :mod:`d2lmini.train`: the classifier training loop and evaluation;
* :mod:`d2lmini.gpu`: the GPU speed-ups (channels-last, bfloat16);
* :mod:`d2lmini.plot`: live training curves, image grids, optimization traces;
* :mod:`d2lmini.conv`: cross-correlation and pooling from scratch, output sizes;
* :mod:`d2lmini.layers`: batch normalization from scratch (function and module);
* :mod:`d2lmini.models`: the networks, one module per family;
* :mod:`d2lmini.init`: He initialization for deep ReLU networks;
* :mod:`d2lmini.batches`: the minibatch size, smaller in quick mode;
* :mod:`d2lmini.augment`: image augmentation on whole minibatches;
* :mod:`d2lmini.finetune`: replacing a head, freezing, parameter groups;
* :mod:`d2lmini.optim`: update rules and the optimizers built on them;
* :mod:`d2lmini.toys`: test functions, toy trajectories, learning-rate schedules;
* :mod:`d2lmini.curves`: loss curves of optimizers on Fashion-MNIST;
* :mod:`d2lmini.show`: ``show_source``, so chapters show the code they import.
"""
from .exports import lazy_exports
from .plot import in_notebook, use_svg_display
from .version import __version__

# Where each public name lives (a new public name: add it here). A module is
# imported when one of its names is first used (see d2lmini.exports), so a
# chapter loads only what it needs.
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "datafiles": "CorruptFileError DataNotFoundError find_fashion_mnist read_fashion_mnist",
    "data": "TEXT_LABELS DeviceLoader get_fashion_mnist_labels load_fashion_mnist",
    "augment": "Augmented brightness_contrast compose hflip random_resized_crop",
    "finetune": "class_subset freeze_body head_of imagenet_input param_groups replace_head",
    "curves": "LossCurve softmax_regression train_loss_curve",
    "conv": "conv_output_size corr2d corr2d_multi_in corr2d_multi_in_out "
            "corr2d_multi_in_out_1x1 pool2d",
    "layers": "BatchNorm batch_norm",
    "init": "init_he",
    "batches": "minibatch_size",
    "models": "DenseBlock Residual densenet lenet lenet_bn resnet18 transition_block "
              "Inception googlenet nin nin_block VGG11 alexnet narrow_arch vgg vgg_block",
    "optim": "SGD AdaDelta AdaGrad Adam Momentum RMSProp RuleOptimizer Yogi adadelta_update "
             "adagrad_update adam_update momentum_update newton_update rmsprop_update "
             "sgd_update yogi_update",
    "toys": "bowl constant_lr cubic exponential_lr format_final ill_conditioned_bowl newton_1d "
            "piecewise_lr polynomial_lr saddle scaled_cosh square train_1d train_2d train_toy "
            "xcos",
    "plot": "LivePlot show_images plot_loss_curves plot_trace_1d plot_trace_2d",
    "runtime": "QUICK_EPOCHS SIZES cpu get_mode is_quick seed_everything set_sizes try_gpu",
    "show": "claim glue show_source",
    "train": "History Timer accuracy evaluate evaluate_accuracy evaluate_loss make_optimizer "
             "train_classifier train_epoch",
}, globals())
__all__ += ["in_notebook", "use_svg_display", "__version__"]

if in_notebook():
    use_svg_display()
