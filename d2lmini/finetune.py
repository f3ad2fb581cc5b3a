"""Fine-tuning: reuse a trained network on a new task.

A network trained on a source task is copied, its output layer is replaced
by a fresh one for the target task's classes (:func:`replace_head`), and the
whole is trained further on the target data, the new layer with a larger
learning rate than the copied ones (:func:`param_groups`), or with the
copied layers frozen (:func:`freeze_body`). :func:`class_subset` makes the
source and target tasks out of Fashion-MNIST's classes, and
:func:`imagenet_input` turns its gray images into what an ImageNet-trained
torchvision network expects.
"""
import torch
from torch import nn

from .checks import (check_positive_int, check_positive_number, check_unit_images,
                     describe, is_int)
from .data import balanced_subset
from .loader import DeviceLoader

__all__ = ["class_subset", "head_of", "replace_head", "freeze_body", "param_groups",
           "imagenet_input", "IMAGENET_MEAN", "IMAGENET_STD"]

#: Per-channel mean and standard deviation of ImageNet (RGB), with which
#: torchvision's pretrained networks were trained.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def class_subset(data_iter, classes, per_class=None, batch_size=None,
                 shuffle=None):
    """A DeviceLoader of the examples of classes, classes[k] relabelled k."""
    _check_subset(data_iter, classes, per_class)
    labels = data_iter.labels
    new = torch.full_like(labels, -1)  # -1: a class left out
    for k, c in enumerate(classes):
        new[labels == c] = k
    idx = torch.nonzero(new >= 0).flatten()
    if per_class is not None:  # the first per_class examples of each class
        idx = idx[balanced_subset(new[idx].cpu(), per_class).to(idx.device)]
    if shuffle is None:
        shuffle = data_iter.shuffle
    return DeviceLoader(data_iter.images[idx], new[idx],
                        batch_size or data_iter.batch_size, shuffle=shuffle,
                        resize=data_iter.resize, device=data_iter.device,
                        num_classes=len(classes))


def head_of(net):
    """The output layer of ``net``: ``net.fc`` (torchvision's ResNets) or the
    last layer of an ``nn.Sequential``; it must be an ``nn.Linear``."""
    if isinstance(getattr(net, "fc", None), nn.Linear):
        return net.fc
    if isinstance(net, nn.Sequential) and len(net) and isinstance(net[-1], nn.Linear):
        return net[-1]
    raise TypeError(f"expected an nn.Sequential ending in nn.Linear or a network with an "
                    f"nn.Linear .fc, got {type(net).__name__}")


def replace_head(net, num_classes):
    """Replace the output layer of net by a new one with num_classes outputs."""
    check_positive_int("num_classes", num_classes)
    old = head_of(net)
    head = nn.Linear(old.in_features, num_classes).to(old.weight.device)
    nn.init.xavier_uniform_(head.weight)
    nn.init.zeros_(head.bias)
    if isinstance(getattr(net, "fc", None), nn.Linear):
        net.fc = head
    else:
        net[-1] = head
    return head


def freeze_body(net, frozen=True):
    """Freeze (frozen=False: unfreeze) every parameter but the head's."""
    head = {id(p) for p in head_of(net).parameters()}
    for p in net.parameters():
        if id(p) not in head:
            p.requires_grad_(not frozen)
    return net


def param_groups(net, lr, head_scale=10.0):
    """Parameter groups: the head at lr * head_scale, the rest at lr."""
    _check_rates(lr, head_scale)
    head = list(head_of(net).parameters())
    ids = {id(p) for p in head}
    body = [p for p in net.parameters() if id(p) not in ids and p.requires_grad]
    groups = [{"params": body, "lr": lr}] if body else []
    return groups + [{"params": head, "lr": head_scale * lr}]


def imagenet_input(X):
    """Gray images (b, 1, h, w) in [0, 1] as the input of an ImageNet
    network: three equal channels, each standardized with ImageNet's mean
    and standard deviation of that channel. Returns (b, 3, h, w)."""
    check_unit_images(X, "imagenet_input")
    mean = torch.tensor(IMAGENET_MEAN, device=X.device).reshape(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=X.device).reshape(1, 3, 1, 1)
    return (X.expand(-1, 3, -1, -1) - mean) / std


def _check_subset(data_iter, classes, per_class):
    """``TypeError``/``ValueError`` unless ``classes`` are distinct labels of
    ``data_iter`` (a DeviceLoader) and ``per_class`` is None or a positive int."""
    if not isinstance(data_iter, DeviceLoader):
        raise TypeError(f"class_subset expects a DeviceLoader, got {describe(data_iter)}")
    present = set(torch.unique(data_iter.labels).tolist())
    if not (isinstance(classes, (list, tuple, range)) and classes
            and all(is_int(c) for c in classes)
            and len(set(classes)) == len(classes) and set(classes) <= present):
        raise ValueError(f"classes must be a sequence of distinct labels present in the "
                         f"data {sorted(present)}, got {classes!r}")
    if per_class is not None:
        check_positive_int("per_class", per_class)


def _check_rates(lr, head_scale):
    check_positive_number("lr", lr)
    check_positive_number("head_scale", head_scale)
