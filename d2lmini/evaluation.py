"""Evaluating a classifier: accuracy, and the mean of a metric over a dataset.

The sums stay on the device and are read back once, at the end: reading a
GPU number makes the CPU wait for the GPU.
"""
import torch
from torch import nn

from .checks import check_positive_int
from .devices import try_gpu
from .gpu import autocast, speedups, to_device

__all__ = ["accuracy", "evaluate", "evaluate_accuracy", "evaluate_loss", "find_device"]


def accuracy(y_hat, y):
    """Number of correct predictions in a batch (a tensor, left on the device).

    ``y_hat`` holds class scores, shape (n, classes), or predicted labels,
    shape (n,) of integers; ``y`` holds the n true labels.
    """
    if y_hat.dim() == 2 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)  # scores (n, classes) -> labels (n,)
    if y_hat.shape != y.shape:
        raise ValueError(f"accuracy expects scores (n, classes) or labels (n,) for {len(y)} "
                         f"labels, got shape {tuple(y_hat.shape)}")
    if y_hat.is_floating_point() or y_hat.is_complex():
        raise TypeError(f"accuracy expects scores (n, classes) or integer labels (n,), got "
                        f"{y_hat.dtype} values of shape {tuple(y_hat.shape)}: round them "
                        "into labels first, or pass the scores")
    return (y_hat == y).sum()


def find_device(device=None, net=None, data_iter=None):
    """The device to work on: ``device`` if given, else the data's, else the
    net's, else :func:`try_gpu`; also where a net that is not a module is refused."""
    if net is not None and not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    if device is not None:
        return torch.device(device)
    if data_iter is not None and getattr(data_iter, "device", None) is not None:
        return torch.device(data_iter.device)
    if net is not None:
        param = next(iter(net.parameters()), None)
        if param is not None:
            return param.device
    return try_gpu()


def evaluate(net, data_iter, metric, device=None, fast=True):
    """The mean of ``metric`` over the examples of ``data_iter``, a float."""
    device = find_device(device, net, data_iter)
    channels_last, amp = speedups(net, device) if fast else (False, False)
    was_training = net.training
    net.eval()  # batch norm and dropout as at prediction time
    total, count = torch.zeros((), device=device), 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = to_device(X, device, channels_last), y.to(device)
            with autocast(device, amp):
                total += metric(net(X), y)  # the sum over the batch
            count += y.numel()
    net.train(was_training)
    check_positive_int("the number of examples data_iter yielded", count)
    return total.item() / count


def evaluate_accuracy(net, data_iter, device=None):
    """Fraction of the examples in ``data_iter`` that ``net`` classifies correctly."""
    return evaluate(net, data_iter, accuracy, device)


def evaluate_loss(net, data_iter, loss_fn, device=None):
    """Mean of ``loss_fn`` (a mean over a batch, as ``nn.CrossEntropyLoss()``
    gives) over the examples of ``data_iter``, in float32."""
    return evaluate(net, data_iter, lambda y_hat, y: loss_fn(y_hat, y) * len(y),
                    device, fast=False)
