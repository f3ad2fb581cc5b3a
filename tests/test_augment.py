"""Batched image augmentation (d2lmini.augment): each transformation is
compared with torchvision's per-image functions where they coincide, and its
randomness is checked to be per image."""
import math

import pytest
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF

import d2lmini
from d2lmini import Augmented, brightness_contrast, compose, hflip, random_resized_crop


def batch(b=16, c=1, h=12, w=10, seed=0):
    return torch.rand(b, c, h, w, generator=torch.Generator().manual_seed(seed))


def test_hflip_extremes_and_per_image():
    X = batch()
    assert torch.equal(hflip(X, p=1.0), X.flip(-1))
    assert torch.equal(hflip(X, p=0.0), X)
    torch.manual_seed(0)
    Y = hflip(batch(b=400))
    flipped = [torch.equal(y, x.flip(-1)) for x, y in zip(batch(b=400), Y)]
    kept = [torch.equal(y, x) for x, y in zip(batch(b=400), Y)]
    assert all(f or k for f, k in zip(flipped, kept))
    assert 150 < sum(flipped) < 250   # about half, drawn image by image


def test_crop_full_box_is_identity():
    X = batch()
    Y = random_resized_crop(X, scale=(1.0, 1.0), ratio=(1.0, 1.0))
    assert Y.shape == X.shape
    assert torch.allclose(Y, X, atol=1e-5)


def test_crop_stays_within_each_images_values():
    X = batch(b=64, h=8, w=8)
    Y = random_resized_crop(X, scale=(0.1, 1.0), ratio=(0.5, 2.0))
    assert Y.shape == X.shape
    assert (Y.amin(dim=(1, 2, 3)) >= X.amin(dim=(1, 2, 3)) - 1e-6).all()
    assert (Y.amax(dim=(1, 2, 3)) <= X.amax(dim=(1, 2, 3)) + 1e-6).all()
    assert not torch.allclose(Y, X, atol=1e-3)


def test_crop_box_is_resized_exactly_when_placed():
    """With the box pinned to the top-left corner (scale 0.25, and the random
    centre forced to its minimum), the result equals the upsampled quarter,
    but for the last row and column, which grid_sample interpolates with the
    image's pixels beyond the box where F.interpolate repeats the box's edge."""
    X = batch(b=4, h=8, w=8)
    real_rand = torch.rand
    try:
        torch.rand = lambda *a, **k: torch.zeros(*a, **{n: v for n, v in k.items()
                                                        if n in ("device", "dtype")})
        Y = random_resized_crop(X, scale=(0.25, 0.25), ratio=(1.0, 1.0))
    finally:
        torch.rand = real_rand
    up = F.interpolate(X[:, :, :4, :4], scale_factor=2, mode="bilinear",
                       align_corners=False)
    assert torch.allclose(Y[..., :7, :7], up[..., :7, :7], atol=1e-5)


def test_crop_scale_and_ratio_are_checked():
    with pytest.raises(ValueError, match="scale"):
        random_resized_crop(batch(), scale=(0.5, 0.1))
    with pytest.raises(ValueError, match="ratio"):
        random_resized_crop(batch(), ratio=(0.0, 1.0))
    with pytest.raises(ValueError, match="float batch"):
        random_resized_crop(torch.zeros(3, 8, 8))
    with pytest.raises(ValueError, match="float batch"):
        random_resized_crop(torch.zeros(2, 1, 8, 8, dtype=torch.uint8))
    for bad in ((0.5,), "0.1, 1", (0.1, float("nan")), (-1.0, 1.0)):
        with pytest.raises(ValueError, match="scale must be a pair 0 < low <= high"):
            random_resized_crop(batch(), scale=bad)


def test_brightness_contrast_match_torchvision():
    X = batch(b=6, h=9, w=9)
    torch.manual_seed(3)
    Y = brightness_contrast(X, brightness=0.4, contrast=0.3)
    torch.manual_seed(3)  # the same factors, drawn as the function draws them
    a = torch.empty(6, 1, 1, 1).uniform_(0.6, 1.4)
    b = torch.empty(6, 1, 1, 1).uniform_(0.7, 1.3)
    for i in range(6):
        ref = TF.adjust_contrast(TF.adjust_brightness(X[i], a[i].item()), b[i].item())
        assert torch.allclose(Y[i], ref, atol=1e-5)
    assert Y.min() >= 0 and Y.max() <= 1


def test_brightness_contrast_zero_is_identity_and_bad_values_raise():
    X = batch()
    assert torch.allclose(brightness_contrast(X, 0.0, 0.0), X)
    with pytest.raises(ValueError, match=r"brightness must be a number in \[0, 1\), got 1.5"):
        brightness_contrast(X, brightness=1.5)
    with pytest.raises(ValueError, match=r"contrast must be a number in \[0, 1\), got -0.1"):
        brightness_contrast(X, contrast=-0.1)


@pytest.mark.parametrize("augment", [hflip, random_resized_crop, brightness_contrast])
def test_every_augmentation_refuses_bytes_held_as_floats(augment):
    """Bytes 0-255 as floats: brightness_contrast would clip them to white."""
    X = batch() * 255
    with pytest.raises(ValueError, match=r"values in \[0, 1\], got values from .* to 25"):
        augment(X)
    with pytest.raises(ValueError, match=r"got values from -0.4"):
        augment(batch() - 0.5)
    with pytest.raises(ValueError, match=r"float batch of shape \(b, c, h, w\), got a "
                                         r"torch.uint8 tensor"):
        augment((batch() * 255).to(torch.uint8))
    with pytest.raises(ValueError, match=r"\(b, c, h, w\), got list"):
        augment([[0.5]])
    assert augment(batch()).shape == batch().shape  # [0, 1] is fine, ends included
    assert augment(torch.ones(2, 1, 4, 4)).max() <= 1


def test_compose_applies_in_order():
    f = compose(lambda X: X + 1, lambda X: X * 2)
    assert torch.equal(f(torch.ones(1)), torch.full((1,), 4.0))
    with pytest.raises(TypeError):
        compose(1)


def test_augmented_wraps_a_loader_and_draws_afresh():
    images = torch.randint(0, 256, (10, 6, 6), dtype=torch.uint8)
    labels = torch.arange(10)
    loader = d2lmini.DeviceLoader(images, labels, batch_size=4, device="cpu")
    aug = Augmented(loader, lambda X: X.flip(-1))
    assert len(aug) == len(loader) == 3 and aug.device == loader.device
    for (X, y), (Xa, ya) in zip(loader, aug):
        assert torch.equal(Xa, X.flip(-1)) and torch.equal(ya, y)
    noisy = Augmented(loader, lambda X: X + torch.rand_like(X))
    first, second = (torch.cat([X for X, _ in noisy]) for _ in range(2))
    assert not torch.equal(first, second)
    # Python's own error, at the first batch, names what was given
    with pytest.raises(TypeError, match="'str' object is not callable"):
        next(iter(Augmented(loader, "flip")))


def test_augmented_trains_with_train_classifier():
    images = torch.randint(0, 256, (40, 8, 8), dtype=torch.uint8)
    loader = d2lmini.DeviceLoader(images, torch.arange(40) % 2, batch_size=8,
                                  device="cpu")
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2))
    aug = Augmented(loader, compose(hflip, brightness_contrast))
    h = d2lmini.train_classifier(net, aug, loader, 1, lr=0.1, plot=False)
    assert h.epoch_examples == [40]
    assert math.isfinite(h.train_loss[0])
