"""Training and evaluating a classifier, with a progress bar and a live plot.

The loop is the textbook one: for each minibatch, compute the loss, back-
propagate, take an optimizer step. Two details keep it fast on a GPU: the
metrics are summed on the device and read back once per epoch (reading a GPU
number forces the CPU to wait for the GPU), and the data never leaves the
device (see :class:`d2lmini.data.DeviceLoader`).
"""
import io
import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.std import tqdm as _std_tqdm

from .plot import LivePlot, in_notebook
from .runtime import cap_epochs, check_positive_int, try_gpu

__all__ = ["accuracy", "evaluate_accuracy", "train_epoch", "train_classifier", "History",
           "speedups", "place_net", "to_device", "autocast",
           "init_xavier", "progress_bar", "Timer"]


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


class _NotebookBar(_std_tqdm):
    """A tqdm bar drawn as one notebook output that is updated in place.

    Works in any Jupyter front end (no widgets needed), and the saved notebook
    keeps the bar's final state only.
    """

    def __init__(self, *args, **kwargs):
        from IPython.display import Pretty, display
        self._handle = display(Pretty(""), display_id=True)
        kwargs["file"] = io.StringIO()
        super().__init__(*args, **kwargs)

    def display(self, msg=None, pos=None):
        from IPython.display import Pretty
        self._handle.update(Pretty(msg if msg is not None else self.__str__()))
        return True


def progress_bar(total, desc=None, enabled=True):
    """A tqdm progress bar: in place in a notebook, on stderr elsewhere."""
    cls = _NotebookBar if in_notebook() else _std_tqdm
    return cls(total=total, desc=desc, disable=not enabled, mininterval=0.5,
               ascii=False if cls is _NotebookBar else None,
               bar_format="{l_bar}{bar:20}{r_bar}")


def accuracy(y_hat, y):
    """Number of correct predictions in a batch (a tensor, left on the device)."""
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return (y_hat.to(y.dtype) == y).sum()


def _resolve_device(device, net=None, data_iter=None):
    if device is not None:
        return torch.device(device)
    if data_iter is not None and getattr(data_iter, "device", None) is not None:
        return torch.device(data_iter.device)
    if net is not None:
        param = next(iter(net.parameters()), None)
        if param is not None:
            return param.device
    return try_gpu()


def speedups(net, device, channels_last=None, amp=None):
    """Decide the GPU speed-ups: ``(channels_last, amp)``.

    * ``channels_last``: store images and convolution weights as (N, H, W, C),
      the layout GPU tensor cores work in. Default: on CUDA for nets with
      convolutions.
    * ``amp``: run the forward pass under bfloat16 autocast (matrix products
      in bfloat16, sums and the loss in float32). Default: on CUDA devices that
      support bfloat16.

    ``None`` means "the default"; on the CPU both are off, so CPU results do
    not change.
    """
    device = torch.device(device)
    on_cuda = device.type == "cuda"
    if channels_last is None:
        channels_last = on_cuda and any(isinstance(m, nn.Conv2d) for m in net.modules())
    if amp is None:
        amp = on_cuda and torch.cuda.is_bf16_supported()
    return bool(channels_last), bool(amp)


def place_net(net, device, channels_last=None, amp=None):
    """Decide the speed-ups (:func:`speedups`) and move ``net`` to ``device``
    in the memory layout they call for. Returns ``(channels_last, amp)``."""
    channels_last, amp = speedups(net, device, channels_last, amp)
    net.to(device, memory_format=torch.channels_last if channels_last else torch.preserve_format)
    return channels_last, amp


def to_device(X, device, channels_last=False):
    """Move a batch to ``device``, as (N, H, W, C) in memory if ``channels_last``."""
    if channels_last and X.dim() == 4:
        return X.to(device, memory_format=torch.channels_last)
    return X.to(device)


def autocast(device, enabled):
    """bfloat16 autocast on ``device`` when ``enabled``, else nothing."""
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=enabled)


