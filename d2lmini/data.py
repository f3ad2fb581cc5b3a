"""Fashion-MNIST as minibatches on the training device, full or quick.

The whole dataset is small (60,000 + 10,000 images of 28x28 bytes, 55 MB), so
it is kept as one uint8 tensor on the training device
(:class:`d2lmini.DeviceLoader`). Quick mode takes a fixed subset of it, and
full mode on a CPU may take smaller images (see :func:`d2lmini.set_sizes`).
Finding, verifying and downloading the four files is the job of
:mod:`d2lmini.datafiles`; ``python -m d2lmini.data`` runs its command line.
"""
import sys

import torch

from .checks import check_positive_int
from .datafiles import main, read_fashion_mnist
from .loader import DeviceLoader, check_device, check_resize
from .mode import SIZES, is_quick, say_once, shrink, warn_if_slow
from .runtime import note_image_size

__all__ = ["TEXT_LABELS", "load_fashion_mnist", "get_fashion_mnist_labels",
           "balanced_subset"]

#: Class names, indexed by label.
TEXT_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot")



def get_fashion_mnist_labels(labels):
    """Turn numeric labels (a list, NumPy array or tensor of 0..9) into class names."""
    values = [v.item() if hasattr(v, "item") else v for v in labels]
    bad = [v for v in values if v not in range(len(TEXT_LABELS))]
    if bad:
        raise ValueError(f"labels must be class numbers 0 to {len(TEXT_LABELS) - 1}, "
                         f"got {bad[0]!r}")
    return [TEXT_LABELS[int(v)] for v in values]


def balanced_subset(labels, per_class):
    """Indices of the first ``per_class`` examples of each class, in dataset order.

    The subset is fixed (no randomness) and has the same number of examples of
    every class, so quick-mode results are comparable from run to run.
    """
    labels = torch.as_tensor(labels)
    picks = []
    for c in torch.unique(labels).tolist():
        idx = torch.nonzero(labels == c).flatten()[:per_class]
        if len(idx) < per_class:
            raise ValueError(f"class {c} has only {len(idx)} examples, {per_class} requested")
        picks.append(idx)
    return torch.sort(torch.cat(picks)).values


def _sized(asked, used):
    """", resized to 32x32 instead of 96x96" when the size was changed, else ""."""
    if used == asked:
        return ""
    return f", resized to {used[0]}x{used[1]} instead of {asked[0]}x{asked[1]}"


def load_fashion_mnist(batch_size, resize=None, root=None, device=None, quick=None,
                       download=True):
    """Return ``(train_iter, test_iter)``: Fashion-MNIST minibatches on ``device``.

    Args:
        batch_size: examples per minibatch (a positive int).
        resize: ``None`` (28x28), an int ``s`` (s x s) or a pair ``(h, w)``.
        root: a folder holding the four files; see :mod:`d2lmini.datafiles`
            for the other places looked in.
        device: where the data lives and batches are made (default:
            :func:`try_gpu`).
        quick: use the quick-mode subset (default: :func:`is_quick`): by
            default the first 300 training and 100 test images of each class,
            enlarged to at most 48 pixels a side (a chapter sets its own
            numbers with :func:`d2lmini.set_sizes`), announced in one line of
            output (once per process).
        download: download from the official mirrors if found nowhere.

    The training iterator reshuffles at every pass; the test iterator keeps
    the dataset order. In full mode on a CPU, images are enlarged to at most
    ``cpu_size`` pixels a side where the chapter set one
    (:func:`d2lmini.set_sizes`), and said so; at 64 pixels a side or more a
    ``RuntimeWarning`` says that the chapter will take hours.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    resize = check_resize(resize)
    device = check_device(device)
    quick = is_quick() if quick is None else bool(quick)
    arrays = read_fashion_mnist(root, download=download)
    tensors = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    train_x, train_y = tensors["train_images"], tensors["train_labels"]
    test_x, test_y = tensors["test_images"], tensors["test_labels"]
    asked = resize
    if quick:
        train_idx = balanced_subset(train_y, SIZES.quick_per_class)
        test_idx = balanced_subset(test_y, SIZES.quick_test_per_class)
        resize = shrink(resize, SIZES.quick_size)
        say_once(f"quick mode: {len(train_idx):,} of {len(train_y):,} training and "
                 f"{len(test_idx):,} of {len(test_y):,} test images{_sized(asked, resize)} "
                 "(D2LMINI_MODE=full for all)")
        train_x, train_y = train_x[train_idx], train_y[train_idx]
        test_x, test_y = test_x[test_idx], test_y[test_idx]
    elif device.type == "cpu":
        resize = shrink(resize, SIZES.cpu_size)
        if resize != asked:
            say_once(f"full mode on the CPU{_sized(asked, resize)}: at the chapter's "
                     "own size this network would take hours to train here")
        warn_if_slow(device, resize)
    note_image_size(asked, resize)
    classes = len(TEXT_LABELS)
    train_iter = DeviceLoader(train_x, train_y, batch_size, shuffle=True, resize=resize,
                              device=device, num_classes=classes)
    test_iter = train_iter.like(test_x, test_y, shuffle=False)
    return train_iter, test_iter


# `python -m d2lmini.data`. The package imports this module only when one of its
# names is first used, so that runpy runs it here without warning that it was
# imported already; the command line itself lives in d2lmini.datafiles.
if __name__ == "__main__":
    sys.exit(main())
