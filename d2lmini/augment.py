"""Image augmentation on whole minibatches, on the training device.

Each function takes a float batch ``X`` of shape (b, c, h, w), values in
[0, 1], and returns a batch of the same shape in which every image got its
own random transformation. Nothing goes through a per-image PIL pipeline:
the random numbers are drawn as tensors of b values, and the work is one
tensor operation on the whole batch, wherever the batch lives.

:class:`Augmented` plugs an augmentation into the training loop: it wraps a
training iterator (a :class:`d2lmini.DeviceLoader`) and transforms the
images of every batch it yields, so that ``train_classifier(net,
Augmented(train_iter, augment), test_iter, ...)`` trains on augmented
batches and tests on plain ones.
"""
import math

import torch
import torch.nn.functional as F

__all__ = ["hflip", "random_resized_crop", "brightness_contrast", "compose",
           "Augmented"]


def _check_batch(X):
    if not isinstance(X, torch.Tensor) or X.dim() != 4 or not X.is_floating_point():
        raise ValueError("an augmentation expects a float batch of shape (b, c, h, w), got "
                         + (f"shape {tuple(X.shape)}, {X.dtype}"
                            if isinstance(X, torch.Tensor) else type(X).__name__))


def _check_range(name, pair):
    lo, hi = (float(v) for v in pair)
    if not 0 < lo <= hi:
        raise ValueError(f"{name} must be a pair 0 < low <= high, got {pair!r}")
    return lo, hi


def hflip(X, p=0.5):
    """Flip each image left to right with probability ``p``.

    Image i is replaced by its mirror image, ``X[i, :, :, ::-1]``, when a
    uniform random number u_i < p.
    """
    _check_batch(X)
    flip = torch.rand(len(X), device=X.device) < p  # (b,)
    return torch.where(flip[:, None, None, None], X.flip(-1), X)


def random_resized_crop(X, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)):
    """Crop a random box out of each image and resize it to the image's size.

    As torchvision's ``RandomResizedCrop``, per image: draw the box's area as
    a fraction s ~ U(scale) of the image's, its aspect ratio (width over
    height) r with log r ~ U(log ratio), so that its width and height are

        w = sqrt(s r) W,    h = sqrt(s / r) H

    for an H x W image (each at most the full side: where torchvision draws
    again, we clip), and its position uniformly among those inside the image.
    The box is cut out and resized with bilinear interpolation in one step:
    an affine map from output to input coordinates,

        x_in = (w / W) x_out + c_x,    y_in = (h / H) y_out + c_y,

    in the normalized coordinates of ``F.affine_grid`` (-1 to 1 across the
    image), where (c_x, c_y) is the box's centre.
    """
    _check_batch(X)
    (s_lo, s_hi), (r_lo, r_hi) = _check_range("scale", scale), _check_range("ratio", ratio)
    b, dev = len(X), X.device
    s = torch.empty(b, device=dev).uniform_(s_lo, s_hi)              # area fraction
    r = torch.empty(b, device=dev).uniform_(math.log(r_lo), math.log(r_hi)).exp()
    w = torch.sqrt(s * r).clamp(max=1.0)   # box width, a fraction of the image's
    h = torch.sqrt(s / r).clamp(max=1.0)   # box height
    cx = (torch.rand(b, device=dev) * 2 - 1) * (1 - w)  # centre, box inside the image
    cy = (torch.rand(b, device=dev) * 2 - 1) * (1 - h)
    zero = torch.zeros_like(w)
    theta = torch.stack([torch.stack([w, zero, cx], 1),
                         torch.stack([zero, h, cy], 1)], 1)          # (b, 2, 3)
    grid = F.affine_grid(theta.to(X.dtype), list(X.shape), align_corners=False)
    return F.grid_sample(X, grid, mode="bilinear", padding_mode="border",
                         align_corners=False)


def brightness_contrast(X, brightness=0.5, contrast=0.5):
    """Change each image's brightness, then its contrast, by random factors.

    As torchvision's ``ColorJitter(brightness, contrast)`` on grayscale
    images: with factors a ~ U(1 - brightness, 1 + brightness) and
    b ~ U(1 - contrast, 1 + contrast), drawn per image,

        X' = clip(a X),    X'' = clip(b X' + (1 - b) mean(X')),

    where clip keeps values in [0, 1] and mean is the image's mean value.
    (torchvision also shuffles the order of the two steps.)
    """
    _check_batch(X)
    if not 0 <= brightness < 1 or not 0 <= contrast < 1:
        raise ValueError(f"brightness and contrast must be in [0, 1), got "
                         f"{brightness!r} and {contrast!r}")
    shape = (len(X), 1, 1, 1)
    a = torch.empty(shape, device=X.device).uniform_(1 - brightness, 1 + brightness)
    b = torch.empty(shape, device=X.device).uniform_(1 - contrast, 1 + contrast)
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
    """A training iterator whose images are augmented, batch by batch.

    Iterating yields ``(augment(X), y)`` for every ``(X, y)`` of
    ``data_iter``; each pass draws fresh random transformations. ``len`` and
    ``device`` are those of ``data_iter``, so :func:`d2lmini.train_classifier`
    treats it as it treats a :class:`d2lmini.DeviceLoader`.
    """

    def __init__(self, data_iter, augment):
        if not callable(augment):
            raise TypeError(f"augment must be a function of a batch, got "
                            f"{type(augment).__name__}")
        self.data_iter, self.augment = data_iter, augment
        self.device = getattr(data_iter, "device", None)

    def __len__(self):
        return len(self.data_iter)

    def __iter__(self):
        for X, y in self.data_iter:
            yield self.augment(X), y

    def __repr__(self):
        return f"Augmented({self.data_iter!r}, {getattr(self.augment, '__name__', '...')})"

