"""Training and evaluating a classifier, with a progress bar and a live plot.

The loop is the textbook one: for each minibatch, compute the loss, back-
propagate, take an optimizer step. Two details keep it fast on a GPU: the
metrics are summed on the device and read back once per epoch (reading a GPU
number forces the CPU to wait for the GPU), and the data never leaves the
device (see :class:`d2lmini.data.DeviceLoader`).
"""
import math
import numbers
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from .gpu import autocast, place_net, speedups, to_device
from .plot import LivePlot, progress_bar
from .runtime import cap_epochs, check_positive_int, check_positive_number, try_gpu

__all__ = ["accuracy", "evaluate", "evaluate_accuracy", "train_epoch", "train_classifier", "History",
           "evaluate_loss", "make_optimizer", "check_diverged", "initial_loss", "speedups", "place_net",
           "to_device", "autocast", "init_xavier", "Timer"]


class Timer:
    """Record running times: ``start()``, ``stop()`` (returns the lap), ``sum()``."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        self._t0 = time.perf_counter()

    def stop(self):
        self.times.append(time.perf_counter() - self._t0)
        return self.times[-1]

    def sum(self):
        return sum(self.times)


def accuracy(y_hat, y):
    """Number of correct predictions in a batch (a tensor, left on the device).

    ``y_hat`` holds class scores, shape (n, classes), or predicted labels,
    shape (n,); ``y`` holds the n true labels.
    """
    if y_hat.dim() == 2 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)  # scores (n, classes) -> labels (n,)
    if y_hat.shape != y.shape:
        raise ValueError(f"accuracy expects scores (n, classes) or labels (n,) for {len(y)} "
                         f"labels, got shape {tuple(y_hat.shape)}")
    return (y_hat.to(y.dtype) == y).sum()


def _resolve_device(device, net=None, data_iter=None):
    """The device to work on; also where a net that is not a module is refused."""
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


def evaluate(net, data_iter, metric, device=None, channels_last=None,
             amp=None):
    """The mean of ``metric`` over the examples of ``data_iter``, a float.

    ``metric(y_hat, y)`` returns the sum over one batch (say, the number of
    correct predictions). The net is put in evaluation mode for the pass (so
    batch normalization and dropout behave as at prediction time) and then
    back in the mode it was in. ``channels_last`` and ``amp`` are the GPU
    speed-ups of :func:`d2lmini.gpu.speedups`.
    """
    device = _resolve_device(device, net, data_iter)
    channels_last, amp = speedups(net, device, channels_last, amp)
    was_training = net.training
    net.eval()
    total, count = torch.zeros((), device=device), 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = to_device(X, device, channels_last), y.to(device)
            with autocast(device, amp):
                total += metric(net(X), y)
            count += y.numel()
    net.train(was_training)
    if count == 0:
        raise ValueError("data_iter yielded no examples")
    return total.item() / count


def evaluate_accuracy(net, data_iter, device=None, channels_last=None, amp=None):
    """Fraction of the examples in ``data_iter`` that ``net`` classifies
    correctly (see :func:`evaluate`)."""
    return evaluate(net, data_iter, accuracy, device, channels_last, amp)


def evaluate_loss(net, data_iter, loss_fn, device=None):
    """Mean of ``loss_fn`` over the examples in ``data_iter`` (see
    :func:`evaluate`). ``loss_fn`` averages over a batch, as
    ``nn.CrossEntropyLoss()`` does."""
    return evaluate(net, data_iter, lambda y_hat, y: loss_fn(y_hat, y) * len(y),
                    device, channels_last=False, amp=False)


def train_epoch(net, train_iter, loss_fn, optimizer, device, on_batch=None,
                channels_last=False, amp=False):
    """One pass of minibatch training over ``train_iter``.

    For each minibatch: forward pass, loss, backpropagation, optimizer step.
    Returns a tensor on ``device`` holding (summed loss, correct predictions,
    examples); it is left on the device so that the loop never waits for it.
    ``on_batch(i)``, if given, is called after the ``i``-th step (1, 2, ...).
    ``channels_last`` and ``amp`` are the GPU speed-ups of :func:`speedups`.
    """
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
        with torch.no_grad():
            n = y.numel()
            totals[0] += loss.detach().float() * n
            totals[1] += accuracy(y_hat, y)
            totals[2] += n
        if on_batch is not None:
            on_batch(i)
    return totals


def init_xavier(module):
    """Xavier-uniform initialization for the weights of linear and conv layers."""
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)


@dataclass
class History:
    """What :func:`train_classifier` measured, one entry per epoch.

    ``examples_per_sec`` is the steady-state training speed: the epochs after
    the first, whose time includes one-off costs (CUDA start-up, kernel
    loading, ``torch.compile``), which ``startup_seconds`` estimates. With a
    single epoch there is no steady state to tell apart: the speed is that of
    the whole epoch and ``startup_seconds`` is None.
    """
    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)
    epoch_examples: list = field(default_factory=list)
    device: str = ""

    @property
    def train_seconds(self):
        return sum(self.epoch_seconds)

    @property
    def examples_per_sec(self):
        if len(self.epoch_seconds) > 1:
            return sum(self.epoch_examples[1:]) / sum(self.epoch_seconds[1:])
        return sum(self.epoch_examples) / max(sum(self.epoch_seconds), 1e-12)

    @property
    def startup_seconds(self):
        if len(self.epoch_seconds) < 2:
            return None
        steady = self.epoch_examples[0] / self.examples_per_sec
        return max(0.0, self.epoch_seconds[0] - steady)

    def summary(self):
        line = (f"loss {self.train_loss[-1]:.3f}, train acc {self.train_acc[-1]:.3f}, "
                f"test acc {self.test_acc[-1]:.3f}, {self.examples_per_sec:.1f} "
                f"examples/sec on {self.device}")
        if self.startup_seconds is not None:
            line += f" (after a one-off start-up of {self.startup_seconds:.1f} s)"
        return line


def make_optimizer(optimizer, params, **hyper):
    """The optimizer of a training loop, from what the user gave.

    ``optimizer`` is a learning rate (minibatch SGD with that rate), an
    optimizer class (built as ``cls(params, **hyper)``), a function of the
    parameters that returns an optimizer, or an optimizer already built on
    (some of) ``params``. Keyword arguments ``hyper`` go to a class only.
    """
    params = list(params)
    if isinstance(optimizer, torch.optim.Optimizer):
        held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        if params and not held & {id(p) for p in params}:
            raise ValueError("the optimizer was built on other parameters than the net's: "
                             "build it on net.parameters()")
        opt = optimizer
    elif isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return optimizer(params, **hyper)
    elif isinstance(optimizer, numbers.Real) and not isinstance(optimizer, bool):
        opt = torch.optim.SGD(params, lr=check_positive_number("a learning rate", optimizer))
    elif callable(optimizer):
        opt = optimizer(params)
        if not isinstance(opt, torch.optim.Optimizer):
            raise TypeError("an optimizer function must return a torch.optim.Optimizer, "
                            f"got {type(opt).__name__}")
    else:
        raise TypeError("optimizer must be a learning rate, an optimizer class, a function "
                        "of the parameters that returns an optimizer, or an optimizer; got "
                        f"{type(optimizer).__name__}")
    if hyper:
        raise TypeError(f"hyper-parameters {sorted(hyper)} need an optimizer class")
    return opt


#: Training counts as diverged when the loss exceeds this many times its start.
DIVERGENCE_FACTOR = 100.0


def check_diverged(loss, start, when):
    """Raise ``FloatingPointError`` if ``loss`` is NaN, infinite, or more than
    ``DIVERGENCE_FACTOR`` times the loss ``start`` of the untrained net."""
    if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * max(start, 1e-3):
        raise FloatingPointError(
            f"training diverged: the loss is {loss:.4g} {when}, against {start:.4g} at "
            "the start; the learning rate is probably too large")


def initial_loss(net, data_iter, loss_fn, device):
    """The loss of ``net`` on the first minibatch of ``data_iter``, without training."""
    X, y = next(iter(data_iter))
    was_training = net.training
    net.eval()
    with torch.no_grad():
        loss = loss_fn(net(X.to(device)), y.to(device)).item()
    net.train(was_training)
    return loss


def train_classifier(net, train_iter, test_iter, num_epochs, lr=None, device=None,
                     optimizer=None, loss=None, init_weights=True, plot=True, progress=True,
                     channels_last=None, amp=None, compile=False):
    """Train ``net`` on ``train_iter``, report test accuracy after every epoch.

    Args:
        net: a ``torch.nn.Module`` that maps a batch of inputs to class scores.
        train_iter, test_iter: iterables of ``(X, y)`` minibatches.
        num_epochs: passes over the training data. Quick mode trains for at
            most ``QUICK_EPOCHS`` of them and says so.
        lr: learning rate of minibatch SGD, the default optimizer.
        device: where to train (default: the data's device, else :func:`try_gpu`).
        optimizer: instead of ``lr``: an optimizer class, a function of the
            parameters that returns an optimizer, or an optimizer built on
            ``net.parameters()`` (see :func:`make_optimizer`).
        loss: the loss (default: cross-entropy, averaged over the batch).
        init_weights: re-initialize linear and conv weights (Xavier) first.
        plot: draw train loss, train accuracy and test accuracy live.
        progress: show a progress bar over all minibatches.
        channels_last, amp: GPU speed-ups, on by default on CUDA (see
            :func:`speedups`); off on the CPU.
        compile: run the net through ``torch.compile`` (pays off for long
            runs on a GPU; off by default).

    Training stops with ``FloatingPointError`` when the loss diverges (see
    :func:`check_diverged`). Returns a :class:`History`; its
    :meth:`~History.summary` line is printed at the end.
    """
    num_epochs = check_positive_int("num_epochs", num_epochs)
    if (lr is None) == (optimizer is None):
        raise ValueError("give either lr (for minibatch SGD) or optimizer, not "
                         + ("both" if lr is not None else "neither"))
    device = _resolve_device(device, net, train_iter)
    num_epochs = cap_epochs(num_epochs)
    if init_weights:
        net.apply(init_xavier)
    channels_last, amp = place_net(net, device, channels_last, amp)
    opt = make_optimizer(lr if optimizer is None else optimizer, net.parameters())
    model = torch.compile(net) if compile else net
    loss_fn = loss if loss is not None else nn.CrossEntropyLoss()
    start_loss = initial_loss(net, test_iter, loss_fn, device)
    history = History(device=str(device))
    live = LivePlot(xlabel="epoch", xlim=[1, max(num_epochs, 2)],
                    legend=["train loss", "train acc", "test acc"]) if plot else None
    try:
        batches = len(train_iter)
    except TypeError:
        batches = None
    bar = progress_bar(batches * num_epochs if batches else None, desc="training",
                       enabled=progress)
    timer = Timer()
    try:
        for epoch in range(1, num_epochs + 1):
            timer.start()
            totals = train_epoch(model, train_iter, loss_fn, opt, device,
                                 on_batch=lambda i: bar.update(),
                                 channels_last=channels_last, amp=amp)
            loss_sum, correct, count = totals.tolist()  # waits for the device
            history.epoch_seconds.append(timer.stop())
            if count == 0:
                raise ValueError("train_iter yielded no examples")
            check_diverged(loss_sum / count, start_loss, f"in epoch {epoch}")
            test_acc = evaluate_accuracy(model, test_iter, device, channels_last, amp)
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
