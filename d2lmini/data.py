"""Fashion-MNIST minibatches, served on the training device.

The whole dataset is small (60,000 + 10,000 images of 28x28 bytes, 55 MB), so
it is kept as one uint8 tensor on the training device. Batches are cut,
shuffled, scaled to [0, 1] and resized there, instead of pushing every image
through a per-image PIL pipeline on the CPU.

Finding, verifying and downloading the four files is the job of
:mod:`d2lmini.datafiles`; what users need from it (:func:`find_fashion_mnist`,
:func:`read_fashion_mnist`, :class:`DataNotFoundError`,
:class:`CorruptFileError`, ``FASHION_MNIST_FILES``) can be imported from here
too.

Run ``python -m d2lmini.data`` to find (or download) and verify the data.
"""
import sys

import torch
import torch.nn.functional as F

from .datafiles import (FASHION_MNIST_FILES, CorruptFileError, DataNotFoundError,
                        find_fashion_mnist, main, read_fashion_mnist)
from .runtime import (SIZES, check_positive_int, is_positive_int, is_quick, note_image_size,
                      say_once, shrink, try_gpu, warn_if_slow)

__all__ = [
    "FASHION_MNIST_FILES", "TEXT_LABELS", "DataNotFoundError", "CorruptFileError",
    "find_fashion_mnist", "read_fashion_mnist", "load_fashion_mnist",
    "DeviceLoader", "get_fashion_mnist_labels", "balanced_subset",
]

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


def _check_resize(resize):
    """Return ``resize`` as an (height, width) pair of positive ints, or None."""
    if resize is None:
        return None
    if is_positive_int(resize):
        return (int(resize), int(resize))
    if (isinstance(resize, (tuple, list)) and len(resize) == 2
            and all(is_positive_int(v) for v in resize)):
        return (int(resize[0]), int(resize[1]))
    raise ValueError(f"resize must be None, a positive int or a pair of positive ints, "
                     f"got {resize!r}")


def _check_device(device):
    """Return ``device`` as a torch.device; None means the GPU if any, else the CPU."""
    if device is None:
        return try_gpu()
    try:
        return torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be a torch.device, a name such as 'cpu' or "
                         f"'cuda:0', or None, got {device!r}") from None


class DeviceLoader:
    """Minibatches of an image dataset that lives on one device.

    Holds the images as a uint8 tensor of shape (n, height, width) and the
    labels as int64 on ``device``. Each iteration yields ``(X, y)`` with ``X``
    a float32 tensor of shape (batch, 1, height, width) scaled to [0, 1] (and
    resized with bilinear interpolation when ``resize`` is set). With
    ``shuffle`` the order is a fresh random permutation at every pass, drawn
    from a generator seeded from PyTorch's global seed when the loader is made.
    """

    def __init__(self, images, labels, batch_size, shuffle=False, resize=None,
                 device=None):
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.resize = _check_resize(resize)
        if not isinstance(images, torch.Tensor) or images.dim() != 3:
            raise ValueError(f"images must be a tensor of shape (n, height, width), "
                             f"got {_describe(images)}")
        if images.dtype != torch.uint8:
            raise TypeError(f"images must be uint8 (values 0 to 255), got {images.dtype}: "
                            f"batches are divided by 255, so images already scaled "
                            f"to [0, 1] would be scaled twice")
        if not isinstance(labels, torch.Tensor) or labels.shape != images.shape[:1]:
            raise ValueError(f"labels must be a tensor of shape ({len(images)},), one "
                             f"label per image, got {_describe(labels)}")
        if labels.is_floating_point() or labels.is_complex():
            raise TypeError(f"labels must be integers, got {labels.dtype}")
        self.device = _check_device(device) if device is not None else images.device
        self.images = images.to(self.device)
        self.labels = labels.to(self.device, torch.int64)
        self.shuffle = shuffle
        self._generator = torch.Generator()
        self._generator.manual_seed(int(torch.randint(0, 2**62, (1,)).item()))

    @property
    def num_examples(self):
        return len(self.labels)

    def __len__(self):
        return (self.num_examples + self.batch_size - 1) // self.batch_size

    def transform(self, images):
        """Turn a uint8 batch (b, h, w) into the float input (b, 1, H, W)."""
        X = images.unsqueeze(1).float() / 255  # (b, 1, h, w), in [0, 1]
        if self.resize is not None and X.shape[-2:] != self.resize:
            X = F.interpolate(X, size=self.resize, mode="bilinear")
        return X

    def __iter__(self):
        n = self.num_examples
        if self.shuffle:  # a fresh order at every pass
            order = torch.randperm(n, generator=self._generator).to(self.device)
        else:
            order = torch.arange(n, device=self.device)
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            yield self.transform(self.images[idx]), self.labels[idx]

    def __repr__(self):
        return (f"DeviceLoader({self.num_examples} examples, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"resize={self.resize}, device={self.device})")


def _sized(asked, used):
    """", resized to 32x32 instead of 96x96" when the size was changed, else ""."""
    if used == asked:
        return ""
    return f", resized to {used[0]}x{used[1]} instead of {asked[0]}x{asked[1]}"


def _describe(value):
    """A short description of what was given, for error messages."""
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    return f"{type(value).__name__}"


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
    resize = _check_resize(resize)
    device = _check_device(device)
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
    train_iter = DeviceLoader(train_x, train_y, batch_size, shuffle=True, resize=resize,
                              device=device)
    test_iter = DeviceLoader(test_x, test_y, batch_size, shuffle=False, resize=resize,
                             device=device)
    return train_iter, test_iter


# `python -m d2lmini.data`. The package imports this module only when one of its
# names is first used, so that runpy runs it here without warning that it was
# imported already; the command line itself lives in d2lmini.datafiles.
if __name__ == "__main__":
    sys.exit(main())
