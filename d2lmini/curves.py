"""Loss curves on real data: how fast an optimizer lowers the training loss.

* ``softmax_regression() -> nn.Module``: the default model of the harness.
* ``train_loss_curve(optimizer, batch_size, num_epochs=2, train_iter=None,
  make_net=softmax_regression, label=None, evals_per_epoch=10, seed=0,
  device=None, cpu_threads=1, **hyper) -> LossCurve``: trains a fresh model on
  Fashion-MNIST with :func:`d2lmini.train_epoch` and records the loss over the
  whole training set against epochs (fractional) and against seconds of
  training (measuring excluded).
* ``LossCurve``: ``label``, ``epochs``, ``seconds``, ``losses`` and ``summary()``.
* ``loss_curves_over_seeds(...)``, ``mean_curve(curves)`` and
  ``plot_loss_curves_over_seeds(runs)``: the same over several seeds, their
  mean, and the mean curves drawn with a band from the lowest to the highest
  seed.

The arguments of ``train_loss_curve``:

* ``optimizer``: an optimizer class, built as ``optimizer(params, **hyper)``
  (``d2lmini.SGD, lr=0.1``; ``torch.optim.Adam, lr=0.01``), as in the toy
  trainers of :mod:`d2lmini.toys`;
* ``batch_size``: examples per minibatch; the size of the training set gives
  gradient descent, 1 gives stochastic gradient descent;
* ``num_epochs``: passes over the training data (at most ``QUICK_EPOCHS`` in
  quick mode, which is then said in one line of output);
* ``train_iter``: a loader from :func:`d2lmini.load_fashion_mnist` whose
  images are reused (re-batched with ``batch_size``); default: load the data
  (the quick-mode subset in quick mode);
* ``make_net``: a function that returns a new ``nn.Module`` (default
  :func:`softmax_regression`), called after seeding with ``seed`` so that
  every run starts from the same weights;
* ``evals_per_epoch``: how often per epoch the loss over the whole training
  set is measured (at most once per minibatch);
* ``cpu_threads``: PyTorch threads while training on the CPU (``None``: leave
  the setting alone). One by default: the matrices of a small model are too
  small to gain from more, and on a busy machine threads that wait for each
  other can slow tiny operations down many times, which would distort the
  comparison of batch sizes.

The clock runs only while training: neither measuring the loss nor one
warm-up step on a copy of the net, taken first, is timed. A loss that becomes
NaN, infinite or 100 times its start raises ``FloatingPointError``
(:func:`d2lmini.train.check_diverged`). The curves are drawn by
:func:`d2lmini.plot_loss_curves`.
"""
import contextlib
import copy as copy_module
import functools
from dataclasses import dataclass, field

import torch
from torch import nn

from .checks import check_positive_int, is_positive_int
from .data import load_fashion_mnist
from .evaluation import evaluate_loss
from .history import Timer
from .loader import DeviceLoader
from .mode import cap_epochs, say_once
from .optim import check_optimizer_class
from .train import check_diverged, train_epoch

__all__ = ["softmax_regression", "train_loss_curve", "LossCurve", "loss_curves_over_seeds",
           "mean_curve", "plot_loss_curves_over_seeds"]


@dataclass
class LossCurve:
    """Training loss of one run, against epochs and against seconds of training.

    ``epochs``, ``seconds`` and ``losses`` are lists of floats of the same
    length; the first entry is the untrained model, at epoch 0 and 0 seconds.
    """
    label: str
    epochs: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    losses: list = field(default_factory=list)

    def add(self, epoch, seconds, loss):
        """Record one measurement; ``FloatingPointError`` if the loss diverged."""
        if self.losses:
            check_diverged(loss, self.losses[0], f"after {epoch:g} epochs ({self.label})")
        self.epochs.append(epoch)
        self.seconds.append(seconds)
        self.losses.append(loss)

    def summary(self):
        """One line: the label, the last loss, the epochs and the seconds it took."""
        return (f"{self.label}: loss {self.losses[-1]:.3f} after {self.epochs[-1]:g} epochs, "
                f"{self.seconds[-1]:.2f} s")


def softmax_regression():
    """Softmax regression on 28x28 images: flatten, then one linear layer to 10 scores."""
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))


