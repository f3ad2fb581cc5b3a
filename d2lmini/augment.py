"""Image augmentation on whole minibatches, on the training device.

Each function takes a float batch ``X`` of shape (b, c, h, w), values in
[0, 1], and returns a batch of the same shape in which every image got its
own random transformation: the random numbers are drawn as tensors of b
values, and the work is a few tensor operations on the whole batch, wherever
it lives. :class:`Augmented` wraps a training iterator and augments every
batch it yields. The chapter "Image Augmentation" gives the math of each.
"""
import math

import torch
import torch.nn.functional as F

from .checks import check_number, check_unit_images, describe, is_positive_number

__all__ = ["hflip", "random_resized_crop", "brightness_contrast", "compose",
           "Augmented"]


def hflip(X, p=0.5):
    """Flip each image of X (b, c, h, w) left to right with probability p."""
    _check_batch(X)
    flip = torch.rand(len(X), device=X.device) < p  # (b,)
    return torch.where(flip[:, None, None, None], X.flip(-1), X)


def random_resized_crop(X, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)):
    """Crop a random box out of each image of X and resize it to the image."""
    _check_crop(X, scale, ratio)
    b, dev = len(X), X.device
    s = torch.empty(b, device=dev).uniform_(*scale)  # area, a fraction
    log_r = torch.empty(b, device=dev).uniform_(*map(math.log, ratio))
    r = log_r.exp()                        # width over height
    w = torch.sqrt(s * r).clamp(max=1.0)   # box width, a fraction of W
    h = torch.sqrt(s / r).clamp(max=1.0)   # box height, a fraction of H
    cx = (torch.rand(b, device=dev) * 2 - 1) * (1 - w)  # centre: box inside
    cy = (torch.rand(b, device=dev) * 2 - 1) * (1 - h)
    zero = torch.zeros_like(w)
    theta = torch.stack([torch.stack([w, zero, cx], 1),
                         torch.stack([zero, h, cy], 1)], 1)  # (b, 2, 3)
    grid = F.affine_grid(theta.to(X.dtype), list(X.shape),
                         align_corners=False)
    return F.grid_sample(X, grid, mode="bilinear", padding_mode="border",
                         align_corners=False)


def brightness_contrast(X, brightness=0.5, contrast=0.5):
    """Scale each image's brightness, then its contrast, by random factors."""
    _check_jitter(X, brightness, contrast)
    shape, dev = (len(X), 1, 1, 1), X.device
    a = torch.empty(shape, device=dev).uniform_(1 - brightness, 1 + brightness)
    b = torch.empty(shape, device=dev).uniform_(1 - contrast, 1 + contrast)
    X = (a * X).clamp(0, 1)
    mean = X.mean(dim=(1, 2, 3), keepdim=True)  # (b, 1, 1, 1)
    return (b * X + (1 - b) * mean).clamp(0, 1)


def compose(*augs):
    """One augmentation that applies ``augs`` in order: compose(f, g)(X) = g(f(X))."""
    if not all(callable(f) for f in augs):
        raise TypeError("compose expects functions of a batch")

    def composed(X):
        for f in augs:
            X = f(X)
        return X
    return composed


class Augmented:
    """Training batches (augment(X), y) for the batches (X, y) of data_iter."""

    def __init__(self, data_iter, augment):
        self.data_iter, self.augment = data_iter, augment
        self.device = getattr(data_iter, "device", None)

    def __len__(self):
        return len(self.data_iter)

    def __iter__(self):
        for X, y in self.data_iter:
            yield self.augment(X), y

    def __repr__(self):
        name = getattr(self.augment, "__name__", "...")
        return f"Augmented({self.data_iter!r}, {name})"


def _check_batch(X):
    """A float batch (b, c, h, w) of images with values in [0, 1], or an error."""
    if not isinstance(X, torch.Tensor) or X.dim() != 4 or not X.is_floating_point():
        raise ValueError("an augmentation expects a float batch of shape (b, c, h, w), "
                         f"got {describe(X)}")
    check_unit_images(X, "an augmentation")


def _check_range(name, pair):
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2
            and all(is_positive_number(v) for v in pair) and pair[0] <= pair[1]):
        raise ValueError(f"{name} must be a pair 0 < low <= high, got {pair!r}")


def _check_crop(X, scale, ratio):
    _check_batch(X)
    _check_range("scale", scale)
    _check_range("ratio", ratio)


def _check_jitter(X, brightness, contrast):
    _check_batch(X)
    check_number("brightness", brightness, 0, 1)
    check_number("contrast", contrast, 0, 1)