def evaluate_accuracy(net, data_iter, device=None, channels_last=None, amp=None):
    """Fraction of the examples in ``data_iter`` that ``net`` classifies correctly.

    The net is put in evaluation mode for the pass (so batch normalization and
    dropout behave as at prediction time) and then back in the mode it was in.
    ``channels_last`` and ``amp`` are as in :func:`train_classifier`.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    device = _resolve_device(device, net, data_iter)
    channels_last, amp = speedups(net, device, channels_last, amp)
    was_training = net.training
    net.eval()
    correct = torch.zeros((), device=device, dtype=torch.int64)
    count = 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = to_device(X, device, channels_last), y.to(device)
            with autocast(device, amp):
                correct += accuracy(net(X), y)
            count += y.numel()
    net.train(was_training)
    if count == 0:
        raise ValueError("data_iter yielded no examples")
    return correct.item() / count


def train_epoch(net, train_iter, loss_fn, optimizer, device, on_batch=None,
                channels_last=False, amp=False):
    """One pass of minibatch training over ``train_iter``.

    For each minibatch: forward pass, loss, backpropagation, optimizer step.
    Returns a tensor on ``device`` holding (summed loss, correct predictions,
    examples); it is left on the device so that the loop never waits for it.
    ``channels_last`` and ``amp`` are the GPU speed-ups of :func:`speedups`.
    """
    net.train()
    totals = torch.zeros(3, device=device)
    for X, y in train_iter:
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
            on_batch(1)
    return totals


def init_xavier(module):
    """Xavier-uniform initialization for the weights of linear and conv layers."""
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)


@dataclass
class History:
    """What :func:`train_classifier` measured, one entry per epoch."""
    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    train_seconds: float = 0.0
    examples_per_sec: float = 0.0
    device: str = ""

    def summary(self):
        return (f"loss {self.train_loss[-1]:.3f}, train acc {self.train_acc[-1]:.3f}, "
                f"test acc {self.test_acc[-1]:.3f}, {self.examples_per_sec:.1f} "
                f"examples/sec on {self.device}")


def from_factory(factory, params):
    """Call ``factory(params)`` and check that it made a ``torch.optim.Optimizer``."""
    opt = factory(params)
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError("an optimizer factory must return a torch.optim.Optimizer, "
                        f"got {type(opt).__name__}")
    return opt


def _make_optimizer(optimizer, params, lr):
    if optimizer is None:
        if lr is None:
            raise ValueError("give a learning rate lr (for the default SGD) or an optimizer")
        if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not lr > 0:
            raise ValueError(f"lr must be a positive number, got {lr!r}")
        return torch.optim.SGD(params, lr=lr)
    if isinstance(optimizer, torch.optim.Optimizer):
        return optimizer
    if callable(optimizer):
        return from_factory(optimizer, params)
    raise TypeError("optimizer must be None (SGD with lr), a torch.optim.Optimizer, or a "
                    f"function of the parameters that returns one; got {type(optimizer).__name__}")


def train_classifier(net, train_iter, test_iter, num_epochs, lr=None, device=None,
                     optimizer=None, loss=None, init_weights=True, plot=True, progress=True,
                     channels_last=None, amp=None, compile=False):
    """Train ``net`` on ``train_iter``, report test accuracy after every epoch.

    Args:
        net: a ``torch.nn.Module`` that maps a batch of inputs to class scores.
        train_iter, test_iter: iterables of ``(X, y)`` minibatches.
        num_epochs: passes over the training data. Quick mode trains for at
            most ``QUICK_EPOCHS`` of them and says so.
        lr: learning rate of the default optimizer, minibatch SGD.
        device: where to train (default: the data's device, else :func:`try_gpu`).
        optimizer: a ``torch.optim.Optimizer`` built on ``net.parameters()``,
            or a function that takes the parameters and returns one.
        loss: the loss (default: cross-entropy, averaged over the batch).
        init_weights: re-initialize linear and conv weights (Xavier) first.
        plot: draw train loss, train accuracy and test accuracy live.
        progress: show a progress bar over all minibatches.
        channels_last, amp: GPU speed-ups, on by default on CUDA (see
            :func:`speedups`); off on the CPU.
        compile: run the net through ``torch.compile`` (pays off for long
            runs on a GPU; off by default).

    Returns a :class:`History`; its :meth:`~History.summary` line is printed
    at the end.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    check_positive_int("num_epochs", num_epochs)
    device = _resolve_device(device, None, train_iter)
    num_epochs = cap_epochs(num_epochs)
    if init_weights:
        net.apply(init_xavier)
    channels_last, amp = place_net(net, device, channels_last, amp)
    opt = _make_optimizer(optimizer, net.parameters(), lr)
    model = torch.compile(net) if compile else net
    loss_fn = loss if loss is not None else nn.CrossEntropyLoss()
    history = History(device=str(device))
    live = LivePlot(xlabel="epoch", xlim=[1, max(num_epochs, 2)],
                    legend=["train loss", "train acc", "test acc"]) if plot else None
    try:
        batches = len(train_iter)
    except TypeError:
        batches = None
    bar = progress_bar(batches * num_epochs if batches else None, desc="training",
                       enabled=progress)
    timer, examples = Timer(), 0
    for epoch in range(1, num_epochs + 1):
        timer.start()
        totals = train_epoch(model, train_iter, loss_fn, opt, device, on_batch=bar.update,
                             channels_last=channels_last, amp=amp)
        loss_sum, correct, count = totals.tolist()  # waits for the device to finish
        timer.stop()
        if count == 0:
            raise ValueError("train_iter yielded no examples")
        examples += count
        test_acc = evaluate_accuracy(model, test_iter, device, channels_last, amp)
        history.epoch.append(epoch)
        history.train_loss.append(loss_sum / count)
        history.train_acc.append(correct / count)
        history.test_acc.append(test_acc)
        if not math.isfinite(history.train_loss[-1]):
            bar.close()
            raise FloatingPointError(
                f"the training loss became {history.train_loss[-1]} in epoch {epoch}: "
                "the learning rate is probably too large")
        bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}", test_acc=f"{test_acc:.3f}")
        if live is not None:
            live.add(epoch, [history.train_loss[-1], history.train_acc[-1], test_acc])
    bar.close()
    history.train_seconds = timer.sum()
    history.examples_per_sec = examples / history.train_seconds
    print(history.summary())
    return history
