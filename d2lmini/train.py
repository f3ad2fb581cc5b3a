"""Training a classifier: one epoch of minibatch steps, and the whole run with
a progress bar, a live plot and a guard against divergence.

The loop is the textbook one: for each minibatch, compute the loss, back-
propagate, take an optimizer step. Two details keep it fast on a GPU: the
metrics are summed on the device and read back once per epoch (reading a GPU
number forces the CPU to wait for the GPU), and the data never leaves the
device (see :class:`d2lmini.DeviceLoader`).
"""
import math

import torch
from torch import nn

from .checks import check_labels, check_positive_int, check_positive_number
from .evaluation import accuracy, evaluate_accuracy, find_device
from .gpu import autocast, place_net, to_device
from .history import History, Timer
from .mode import cap_epochs
from .plot import LivePlot
from .progress import progress_bar

__all__ = ["train_epoch", "train_classifier", "init_xavier", "check_diverged",
           "initial_loss", "DIVERGENCE_FACTOR"]


def train_epoch(net, train_iter, loss_fn, optimizer, device, on_batch=None,
                channels_last=False, amp=False):
    """One epoch of minibatch training; returns (loss sum, correct, count)."""
    net.train()
    totals = torch.zeros(3, device=device)
    for i, (X, y) in enumerate(train_iter, start=1):
        X, y = to_device(X, device, channels_last), y.to(device)
        with autocast(device, amp):  # bfloat16 arithmetic where enabled
            y_hat = net(X)
            loss = loss_fn(y_hat, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():  # summed on the device: no waiting
            n = y.numel()
            totals[0] += loss.detach().float() * n
            totals[1] += accuracy(y_hat, y)
            totals[2] += n
        if on_batch is not None:
            on_batch(i)  # after the i-th step (1, 2, ...)
    return totals


def init_xavier(module):
    """Xavier-uniform initialization for the weights of linear and conv layers."""
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)


#: Training counts as diverged when the loss exceeds this many times its start.
DIVERGENCE_FACTOR = 100.0


def check_diverged(loss, start, when):
    """Raise ``FloatingPointError`` if ``loss`` is NaN, infinite, or more than
    ``DIVERGENCE_FACTOR`` times the loss ``start`` of the untrained net."""
    if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * max(start, 1e-3):
        raise FloatingPointError(
            f"training diverged: the loss is {loss:.4g} {when}, against {start:.4g} at "
            "the start; the learning rate is probably too large")


def initial_loss(net, data_iter, loss_fn, device, labels=()):
    """The loss of ``net`` on the first minibatch of ``data_iter``, without
    training. Its labels and ``labels`` (tensors, or None) are checked against
    the net's number of outputs first."""
    X, y = next(iter(data_iter))
    was_training = net.training
    net.eval()
    with torch.no_grad():
        y_hat = net(X.to(device))
        if y_hat.dim() == 2:
            for ys in (y, *labels):
                if ys is not None:
                    check_labels(ys, y_hat.shape[1],
                                 f"labels (for a net with {y_hat.shape[1]} outputs)")
        loss = loss_fn(y_hat, y.to(device)).item()
    net.train(was_training)
    return loss


def _check_optimizer(optimizer, lr, net):
    """The optimizer to train with: minibatch SGD with rate ``lr``, or
    ``optimizer``, which must be built on ``net``'s parameters."""
    if (lr is None) == (optimizer is None):
        raise ValueError("give either lr (for minibatch SGD) or optimizer, not "
                         + ("both" if lr is not None else "neither"))
    if lr is not None:
        return torch.optim.SGD(net.parameters(), lr=check_positive_number("lr", lr))
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError("optimizer must be a torch.optim.Optimizer built on the net's "
                        f"parameters, such as d2lmini.Adam(net.parameters(), lr=0.01); got "
                        f"{type(optimizer).__name__}")
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not held & {id(p) for p in net.parameters()}:
        raise ValueError("the optimizer was built on other parameters than the net's: "
                         "build it on net.parameters()")
    return optimizer


def train_classifier(net, train_iter, test_iter, num_epochs, lr=None, *, optimizer=None,
                     loss=None, init_weights=True, plot=True, device=None):
    """Train ``net`` on ``train_iter``; report test accuracy after every epoch.

    Args:
        net: a ``torch.nn.Module`` that maps a batch of inputs to class scores.
        train_iter, test_iter: iterables of ``(X, y)`` minibatches.
        num_epochs: passes over the training data (quick mode: at most
            ``SIZES.quick_epochs``, and it says so).
        lr: the learning rate of minibatch SGD; or else
        optimizer: an optimizer built on ``net.parameters()``.
        loss: the loss (default: cross-entropy, averaged over the batch).
        init_weights: re-initialize linear and conv weights (Xavier) first.
        plot: draw train loss, train accuracy and test accuracy live.
        device: where to train (default: the data's device, else
            :func:`d2lmini.try_gpu`).

    On CUDA the GPU speed-ups of :func:`d2lmini.gpu.speedups` are on. A
    progress bar counts the minibatches. Training stops with
    ``FloatingPointError`` when the loss diverges (:func:`check_diverged`).
    Returns a :class:`d2lmini.History`, whose summary line is printed.
    """
    num_epochs = check_positive_int("num_epochs", num_epochs)
    device = find_device(device, net, train_iter)
    num_epochs = cap_epochs(num_epochs)
    if init_weights:
        net.apply(init_xavier)
    channels_last, amp = place_net(net, device)
    opt = _check_optimizer(optimizer, lr, net)
    loss_fn = loss if loss is not None else nn.CrossEntropyLoss()
    start_loss = initial_loss(net, test_iter, loss_fn, device,
                              [getattr(it, "labels", None) for it in (train_iter, test_iter)])
    history = History(device=str(device))
    live = LivePlot(xlabel="epoch", xlim=[1, max(num_epochs, 2)],
                    legend=["train loss", "train acc", "test acc"]) if plot else None
    try:
        batches = len(train_iter) * num_epochs
    except TypeError:
        batches = None
    bar = progress_bar(batches, desc="training")
    timer = Timer()
    try:
        for epoch in range(1, num_epochs + 1):
            timer.start()
            totals = train_epoch(net, train_iter, loss_fn, opt, device,
                                 on_batch=lambda i: bar.update(),
                                 channels_last=channels_last, amp=amp)
            loss_sum, correct, count = totals.tolist()  # waits for the device
            history.epoch_seconds.append(timer.stop())
            if count == 0:
                raise ValueError("train_iter yielded no examples")
            check_diverged(loss_sum / count, start_loss, f"in epoch {epoch}")
            test_acc = evaluate_accuracy(net, test_iter, device)
            history.epoch.append(epoch)
            history.epoch_examples.append(int(count))
            history.train_loss.append(loss_sum / count)
            history.train_acc.append(correct / count)
            history.test_acc.append(test_acc)
            bar.set_postfix(loss=f"{loss_sum / count:.3f}", test_acc=f"{test_acc:.3f}")
            if live is not None:
                live.add(epoch, [history.train_loss[-1], history.train_acc[-1], test_acc])
    finally:
        bar.close()
    print(history.summary())
    return history
