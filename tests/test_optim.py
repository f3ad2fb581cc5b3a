"""Tests of d2lmini.optim: update rules, optimizers, toy trainers, schedules, harness."""
import io
import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

import d2lmini
from d2lmini import optim as O
from d2lmini import plot as P

STEPS = 50


def make_problem(seed=0):
    """A small random least-squares problem with two parameter tensors (float64)."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(32, 5, generator=gen, dtype=torch.float64)
    y = torch.randn(32, 3, generator=gen, dtype=torch.float64)
    W = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    b = torch.randn(3, generator=gen, dtype=torch.float64)
    return X, y, [W, b]


def loss_of(X, y, params):
    W, b = params
    return ((X @ W + b - y) ** 2).mean()


def run(make_opt, steps=STEPS, seed=0):
    """Parameters after ``steps`` steps of the optimizer ``make_opt(params)``."""
    X, y, init = make_problem(seed)
    params = [p.clone().requires_grad_(True) for p in init]
    opt = make_opt(params)
    for _ in range(steps):
        opt.zero_grad()
        loss_of(X, y, params).backward()
        opt.step()
    return [p.detach() for p in params]


def assert_same(a, b, rtol=1e-10, atol=1e-12):
    for p, q in zip(a, b):
        torch.testing.assert_close(p, q, rtol=rtol, atol=atol)


# ------------------------------------------------ the classes against torch.optim

def test_sgd_matches_torch():
    assert_same(run(lambda p: O.SGD(p, lr=0.1)), run(lambda p: torch.optim.SGD(p, lr=0.1)))


def test_momentum_matches_torch_sgd_with_momentum():
    ours = run(lambda p: O.Momentum(p, lr=0.05, beta=0.9))
    theirs = run(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))
    assert_same(ours, theirs)


def test_adagrad_matches_torch_with_eps_zero():
    # Ours divides by sqrt(s + eps), PyTorch's by sqrt(s) + eps: with eps = 0 the
    # two formulas are the same function, so they must agree to rounding. (The
    # gradients of this problem are never exactly zero, so s > 0.)
    ours = run(lambda p: O.AdaGrad(p, lr=0.1, eps=0.0))
    theirs = run(lambda p: torch.optim.Adagrad(p, lr=0.1, eps=0.0))
    assert_same(ours, theirs)


def test_rmsprop_matches_torch_with_eps_zero():
    # Same reason as for AdaGrad: the place of eps is the only difference.
    ours = run(lambda p: O.RMSProp(p, lr=0.01, gamma=0.9, eps=0.0))
    theirs = run(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0))
    assert_same(ours, theirs)


@pytest.mark.parametrize("lr", [1.0, 0.5])
def test_adadelta_matches_torch(lr):
    ours = run(lambda p: O.AdaDelta(p, rho=0.9, eps=1e-5, lr=lr))
    theirs = run(lambda p: torch.optim.Adadelta(p, lr=lr, rho=0.9, eps=1e-5))
    assert_same(ours, theirs)


def test_adam_matches_torch():
    ours = run(lambda p: O.Adam(p, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8))
    theirs = run(lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8))
    assert_same(ours, theirs)


def reference(rule, steps=STEPS, **h):
    """The formulas of the notes, written out with NumPy, one loop per method."""
    X, y, init = make_problem()
    xs = [p.numpy().copy() for p in init]
    st = [dict(a=np.zeros_like(x), b=np.zeros_like(x)) for x in xs]
    for t in range(1, steps + 1):
        params = [torch.tensor(x, requires_grad=True) for x in xs]
        loss_of(X, y, params).backward()
        for x, p, s in zip(xs, params, st):
            g = p.grad.numpy()
            if rule == "adagrad":
                s["a"] += g * g
                x -= h["lr"] * g / np.sqrt(s["a"] + h["eps"])
            elif rule == "rmsprop":
                s["a"] = h["gamma"] * s["a"] + (1 - h["gamma"]) * g * g
                x -= h["lr"] * g / np.sqrt(s["a"] + h["eps"])
            elif rule == "yogi":
                s["a"] = h["beta1"] * s["a"] + (1 - h["beta1"]) * g
                s["b"] = s["b"] + (1 - h["beta2"]) * g * g * np.sign(g * g - s["b"])
                v_hat = s["a"] / (1 - h["beta1"] ** t)
                s_hat = s["b"] / (1 - h["beta2"] ** t)
                x -= h["lr"] * v_hat / (np.sqrt(s_hat) + h["eps"])
    return [torch.from_numpy(x) for x in xs]


def test_adagrad_and_rmsprop_follow_the_formula_with_eps():
    # With a sizeable eps, PyTorch's formula differs; check ours against the notes'.
    assert_same(run(lambda p: O.AdaGrad(p, lr=0.1, eps=0.1)),
                reference("adagrad", lr=0.1, eps=0.1))
    assert_same(run(lambda p: O.RMSProp(p, lr=0.01, gamma=0.8, eps=0.1)),
                reference("rmsprop", lr=0.01, gamma=0.8, eps=0.1))


def test_yogi_follows_the_formula():
    h = dict(lr=0.05, beta1=0.9, beta2=0.99, eps=1e-3)
    assert_same(run(lambda p: O.Yogi(p, **h)), reference("yogi", **h))


def test_optimizers_decrease_the_loss():
    X, y, init = make_problem()
    start = loss_of(X, y, init).item()
    for make in [lambda p: O.SGD(p, 0.1), lambda p: O.Momentum(p, 0.05),
                 lambda p: O.AdaGrad(p, 0.1), lambda p: O.RMSProp(p, 0.01),
                 lambda p: O.AdaDelta(p), lambda p: O.Adam(p, 0.01), lambda p: O.Yogi(p, 0.05)]:
        assert loss_of(X, y, run(make, steps=100)).item() < start


def test_closure_and_parameters_without_gradient():
    w = torch.ones(3, requires_grad=True)
    unused = torch.ones(2, requires_grad=True)
    opt = O.Adam([w, unused], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert loss.item() == pytest.approx(3.0)
    assert torch.all(w < 1) and torch.equal(unused, torch.ones(2))
    assert unused not in opt.state


# ------------------------------------------------ pure functions

def test_pure_functions_agree_with_classes_and_do_not_mutate():
    X, y, init = make_problem()
    h = dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    xs = [p.clone() for p in init]
    vs = [torch.zeros_like(p) for p in init]
    ss = [torch.zeros_like(p) for p in init]
    for t in range(1, STEPS + 1):
        params = [x.clone().requires_grad_(True) for x in xs]
        loss_of(X, y, params).backward()
        for i, p in enumerate(params):
            g = p.grad
            before = [xs[i].clone(), g.clone(), vs[i].clone(), ss[i].clone()]
            new = O.adam_update(xs[i], g, vs[i], ss[i], t, **h)
            for a, b in zip(before, [xs[i], g, vs[i], ss[i]]):
                assert torch.equal(a, b), "an update rule changed its input"
            xs[i], vs[i], ss[i] = new
    assert_same(xs, run(lambda p: O.Adam(p, **h)), rtol=0, atol=0)


@pytest.mark.parametrize("rule,args,cls,kwargs", [
    (O.momentum_update, dict(beta=0.5), O.Momentum, dict(beta=0.5)),
    (O.adagrad_update, dict(eps=1e-6), O.AdaGrad, dict(eps=1e-6)),
    (O.rmsprop_update, dict(gamma=0.9, eps=1e-6), O.RMSProp, dict(gamma=0.9, eps=1e-6)),
])
def test_one_state_rules_agree_with_classes(rule, args, cls, kwargs):
    x, g, s = torch.tensor([1.0, -2.0]), torch.tensor([0.5, 3.0]), torch.zeros(2)
    x_new, s_new = rule(x, g, s, lr=0.1, **args)
    p = x.clone().requires_grad_(True)
    opt = cls([p], lr=0.1, **kwargs)
    p.grad = g.clone()
    opt.step()
    assert torch.equal(p.detach(), x_new)
    assert torch.equal(opt.state[p][cls.state_names[0]], s_new)


def test_rules_by_hand():
    x, g = torch.tensor(1.0), torch.tensor(2.0)
    assert O.sgd_update(x, g, 0.1).item() == pytest.approx(0.8)
    x1, v = O.momentum_update(x, g, torch.tensor(1.0), lr=0.1, beta=0.5)
    assert (x1.item(), v.item()) == (pytest.approx(0.75), pytest.approx(2.5))
    x1, s = O.adagrad_update(x, g, torch.tensor(0.0), lr=0.1, eps=0.0)
    assert (x1.item(), s.item()) == (pytest.approx(0.9), pytest.approx(4.0))
    # First Adam step: bias correction makes the step lr * sign(g) (up to eps).
    x1, _, _ = O.adam_update(x, g, torch.tensor(0.0), torch.tensor(0.0), 1, lr=0.1, eps=0.0)
    assert x1.item() == pytest.approx(0.9)
    # AdaDelta's first step: s = (1-rho) g^2, g' = sqrt(eps / (s + eps)) g.
    x1, s, d = O.adadelta_update(x, g, torch.tensor(0.0), torch.tensor(0.0), rho=0.9, eps=1e-5)
    gp = math.sqrt(1e-5 / (0.4 + 1e-5)) * 2
    assert (x1.item(), s.item(), d.item()) == (pytest.approx(1 - gp), pytest.approx(0.4),
                                               pytest.approx(0.1 * gp * gp))


def test_newton_update():
    # On a quadratic 1/2 x^T A x - b^T x, one Newton step lands on the minimum A^{-1} b.
    A = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    b = torch.tensor([1.0, -1.0], dtype=torch.float64)
    x = torch.tensor([5.0, 7.0], dtype=torch.float64)
    x1 = O.newton_update(x, A @ x - b, A)
    torch.testing.assert_close(x1, torch.linalg.solve(A, b))
    assert O.newton_update(torch.tensor(4.0), torch.tensor(8.0), torch.tensor(2.0)).item() == 0.0
    with pytest.raises(ValueError, match="got shape"):
        O.newton_update(x, x, torch.ones(3))


# ------------------------------------------------ toy trainers

def test_gd_on_square_is_geometric():
    points = O.train_1d(O.square, 10.0, 10, 0.2)
    assert points.dtype == torch.float64 and points.shape == (11,)
    expected = 10 * 0.6 ** torch.arange(11, dtype=torch.float64)
    torch.testing.assert_close(points, expected, rtol=1e-14, atol=0)
    assert O.format_final(points) == "epoch 10, x: 0.060466"


def test_gd_on_bowl_and_analytic_gradient():
    points = O.train_2d(O.bowl, (-5, -2), 20, 0.1)
    t = torch.arange(21, dtype=torch.float64)
    torch.testing.assert_close(points[:, 0], -5 * 0.8 ** t, rtol=1e-13, atol=0)
    torch.testing.assert_close(points[:, 1], -2 * 0.6 ** t, rtol=1e-13, atol=0)
    analytic = O.train_2d(O.bowl, (-5, -2), 20, 0.1, grad=lambda x1, x2: (2 * x1, 4 * x2))
    assert torch.equal(points, analytic)
    assert O.format_final(points) == "epoch 20, x1: -0.057646, x2: -0.000073"


def test_gd_on_xcos_and_divergence():
    assert O.format_final(O.train_1d(O.xcos, 10.0, 10, 2.0)) == "epoch 10, x: -1.528166"
    diverged = O.train_1d(O.square, 10.0, 10, 1.1)
    torch.testing.assert_close(diverged[-1], torch.tensor(10 * 1.2 ** 10, dtype=torch.float64))


def test_toy_trainer_with_optimizer_class_and_factory():
    a = O.train_2d(O.ill_conditioned_bowl, (-5, -2), 20, O.Momentum, lr=0.4, beta=0.5)
    b = O.train_2d(O.ill_conditioned_bowl, (-5, -2), 20, lambda p: O.Momentum(p, 0.4, 0.5))
    assert torch.equal(a, b)
    assert O.format_final(a) == "epoch 20, x1: -0.062843, x2: 0.001202"


def test_noise_is_seeded():
    a = O.train_2d(O.bowl, (-5, -2), 20, 0.1, noise=1.0, seed=3)
    b = O.train_2d(O.bowl, (-5, -2), 20, 0.1, noise=1.0, seed=3)
    c = O.train_2d(O.bowl, (-5, -2), 20, 0.1, noise=1.0, seed=4)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(O.train_2d(O.bowl, (-5, -2), 20, 0.1, noise=0.0, seed=4),
                       O.train_2d(O.bowl, (-5, -2), 20, 0.1))


def test_lr_schedule_in_toy_trainer():
    # On x^2 a step multiplies x by 1 - 2 lr: by 1/2 at lr 0.25, by 3/4 at lr 0.125.
    points = O.train_1d(O.square, 8.0, 3, 1.0, lr_schedule=O.piecewise_lr([1], [0.25, 0.125]))
    assert points.tolist() == [8.0, 4.0, 3.0, 2.25]
    decayed = O.train_1d(O.square, 8.0, 3, 1.0, lr_schedule=O.exponential_lr(0.25, 0.5))
    expected = [8.0]
    for t in range(3):
        expected.append(expected[-1] * (1 - 2 * 0.25 * math.exp(-0.5 * t)))
    torch.testing.assert_close(decayed, torch.tensor(expected, dtype=torch.float64))


def test_newton_1d():
    assert O.format_final(O.newton_1d(O.scaled_cosh, 10.0, 10)) == "epoch 10, x: 0.000000"
    # On a quadratic one step suffices; with lr 0.5 the distance halves each step.
    torch.testing.assert_close(O.newton_1d(O.square, 3.0, 2, lr=0.5),
                               torch.tensor([3.0, 1.5, 0.75], dtype=torch.float64))


def test_format_final():
    assert O.format_final(torch.tensor([1.0, -1e-9], dtype=torch.float64)) == "epoch 1, x: 0.000000"
    assert O.format_final(torch.tensor([[0.0, 0.0], [-0.1234564, 0.6543216]])) == \
        "epoch 1, x1: -0.123456, x2: 0.654322"
    with pytest.raises(ValueError, match="expected a trajectory"):
        O.format_final(torch.zeros(2, 2, 2))


def test_test_functions():
    assert O.square(3.0).item() == 9.0 and O.cubic(-2.0).item() == -8.0
    assert O.xcos(2.0, c=math.pi).item() == pytest.approx(2.0)
    assert O.scaled_cosh(0.0).item() == 1.0
    assert O.bowl(1.0, 1.0).item() == 3.0
    assert O.ill_conditioned_bowl(1.0, 1.0).item() == pytest.approx(2.1)
    assert O.saddle(1.0, 2.0).item() == -3.0


# ------------------------------------------------ schedules

def test_schedules():
    assert O.constant_lr(0.3)(100) == 0.3
    e = O.exponential_lr(1.0, 0.1)
    assert e(0) == 1.0 and e(10) == pytest.approx(math.exp(-1))
    p = O.polynomial_lr(2.0, alpha=0.5, beta=1.0)
    assert p(0) == 2.0 and p(3) == pytest.approx(1.0)
    w = O.piecewise_lr([10, 20], [1.0, 0.1, 0.01])
    assert [w(0), w(9), w(10), w(19), w(20), w(1000)] == [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]


# ------------------------------------------------ bad input

@pytest.mark.parametrize("make,match", [
    (lambda p: O.SGD(p, lr=0), "lr .*positive.*got 0"),
    (lambda p: O.SGD(p, lr=-0.1), "got -0.1"),
    (lambda p: O.Momentum(p, lr=0.1, beta=1.0), r"beta must be a number in \[0, 1\), got 1.0"),
    (lambda p: O.RMSProp(p, lr=0.1, gamma=-0.5), "gamma.*got -0.5"),
    (lambda p: O.AdaGrad(p, lr=0.1, eps=-1e-6), "eps must be a non-negative number, got -1e-06"),
    (lambda p: O.AdaDelta(p, rho=1.5), "rho.*got 1.5"),
    (lambda p: O.Adam(p, beta2=1.0), "beta2.*got 1.0"),
    (lambda p: O.Yogi(p, lr=float("nan")), "got nan"),
    (lambda p: O.Adam(p, lr="0.1"), "got '0.1'"),
])
def test_bad_hyper_parameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make([torch.zeros(2, requires_grad=True)])


def test_bad_toy_and_schedule_input_raises():
    with pytest.raises(ValueError, match="num_steps"):
        O.train_1d(O.square, 1.0, -1, 0.1)
    with pytest.raises(ValueError, match="x0 must hold 2"):
        O.train_2d(O.bowl, 1.0, 3, 0.1)
    with pytest.raises(TypeError, match="optimizer must be"):
        O.train_1d(O.square, 1.0, 3, "fast")
    with pytest.raises(TypeError, match="need an optimizer class"):
        O.train_1d(O.square, 1.0, 3, 0.1, beta=0.5)
    with pytest.raises(ValueError, match="lr .*positive"):
        O.train_1d(O.square, 1.0, 3, -0.1)
    with pytest.raises(ValueError, match="noise"):
        O.train_1d(O.square, 1.0, 3, 0.1, noise=-1)
    with pytest.raises(ValueError, match="one more value"):
        O.piecewise_lr([1, 2], [0.1])
    with pytest.raises(ValueError, match="increasing"):
        O.piecewise_lr([2, 1], [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="decay"):
        O.exponential_lr(0.1, -1)


# ------------------------------------------------ state_dict

@pytest.mark.parametrize("cls,kwargs", [
    (O.SGD, dict(lr=0.1)), (O.Momentum, dict(lr=0.05)), (O.AdaGrad, dict(lr=0.1)),
    (O.RMSProp, dict(lr=0.01)), (O.AdaDelta, {}), (O.Adam, dict(lr=0.01)), (O.Yogi, dict(lr=0.05)),
])
def test_state_dict_round_trip(cls, kwargs):
    X, y, init = make_problem()
    straight = run(lambda p: cls(p, **kwargs), steps=20)
    params = [p.clone().requires_grad_(True) for p in init]
    opt = cls(params, **kwargs)

    def steps(opt, params, n):
        for _ in range(n):
            opt.zero_grad()
            loss_of(X, y, params).backward()
            opt.step()
    steps(opt, params, 10)
    buf = io.BytesIO()
    torch.save({"params": [p.detach() for p in params], "opt": opt.state_dict()}, buf)
    buf.seek(0)
    saved = torch.load(buf)
    params2 = [p.clone().requires_grad_(True) for p in saved["params"]]
    opt2 = cls(params2, **kwargs)
    opt2.load_state_dict(saved["opt"])
    steps(opt2, params2, 10)
    assert_same([p.detach() for p in params2], straight, rtol=0, atol=0)


# ------------------------------------------------ in a training loop, and the harness

def _tiny_loader(n=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 28, 28), generator=gen, dtype=torch.uint8)
    labels = torch.randint(0, 10, (n,), generator=gen)
    return d2lmini.DeviceLoader(images, labels, batch_size=16, device="cpu")


def test_works_with_train_classifier(capsys):
    loader = _tiny_loader()
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    h = d2lmini.train_classifier(net, loader, loader, 2, optimizer=lambda p: O.Adam(p, lr=0.01),
                                 device="cpu", plot=False, progress=False)
    assert len(h.train_loss) == 2 and h.train_loss[1] < h.train_loss[0]


def test_train_loss_curve(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "full")
    loader = _tiny_loader()
    curve = O.train_loss_curve(0.01, 8, num_epochs=2, train_iter=loader, evals_per_epoch=4)
    assert len(curve.epochs) == len(curve.seconds) == len(curve.losses) == 9
    assert curve.epochs == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    assert curve.seconds == sorted(curve.seconds) and curve.label == "batch size 8"
    assert all(math.isfinite(v) for v in curve.losses) and curve.losses[-1] < curve.losses[0]
    # Same seed, same start; full batch: one step, one measurement per epoch.
    gd = O.train_loss_curve(0.01, 64, num_epochs=2, train_iter=loader, label="GD")
    assert gd.epochs == [0.0, 1.0, 2.0] and gd.losses[0] == curve.losses[0]
    again = O.train_loss_curve(O.Adam, 8, num_epochs=1, train_iter=loader, lr=0.01)
    assert "batch size 8" in again.summary()
    with pytest.raises(ValueError, match="batch_size"):
        O.train_loss_curve(0.1, 0, train_iter=loader)
    with pytest.raises(ValueError, match="cpu_threads"):
        O.train_loss_curve(0.1, 8, train_iter=loader, cpu_threads=0)
    with pytest.raises(TypeError, match="DeviceLoader"):
        O.train_loss_curve(0.1, 8, train_iter=[(torch.zeros(1, 1, 28, 28), torch.zeros(1))])


def test_train_loss_curve_restores_threads(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "full")
    before = torch.get_num_threads()
    seen = []

    class Spy(O.SGD):
        def step(self, closure=None):
            seen.append(torch.get_num_threads())
            return super().step(closure)
    O.train_loss_curve(lambda p: Spy(p, 0.01), 32, num_epochs=1, train_iter=_tiny_loader())
    assert seen == [1, 1] and torch.get_num_threads() == before


def test_train_loss_curve_caps_epochs_in_quick_mode(monkeypatch, capsys):
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    curve = O.train_loss_curve(0.1, 64, num_epochs=5, train_iter=_tiny_loader())
    assert curve.epochs[-1] == d2lmini.QUICK_EPOCHS
    assert "quick mode" in capsys.readouterr().out


# ------------------------------------------------ plots

def test_plots_return_figures():
    points = O.train_1d(O.square, 10.0, 5, 0.2)
    assert isinstance(P.plot_trace_1d(O.square, points), Figure)
    points2 = O.train_2d(O.bowl, (-5, -2), 5, 0.1)
    assert isinstance(P.plot_trace_2d(O.bowl, points2), Figure)
    assert isinstance(P.plot_trace_2d(O.saddle, xlim=(-1, 1), ylim=(-1, 1)), Figure)
    fig, axes = P.new_figure(nrows=1, ncols=2)
    assert P.plot_trace_1d(O.square, points, ax=axes[0]) is fig
    curve = O.LossCurve("a", [0, 1], [0.0, 0.5], [2.0, 1.0])
    assert isinstance(P.plot_loss_curves([curve, curve]), Figure)
    with pytest.raises(ValueError, match="trajectory of shape"):
        P.plot_trace_2d(O.bowl, points)
    with pytest.raises(ValueError, match="at least one"):
        P.plot_loss_curves([])
