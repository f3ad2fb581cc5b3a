"""Tests of d2lmini.curves: the loss-curve harness."""
import copy
import math
import time

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

import d2lmini
from d2lmini import curves as C
from d2lmini import optim as O
from d2lmini import traces as P


def _tiny_loader(n=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 28, 28), generator=gen, dtype=torch.uint8)
    labels = torch.randint(0, 10, (n,), generator=gen)
    return d2lmini.DeviceLoader(images, labels, batch_size=16, device="cpu")


@pytest.fixture
def full_mode(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "full")


def test_train_loss_curve(full_mode):
    loader = _tiny_loader()
    curve = C.train_loss_curve(O.SGD, 8, num_epochs=2, train_iter=loader, evals_per_epoch=4,
                               lr=0.01)
    assert len(curve.epochs) == len(curve.seconds) == len(curve.losses) == 9
    assert curve.epochs == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    assert curve.seconds == sorted(curve.seconds) and curve.label == "batch size 8"
    assert all(math.isfinite(v) for v in curve.losses) and curve.losses[-1] < curve.losses[0]
    # Same seed, same start; full batch: one step, one measurement per epoch.
    gd = C.train_loss_curve(O.SGD, 64, num_epochs=2, train_iter=loader, label="GD", lr=0.01)
    assert gd.epochs == [0.0, 1.0, 2.0] and gd.losses[0] == curve.losses[0]
    again = C.train_loss_curve(O.Adam, 8, num_epochs=1, train_iter=loader, lr=0.01)
    assert "batch size 8" in again.summary()


def test_the_loss_is_measured_on_the_whole_training_set(full_mode):
    loader = _tiny_loader()
    untrained = []

    def make_net():
        net = C.softmax_regression()
        untrained.append(copy.deepcopy(net))
        return net
    curve = C.train_loss_curve(O.SGD, 8, num_epochs=1, train_iter=loader, make_net=make_net,
                               lr=0.01)
    start = nn.CrossEntropyLoss()(untrained[0](loader.images.float().div(255)), loader.labels)
    assert curve.losses[0] == pytest.approx(start.item(), rel=1e-6)


def test_it_trains_with_train_epoch(full_mode, monkeypatch):
    calls = []

    def spy(net, data, loss_fn, optimizer, device, on_batch=None, **kwargs):
        calls.append(len(data))
        return d2lmini.train_epoch(net, data, loss_fn, optimizer, device, on_batch, **kwargs)
    monkeypatch.setattr(C, "train_epoch", spy)
    curve = C.train_loss_curve(O.SGD, 16, num_epochs=2, train_iter=_tiny_loader(),
                               evals_per_epoch=2, lr=0.01)
    assert calls == [4, 4] and curve.epochs == [0.0, 0.5, 1.0, 1.5, 2.0]


def test_measuring_is_not_timed(full_mode, monkeypatch):
    def slow_loss(*args, **kwargs):
        time.sleep(0.1)
        return 1.0
    monkeypatch.setattr(C, "evaluate_loss", slow_loss)
    curve = C.train_loss_curve(O.SGD, 16, num_epochs=1, train_iter=_tiny_loader(),
                               evals_per_epoch=4, lr=0.01)
    assert len(curve.seconds) == 5 and curve.seconds[-1] < 0.1  # 5 measurements took 0.5 s


def test_make_net_builds_a_fresh_model_per_run(full_mode):
    loader = _tiny_loader()
    built = []

    def make_net():
        built.append(nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10)))
        return built[-1]
    a = C.train_loss_curve(O.SGD, 16, num_epochs=1, train_iter=loader, make_net=make_net,
                           lr=0.01)
    b = C.train_loss_curve(O.SGD, 16, num_epochs=1, train_iter=loader, make_net=make_net,
                           lr=0.01)
    assert len(built) == 2 and built[0] is not built[1]
    assert a.losses == b.losses  # the same seed: the same start and the same batches
    with pytest.raises(TypeError, match="make_net must be a function"):
        C.train_loss_curve(O.SGD, 16, train_iter=loader, make_net=C.softmax_regression(),
                           lr=0.01)