@contextlib.contextmanager
def _cpu_threads(n):
    """Let PyTorch use ``n`` CPU threads inside the block (``None``: change nothing)."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_settings(optimizer, batch_size, num_epochs, train_iter, make_net, label,
                    evals_per_epoch, seed, device, cpu_threads, hyper):
    """The checks of :func:`train_loss_curve` (its arguments, by name)."""
    check_optimizer_class(optimizer)
    check_positive_int("batch_size", batch_size)
    check_positive_int("num_epochs", num_epochs)
    check_positive_int("evals_per_epoch", evals_per_epoch)
    if train_iter is not None and not isinstance(train_iter, DeviceLoader):
        raise TypeError(f"train_iter must be a DeviceLoader from load_fashion_mnist, "
                        f"got {type(train_iter).__name__}")
    if isinstance(make_net, nn.Module) or not callable(make_net):
        raise TypeError("make_net must be a function that returns a new model, such as "
                        f"softmax_regression; got {type(make_net).__name__}")
    if cpu_threads is not None and not is_positive_int(cpu_threads):
        raise ValueError(f"cpu_threads must be a positive int or None, got {cpu_threads!r}")


def _warm_up(net, whole, batch_size, loss_fn, optimizer, hyper, device):
    """One untimed step on a copy of the net, so that one-off costs (CUDA
    start-up, kernel loading, memory allocation) stay out of the timings."""
    X, y = next(iter(whole))  # the unshuffled loader: no random numbers drawn
    X, y = X[:batch_size], y[:batch_size]
    copy = copy_module.deepcopy(net)
    opt = optimizer(copy.parameters(), **hyper)
    loss_fn(copy(X), y).backward()
    opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def train_loss_curve(optimizer, batch_size, num_epochs=2, train_iter=None,
                     make_net=softmax_regression, label=None,
                     evals_per_epoch=10, seed=0, device=None, cpu_threads=1,
                     **hyper):
    """Train a fresh model with ``optimizer``; record its loss as it goes."""
    _check_settings(**locals())  # every argument, before any work
    num_epochs = cap_epochs(num_epochs, announce=say_once)  # quick: fewer
    if train_iter is None:
        train_iter, _ = load_fashion_mnist(batch_size, device=device)
    device = torch.device(device) if device is not None else train_iter.device
    torch.manual_seed(seed)
    data = DeviceLoader(train_iter.images, train_iter.labels, batch_size,
                        shuffle=True, resize=train_iter.resize, device=device)
    net = make_net().to(device)
    opt = optimizer(net.parameters(), **hyper)
    # the whole training set in large batches, in a fixed order, to measure
    whole = DeviceLoader(data.images, data.labels, 4096, resize=data.resize,
                         device=device)
    loss_fn = nn.CrossEntropyLoss()
    curve = LossCurve(label or f"batch size {batch_size}")
    # the minibatches after which the loss is measured, spread over an epoch
    marks = {max(1, round(k * len(data) / evals_per_epoch))
             for k in range(1, evals_per_epoch + 1)}
    timer = Timer()

    def measure(epoch, i):  # after minibatch i of epoch (0, 1, ...)
        if i not in marks:
            return
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = curve.seconds[-1] + timer.stop()  # stop the clock
        loss = evaluate_loss(net, whole, loss_fn, device)
        curve.add(epoch + i / len(data), seconds, loss)  # raises if diverged
        timer.start()  # restart the clock

    with _cpu_threads(cpu_threads if device.type == "cpu" else None):
        curve.add(0.0, 0.0, evaluate_loss(net, whole, loss_fn, device))
        _warm_up(net, whole, batch_size, loss_fn, optimizer, hyper, device)
        for epoch in range(num_epochs):
            timer.start()
            train_epoch(net, data, loss_fn, opt, device,
                        on_batch=functools.partial(measure, epoch))
    return curve


def loss_curves_over_seeds(optimizer, batch_size, num_epochs, train_iter,
                           label, seeds=3, **hyper):
    """:func:`train_loss_curve` once for each of ``seeds`` (a number or a
    list, as for :func:`d2lmini.over_seeds`); a list of :class:`LossCurve`."""
    from .seeds import over_seeds
    return over_seeds(lambda seed: train_loss_curve(
        optimizer, batch_size, num_epochs, train_iter=train_iter, label=label,
        seed=seed, **hyper), seeds)


def mean_curve(curves):
    """The mean loss (and mean seconds) of runs measured at the same epochs."""
    curves = list(curves)
    if not curves or any(c.epochs != curves[0].epochs for c in curves):
        raise ValueError("mean_curve needs one or more curves measured at the "
                         "same epochs")

    def mean(rows):
        return [sum(r) / len(r) for r in zip(*rows)]
    return LossCurve(curves[0].label, list(curves[0].epochs),
                     mean(c.seconds for c in curves), mean(c.losses for c in curves))


def plot_loss_curves_over_seeds(runs, figsize=(6, 3.2), **kwargs):
    """:func:`d2lmini.plot_loss_curves` of each method's mean curve, ``runs``
    mapping a method to its curves over seeds; in the panel against epochs, a
    band spans each method's lowest and highest seed."""
    from .display import display_figure, new_figure
    from .traces import plot_loss_curves
    fig, axes = new_figure(figsize, 1, 2, sharey=True)
    plot_loss_curves([mean_curve(c) for c in runs.values()], axes=axes, **kwargs)
    for i, curves in enumerate(runs.values()):
        losses = list(zip(*(c.losses for c in curves)))
        axes[0].fill_between(curves[0].epochs, [min(v) for v in losses],
                             [max(v) for v in losses], color=f"C{i}", alpha=0.25,
                             linewidth=0)
    display_figure(fig)
    return fig
