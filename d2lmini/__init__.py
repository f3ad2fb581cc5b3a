"""d2lmini: the helper package of the d2lmini deep-learning course.

Each module holds one topic and is short enough to read in one sitting:

* :mod:`d2lmini.runtime`: device, seeding, quick or full mode;
* :mod:`d2lmini.data`: Fashion-MNIST, found, verified and batched on the device;
* :mod:`d2lmini.train`: the classifier training loop and evaluation;
* :mod:`d2lmini.plot`: live training curves and image grids;
* :mod:`d2lmini.show`: ``show_source``, so chapters show the code they import.
"""
from .data import (TEXT_LABELS, CorruptFileError, DataNotFoundError, DeviceLoader,
                   find_fashion_mnist, get_fashion_mnist_labels, load_fashion_mnist,
                   read_fashion_mnist)
from .plot import LivePlot, in_notebook, show_images, use_svg_display
from .runtime import QUICK_EPOCHS, cpu, get_mode, is_quick, seed_everything, try_gpu
from .show import show_source
from .train import History, Timer, accuracy, evaluate_accuracy, train_classifier

__version__ = "0.1.0"

if in_notebook():
    use_svg_display()
