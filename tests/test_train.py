import re

import pytest
import torch
from torch import nn

import d2lmini
from d2lmini import evaluation, gpu, progress, train


class Constant(nn.Module):
    """Predicts class ``c`` for every input."""

    def __init__(self, c, num_classes=10):
        super().__init__()
        self.c, self.k = c, num_classes
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, X):
        out = torch.zeros(len(X), self.k) + 0 * self.dummy
        out[:, self.c] = 1
        return out


def batches(labels, size=4):
    labels = torch.tensor(labels)
    return [(torch.zeros(len(labels[i:i + size]), 3), labels[i:i + size])
            for i in range(0, len(labels), size)]


def test_accuracy_counts_correct_predictions():
    y_hat = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert evaluation.accuracy(y_hat, torch.tensor([1, 0, 0])).item() == 2
    assert evaluation.accuracy(torch.tensor([1, 1]), torch.tensor([1, 0])).item() == 1


def test_evaluate_accuracy_and_restores_mode():
    net = Constant(2)
    net.train()
    data = batches([2, 2, 1, 0, 2, 5, 2, 2, 9, 2])
    assert d2lmini.evaluate_accuracy(net, data, device="cpu") == pytest.approx(0.6)
    assert net.training
    net.eval()
    d2lmini.evaluate_accuracy(net, data, device="cpu")
    assert not net.training


def test_evaluate_accuracy_bad_input():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        d2lmini.evaluate_accuracy(lambda x: x, batches([1]))
    with pytest.raises(ValueError, match="examples data_iter yielded must be a positive "
                                         "int, got 0"):
        d2lmini.evaluate_accuracy(Constant(0), [], device="cpu")


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))


@pytest.fixture
def quick_data(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    return d2lmini.load_fashion_mnist(256, device="cpu")


def run(quick_data, seed=0, **kw):
    d2lmini.seed_everything(seed)
    train_iter, test_iter = d2lmini.load_fashion_mnist(256, device="cpu")
    net = mlp()
    history = d2lmini.train_classifier(net, train_iter, test_iter, **kw)
    return net, history


def test_quick_mode_caps_epochs_and_reports(quick_data, capsys):
    net, history = run(quick_data, num_epochs=10, lr=0.5)
    out = capsys.readouterr().out
    assert "quick mode: training for 2 of 10 epochs" in out
    assert history.epoch == [1, 2]
    assert history.train_loss[1] < history.train_loss[0]
    assert history.test_acc[-1] > 0.3          # far better than chance (0.1)
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"loss \d+\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}, "
                        r"\d+\.\d examples/sec on cpu"
                        r"( \(after a one-off start-up of \d+\.\d s\))?", last), last
    assert last == history.summary()
    assert history.examples_per_sec > 0 and history.device == "cpu"


def test_quick_mode_runs_repeat_bit_for_bit(quick_data):
    net1, h1 = run(quick_data, num_epochs=2, lr=0.5, plot=False)
    net2, h2 = run(quick_data, num_epochs=2, lr=0.5, plot=False)
    assert (h1.train_loss, h1.train_acc, h1.test_acc) == (h2.train_loss, h2.train_acc, h2.test_acc)
    for p1, p2 in zip(net1.parameters(), net2.parameters()):
        assert torch.equal(p1, p2)
    _, h3 = run(quick_data, seed=1, num_epochs=2, lr=0.5, plot=False)
    assert h3.train_loss != h1.train_loss


def test_a_built_optimizer_takes_the_steps(quick_data):
    train_iter, test_iter = quick_data
    net = mlp()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    h = d2lmini.train_classifier(net, train_iter, test_iter, 1, optimizer=opt)
    assert opt.state  # the given optimizer took the steps
    assert len(h.epoch) == 1


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(num_epochs=0, lr=0.1), ValueError, "num_epochs must be a positive int"),
    (dict(num_epochs=1.5, lr=0.1), ValueError, "num_epochs must be a positive int"),
    (dict(num_epochs=1), ValueError, "give either lr .* not neither"),
    (dict(num_epochs=1, lr=-0.1), ValueError, "lr must be a finite number > 0"),
    (dict(num_epochs=1, lr=float("nan")), ValueError, "lr must be a finite"),
    (dict(num_epochs=1, optimizer="adam"), TypeError, "optimizer must be a torch.optim"),
    (dict(num_epochs=1, optimizer=torch.optim.SGD), TypeError, "built on the net's"),
    (dict(num_epochs=1, optimizer=lambda p: torch.optim.SGD(p, lr=0.1)), TypeError,
     "optimizer must be a torch.optim.Optimizer"),
])
def test_bad_arguments(quick_data, kwargs, error, match):
    train_iter, test_iter = quick_data
    with pytest.raises(error, match=match):
        d2lmini.train_classifier(mlp(), train_iter, test_iter, plot=False, **kwargs)


def test_net_must_be_a_module(quick_data):
    with pytest.raises(TypeError, match="torch.nn.Module"):
        d2lmini.train_classifier("net", *quick_data, num_epochs=1, lr=0.1)


def test_divergence_is_reported(quick_data):
    with pytest.raises(FloatingPointError, match="learning rate is probably too large"):
        d2lmini.train_classifier(mlp(), *quick_data, num_epochs=2, lr=1e12)


