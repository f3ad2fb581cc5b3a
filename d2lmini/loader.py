"""Minibatches of an image dataset that lives, whole, on the training device.

Batches are cut, shuffled, scaled to [0, 1] and resized there, instead of
pushing every image through a per-image PIL pipeline on the CPU.
"""
import torch
import torch.nn.functional as F

from .checks import (check_byte_images, check_labels, check_positive_int, describe,
                     is_positive_int)
from .devices import try_gpu

__all__ = ["DeviceLoader", "check_resize", "check_device"]


def check_resize(resize):
    """``resize`` as an (height, width) pair of positive ints, or None."""
    if resize is None:
        return None
    if is_positive_int(resize):
        return (int(resize), int(resize))
    if (isinstance(resize, (tuple, list)) and len(resize) == 2
            and all(is_positive_int(v) for v in resize)):
        return (int(resize[0]), int(resize[1]))
    raise ValueError(f"resize must be None, a positive int or a pair of positive ints, "
                     f"got {resize!r}")


def check_device(device):
    """``device`` as a torch.device; None means the GPU if any, else the CPU."""
    if device is None:
        return try_gpu()
    try:
        return torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be a torch.device, a name such as 'cpu' or "
                         f"'cuda:0', or None, got {device!r}") from None


class DeviceLoader:
    """Minibatches ``(X, y)`` of uint8 images (n, h, w) and their labels (n,).

    ``X`` is float32 of shape (batch, 1, h, w) scaled to [0, 1] (resized
    with bilinear interpolation when ``resize`` is set). With ``shuffle`` the
    order is a fresh random permutation at every pass, drawn from a generator
    seeded from PyTorch's global seed when the loader is made. Labels must be
    class numbers in [0, ``num_classes``) (``None``: any number >= 0).
    """

    def __init__(self, images, labels, batch_size, shuffle=False, resize=None,
                 device=None, num_classes=None):
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.resize = check_resize(resize)
        if not isinstance(images, torch.Tensor) or images.dim() != 3:
            raise ValueError(f"images must be a tensor of shape (n, height, width), "
                             f"got {describe(images)}")
        check_byte_images(images, "DeviceLoader")
        if not isinstance(labels, torch.Tensor) or labels.shape != images.shape[:1]:
            raise ValueError(f"labels must be a tensor of shape ({len(images)},), one "
                             f"label per image, got {describe(labels)}")
        if num_classes is not None:
            num_classes = check_positive_int("num_classes", num_classes)
        check_labels(labels, num_classes)
        self.num_classes = num_classes
        self.device = check_device(device) if device is not None else images.device
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
        """uint8 images (b, h, w) -> the float input (b, 1, H, W) in [0, 1]."""
        check_byte_images(images, "DeviceLoader.transform")
        X = images.unsqueeze(1).float() / 255  # (b, 1, h, w)
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

    def like(self, images, labels, **changes):
        """A loader like this one (batch size, shuffling, resizing, device,
        classes) over other ``images`` and ``labels``; ``changes`` override."""
        settings = dict(batch_size=self.batch_size, shuffle=self.shuffle,
                        resize=self.resize, device=self.device, num_classes=self.num_classes)
        settings.update(changes)
        return DeviceLoader(images, labels, **settings)

    def __repr__(self):
        return (f"DeviceLoader({self.num_examples} examples, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"resize={self.resize}, device={self.device})")