def test_a_diverging_run_raises(full_mode):
    # A learning rate of 1e4 makes the loss huge but finite (about 1e5 here):
    # the old harness, which only caught NaN and inf, returned it as a curve.
    with pytest.raises(FloatingPointError, match=r"diverged.*\(lr 1e4\)"):
        C.train_loss_curve(O.SGD, 8, num_epochs=1, train_iter=_tiny_loader(), label="lr 1e4",
                           lr=1e4)


def test_a_loss_of_1e10_raises(full_mode, monkeypatch):
    losses = iter([2.3, 1.5, 1e10, 1.0])
    monkeypatch.setattr(C, "evaluate_loss", lambda *args, **kwargs: next(losses))
    with pytest.raises(FloatingPointError, match=r"the loss is 1e\+10 after 0.5 epochs"):
        C.train_loss_curve(O.SGD, 16, num_epochs=1, train_iter=_tiny_loader(),
                           evals_per_epoch=4, lr=0.01)


@pytest.mark.parametrize("args,kwargs,error,match", [
    ((O.SGD, 0), dict(lr=0.1), ValueError, "batch_size must be a positive int, got 0"),
    ((O.SGD, 8), dict(num_epochs=0, lr=0.1), ValueError, "num_epochs.*got 0"),
    ((O.SGD, 8), dict(evals_per_epoch=1.5, lr=0.1), ValueError, "evals_per_epoch.*got 1.5"),
    ((O.SGD, 8), dict(cpu_threads=0, lr=0.1), ValueError, "cpu_threads.*got 0"),
    ((O.SGD, 8), dict(lr=-0.1), ValueError, "lr must be a finite number > 0, got -0.1"),
    ((O.Adam, 8), dict(lr=0.1, beta1=1.0), ValueError, r"beta1 must be .*\[0, 1\), got 1.0"),
    ((O.SGD, 8), dict(lr=0.1, beta=0.5), TypeError, "unexpected keyword argument 'beta'"),
    # one form for the optimizer: a class and its hyper-parameters
    ((0.1, 8), {}, TypeError, r"optimizer must be an optimizer class.*the number 0.1"),
    ((lambda p: O.SGD(p, 0.1), 8), {}, TypeError, "optimizer must be .*the function <lambda>"),
    ((O.SGD, 8), dict(make_net=C.softmax_regression(), lr=0.1), TypeError,
     "make_net must be a function"),
])
def test_bad_input_raises(full_mode, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        C.train_loss_curve(*args, train_iter=_tiny_loader(), **kwargs)


def test_a_train_iter_that_is_no_device_loader_raises(full_mode):
    with pytest.raises(TypeError, match="train_iter must be a DeviceLoader .*got list"):
        C.train_loss_curve(O.SGD, 8, train_iter=[(torch.zeros(1, 1, 28, 28), torch.zeros(1))],
                           lr=0.1)


def test_torch_optimizers_take_the_same_form(full_mode):
    loader = _tiny_loader()
    ours = C.train_loss_curve(O.Adam, 16, num_epochs=1, train_iter=loader, lr=0.01)
    theirs = C.train_loss_curve(torch.optim.Adam, 16, num_epochs=1, train_iter=loader, lr=0.01)
    assert ours.losses == pytest.approx(theirs.losses, abs=1e-5)


def test_loss_curve_add_raises_when_the_loss_diverges():
    curve = C.LossCurve("run")
    curve.add(0.0, 0.0, float("nan"))  # the first measurement is the reference
    curve = C.LossCurve("run")
    curve.add(0.0, 0.0, 2.0)
    curve.add(0.5, 0.1, 150.0)
    with pytest.raises(FloatingPointError, match=r"the loss is inf after 1 epochs \(run\)"):
        curve.add(1.0, 0.2, float("inf"))
    assert curve.losses == [2.0, 150.0]


def test_train_loss_curve_restores_threads(full_mode):
    before = torch.get_num_threads()
    seen = []

    class Spy(O.SGD):
        def step(self, closure=None):
            seen.append(torch.get_num_threads())
            return super().step(closure)
    C.train_loss_curve(Spy, 32, num_epochs=1, train_iter=_tiny_loader(), lr=0.01)
    # the untimed warm-up step on a copy, then the two steps of the run
    assert seen == [1, 1, 1] and torch.get_num_threads() == before


def test_warm_up_leaves_the_run_unchanged(full_mode):
    # The warm-up works on a copy and draws no random numbers: the curve is the
    # same as one made without it.
    a = C.train_loss_curve(O.SGD, 32, num_epochs=1, train_iter=_tiny_loader(), lr=0.1)
    import unittest.mock
    with unittest.mock.patch.object(C, "_warm_up", lambda *args: None):
        b = C.train_loss_curve(O.SGD, 32, num_epochs=1, train_iter=_tiny_loader(), lr=0.1)
    assert a.losses == b.losses


def test_train_loss_curve_caps_epochs_in_quick_mode(monkeypatch, capsys):
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    curve = C.train_loss_curve(O.SGD, 64, num_epochs=5, train_iter=_tiny_loader(), lr=0.1)
    assert curve.epochs[-1] == d2lmini.QUICK_EPOCHS
    assert "quick mode" in capsys.readouterr().out


def test_plot_loss_curves():
    curve = C.LossCurve("a", [0, 1], [0.0, 0.5], [2.0, 1.0])
    assert isinstance(P.plot_loss_curves([curve, curve]), Figure)
    fig, axes = d2lmini.display.new_figure(ncols=2)
    assert P.plot_loss_curves([curve], axes=axes) is fig
    with pytest.raises(ValueError, match="at least one"):
        P.plot_loss_curves([])


def test_loss_curves_over_seeds_are_one_seeded_run_each(full_mode, capsys):
    loader = _tiny_loader()
    runs = C.loss_curves_over_seeds(O.SGD, 16, 1, loader, "SGD", seeds=[0, 1], lr=0.1)
    alone = C.train_loss_curve(O.SGD, 16, 1, train_iter=loader, label="SGD", seed=1,
                               lr=0.1)
    assert [c.label for c in runs] == ["SGD", "SGD"]
    assert runs[1].losses == alone.losses and runs[0].losses != runs[1].losses
    assert "seed 1 (2 of 2)" in capsys.readouterr().out


def test_mean_curve_averages_losses_and_seconds():
    a = C.LossCurve("m", [0.0, 1.0], [0.0, 2.0], [2.0, 1.0])
    b = C.LossCurve("m", [0.0, 1.0], [0.0, 4.0], [2.0, 0.5])
    mean = C.mean_curve([a, b])
    assert (mean.label, mean.epochs, mean.seconds, mean.losses) == (
        "m", [0.0, 1.0], [0.0, 3.0], [2.0, 0.75])
    with pytest.raises(ValueError, match="same epochs"):
        C.mean_curve([a, C.LossCurve("m", [0.0, 0.5], [0.0, 1.0], [2.0, 1.0])])
    with pytest.raises(ValueError, match="one or more curves"):
        C.mean_curve([])


def test_plot_over_seeds_draws_a_band_per_method():
    runs = {name: [C.LossCurve(name, [0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [2.0, 1.0 + s, 0.5])
                   for s in (0.0, 0.2)] for name in ("a", "b")}
    fig = C.plot_loss_curves_over_seeds(runs)
    bands = fig.axes[0].collections
    assert len(bands) == 2
    assert len(fig.axes[0].lines) == 2  # the two means