def test_live_plot_keeps_the_curves():
    plot = d2lmini.LivePlot(xlabel="epoch", legend=["a", "b"])
    plot.add(1, [0.5, None])
    plot.add(2, [0.4, 0.9])
    assert plot.xs == [[1, 2], [2]] and plot.ys == [[0.5, 0.4], [0.9]]
    assert len(plot.ax.get_lines()) == 2
    with pytest.raises(ValueError, match="expected 2 values"):
        plot.add(3, [1.0])


def test_progress_bar_outside_a_notebook_is_plain_tqdm():
    bar = progress.progress_bar(10)
    assert type(bar).__name__ == "tqdm"
    bar.close()


def test_speedups_default_on_cuda_only(monkeypatch):
    conv = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten())
    assert gpu.speedups(conv, "cpu") == (False, False)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (9, 0))
    assert gpu.speedups(conv, "cuda:0") == (True, True)
    assert gpu.speedups(mlp(), "cuda:0") == (False, True)    # no convolutions
    assert gpu.speedups(conv, "cuda:0", channels_last=False, amp=False) == (False, False)


@pytest.mark.parametrize("capability, bf16", [((7, 5), False), ((7, 0), False),
                                              ((8, 0), True), ((8, 9), True), ((9, 0), True)])
def test_bf16_only_where_the_gpu_does_it_natively(monkeypatch, capability, bf16):
    # A T4 (7.5) or V100 (7.0) emulates bfloat16, and is_bf16_supported() says True there.
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    conv = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten())
    assert gpu.speedups(conv, "cuda:0") == (True, bf16)


# ------------------------------------------------ results that would be silently wrong

def test_accuracy_rejects_scores_of_one_column():
    # (n, 1) scores against n labels used to broadcast to (n, n) comparisons.
    y_hat, y = torch.zeros(4, 1), torch.tensor([0, 0, 1, 2])
    with pytest.raises(ValueError, match="scores"):
        evaluation.accuracy(y_hat, y)
    with pytest.raises(ValueError, match="scores"):
        evaluation.accuracy(torch.tensor([0, 1]), y)


def test_lr_and_optimizer_together_are_refused(quick_data):
    net = mlp()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="not both"):
        d2lmini.train_classifier(net, *quick_data, num_epochs=1, lr=0.5,
                                 optimizer=opt, plot=False)


def test_optimizer_on_another_nets_parameters_is_refused(quick_data):
    net, other = mlp(), mlp()
    opt = torch.optim.SGD(other.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="other parameters"):
        d2lmini.train_classifier(net, *quick_data, num_epochs=1, optimizer=opt,
                                 plot=False)


def test_a_loss_that_explodes_without_overflowing_is_reported(quick_data):
    calls = []

    def loss(y_hat, y):  # normal at first, then about 1e10 (finite, same gradients)
        calls.append(1)
        return nn.functional.cross_entropy(y_hat, y) + (1e10 if len(calls) > 3 else 0.0)
    with pytest.raises(FloatingPointError, match="diverged"):
        d2lmini.train_classifier(mlp(), *quick_data, num_epochs=1, lr=0.01, loss=loss,
                                 plot=False)


def test_check_diverged():
    train.check_diverged(2.0, 2.3, "now")
    train.check_diverged(200.0, 2.3, "now")
    for bad in (1e10, float("nan"), float("inf")):
        with pytest.raises(FloatingPointError, match="diverged"):
            train.check_diverged(bad, 2.3, "now")


def test_numpy_scalars_are_accepted(quick_data):
    import numpy as np
    h = d2lmini.train_classifier(mlp(), *quick_data, num_epochs=np.int64(1),
                                 lr=np.float32(0.1), plot=False)
    assert h.epoch == [1]


def test_speedups_can_be_forced_on_the_cpu(quick_data):
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
    channels_last, amp = gpu.place_net(net, "cpu", channels_last=True, amp=True)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    train_iter, test_iter = quick_data
    totals = train.train_epoch(net, train_iter, nn.CrossEntropyLoss(), opt, "cpu",
                               channels_last=channels_last, amp=amp)
    assert net[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert totals[1] / totals[2] > 0.3
    X = torch.zeros(2, 1, 28, 28)
    assert gpu.to_device(X, "cpu", channels_last=True).is_contiguous(
        memory_format=torch.channels_last)


def test_throughput_is_the_steady_state_and_startup_is_apart(quick_data):
    import time

    class SlowStart(nn.Module):  # like compilation: the first call costs 2 s
        def __init__(self):
            super().__init__()
            self.net, self.calls = mlp(), 0

        def forward(self, X):
            self.calls += 1
            if self.calls == 2:  # the first training batch (call 1 is the start loss)
                time.sleep(2.0)
            return self.net(X)
    h = d2lmini.train_classifier(SlowStart(), *quick_data, num_epochs=2, lr=0.1,
                                 plot=False)
    # at least the sleep, and not the whole run (a busy machine slows the rest)
    assert 1.9 < h.startup_seconds < 1.9 + h.train_seconds / 2
    overall = sum(h.epoch_examples) / h.train_seconds
    assert h.examples_per_sec > 1.5 * overall  # the one-off seconds are not in it
    assert f"one-off start-up of {h.startup_seconds:.1f} s" in h.summary()
    one = d2lmini.train_classifier(mlp(), *quick_data, num_epochs=1, lr=0.1,
                                   plot=False)
    assert one.startup_seconds is None and "start-up" not in one.summary()
