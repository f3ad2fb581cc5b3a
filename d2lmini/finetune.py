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

from .data import DeviceLoader, balanced_subset
from .runtime import check_positive_int, check_positive_number

__all__ = ["class_subset", "head_of", "replace_head", "freeze_body", "param_groups",
           "imagenet_input", "IMAGENET_MEAN", "IMAGENET_STD"]

#: Per-channel mean and standard deviation of ImageNet (RGB), with which
#: torchvision's pretrained networks were trained.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def class_subset(data_iter, classes, per_class=None, batch_size=None, shuffle=None):
    """A :class:`d2lmini.DeviceLoader` with the examples of ``classes`` only.

    Labels are renumbered in the order given: ``classes[k]`` becomes label k.
    With ``per_class``, only the first ``per_class`` examples of each class
    (in dataset order, a fixed subset). Batch size, shuffling, resizing and
    device are those of ``data_iter`` unless given.
    """
    if not isinstance(data_iter, DeviceLoader):
        raise TypeError(f"class_subset expects a DeviceLoader, got {type(data_iter).__name__}")
    classes = [int(c) for c in classes]
    present = set(torch.unique(data_iter.labels).tolist())
    if not classes or len(set(classes)) != len(classes) or not set(classes) <= present:
        raise ValueError(f"classes must be distinct labels present in the data "
                         f"{sorted(present)}, got {classes}")
    labels = data_iter.labels
    new = torch.full_like(labels, -1)
    for k, c in enumerate(classes):
        new[labels == c] = k
    idx = torch.nonzero(new >= 0).flatten()
    if per_class is not None:
        idx = idx[balanced_subset(new[idx].cpu(), check_positive_int("per_class", per_class))
                  .to(idx.device)]
    return DeviceLoader(data_iter.images[idx], new[idx],
                        batch_size or data_iter.batch_size,
                        shuffle=data_iter.shuffle if shuffle is None else shuffle,
                        resize=data_iter.resize, device=data_iter.device)


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
    """Replace the output layer of ``net`` by a new ``nn.Linear`` with the
    same inputs and ``num_classes`` outputs, Xavier-initialized; return it.

    Every other layer keeps its weights: the new network computes the same
    features as the old one, and maps them to scores for the new classes.
    """
    num_classes = check_positive_int("num_classes", num_classes)
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
    """Stop (``frozen=False``: restart) training every parameter of ``net``
    but those of its output layer. Returns ``net``.

    Frozen parameters get no gradients and no updates. (Batch normalization
    layers still update their moving statistics in training mode.)
    """
    head = {id(p) for p in head_of(net).parameters()}
    for p in net.parameters():
        if id(p) not in head:
            p.requires_grad_(not frozen)
    return net


def param_groups(net, lr, head_scale=10.0):
    """Parameter groups for a ``torch.optim`` optimizer: the output layer at
    learning rate ``head_scale * lr``, the other (trainable) layers at ``lr``.

    The copied layers start near a good solution and should move little;
    the new output layer starts from random weights and must move far.
    Frozen parameters (``requires_grad`` False) are left out.
    """
    lr = check_positive_number("lr", lr)
    head_scale = check_positive_number("head_scale", head_scale)
    head = list(head_of(net).parameters())
    ids = {id(p) for p in head}
    body = [p for p in net.parameters() if id(p) not in ids and p.requires_grad]
    groups = [{"params": body, "lr": lr}] if body else []
    return groups + [{"params": head, "lr": head_scale * lr}]


def imagenet_input(X):
    """Gray images (b, 1, h, w) in [0, 1] as the input of an ImageNet
    network: three equal channels, each standardized with ImageNet's mean
    and standard deviation of that channel. Returns (b, 3, h, w)."""
    mean = torch.tensor(IMAGENET_MEAN, device=X.device).reshape(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=X.device).reshape(1, 3, 1, 1)
    return (X.expand(-1, 3, -1, -1) - mean) / std
