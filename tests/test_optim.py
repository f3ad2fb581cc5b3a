"""Tests of d2lmini.optim: the update rules and the optimizers built on them."""
import io
import math

import numpy as np
import pytest
import torch
from torch import nn

import d2lmini
from d2lmini import optim as O

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
    # Same reason as for AdaGrad: the place of eps is the only difference. But
    # RMSProp's step g / sqrt(s) does not shrink with the gradient: where a
    # gradient is nearly zero, one rounding of g changes the step relatively
    # much, and after 50 steps the two orders of operations differ by about
    # 1e-8 relatively (seen on CI). A wrong formula differs by far more.
    ours = run(lambda p: O.RMSProp(p, lr=0.01, gamma=0.9, eps=0.0))
    theirs = run(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0))
    assert_same(ours, theirs, rtol=1e-6, atol=1e-9)
    wrong = run(lambda p: O.RMSProp(p, lr=0.01, gamma=0.9, eps=1e-4))
    with pytest.raises(AssertionError):
        assert_same(wrong, theirs, rtol=1e-6, atol=1e-9)


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


def test_the_hyper_parameters_are_checked_once_in_rule_optimizer():
    # The subclasses hand their hyper-parameters to RuleOptimizer.__init__,
    # which checks each known name against HYPER_RANGES; other names pass.
    class Scaled(O.RuleOptimizer):
        def __init__(self, params, lr, gamma, scale):
            super().__init__(params, dict(lr=lr, gamma=gamma, scale=scale))

        def update(self, x, g, state, group, t):
            return x - group["lr"] * group["scale"] * g

    w = torch.zeros(2, requires_grad=True)
    opt = Scaled([w], lr=np.float32(0.5), gamma=0.5, scale="any")
    assert opt.defaults == dict(lr=0.5, gamma=0.5, scale="any")
    assert type(opt.defaults["lr"]) is float
    with pytest.raises(ValueError, match=r"gamma must be a number in \[0, 1\), got 2"):
        Scaled([w], lr=0.5, gamma=2, scale=1)
    assert set(O.HYPER_RANGES) == {"lr", "eps", "beta", "beta1", "beta2", "gamma", "rho"}


def test_check_optimizer_class():
    O.check_optimizer_class(O.Adam)
    O.check_optimizer_class(torch.optim.SGD)
    w = torch.zeros(2, requires_grad=True)
    for bad, given in [(0.1, r"the number 0.1 \(gradient descent .* d2lmini.SGD, lr=0.1\)"),
                       (lambda p: O.SGD(p, 0.1), "the function <lambda>"),
                       (O.SGD([w], 0.1), r"an optimizer already built, SGD\(...\)"),
                       ("adam", "'adam'"),
                       (int, "the class int, which is not a torch.optim.Optimizer")]:
        with pytest.raises(TypeError, match="optimizer must be an optimizer class, such as "
                                            r"d2lmini.SGD .*\(d2lmini.SGD, lr=0.1\); got "
                                            + given):
            O.check_optimizer_class(bad)


def test_rule_optimizer_runs_a_new_rule():
    # A subclass names its state and writes update(); step() does the rest.
    class SignSGD(O.RuleOptimizer):
        state_names = ("count",)

        def __init__(self, params, lr):
            super().__init__(params, dict(lr=lr))

        def update(self, x, g, state, group, t):
            state["count"] = state["count"] + 1
            return x - group["lr"] * torch.sign(g)

    w = torch.tensor([1.0, -2.0], requires_grad=True)
    opt = SignSGD([w], lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
    assert w.tolist() == [0.0, -0.5]  # sign(0) = 0: it stays at the minimum
    assert opt.state[w]["step"] == 3 and opt.state[w]["count"].tolist() == [3.0, 3.0]


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
    with pytest.raises(ValueError, match=r"the Hessian, must be a tensor of shape \(2, 2\), "
                                         r"got .* shape \(3,\)"):
        O.newton_update(x, x, torch.ones(3))


# ------------------------------------------------ hyper-parameters

@pytest.mark.parametrize("make,match", [
    (lambda p: O.SGD(p, lr=0), "lr must be a finite number > 0, got 0"),
    (lambda p: O.SGD(p, lr=-0.1), "got -0.1"),
    (lambda p: O.SGD(p, lr=True), "got True"),
    (lambda p: O.Momentum(p, lr=0.1, beta=1.0), r"beta must be a number in \[0, 1\), got 1.0"),
    (lambda p: O.RMSProp(p, lr=0.1, gamma=-0.5), "gamma.*got -0.5"),
    (lambda p: O.RMSProp(p, lr=0.1, gamma=float("nan")), "gamma.*got nan"),
    (lambda p: O.AdaGrad(p, lr=0.1, eps=-1e-6), r"eps must be a number in \[0, inf\), got -1e-06"),
    (lambda p: O.AdaGrad(p, lr=0.1, eps=float("inf")), "eps.*got inf"),
    (lambda p: O.AdaGrad(p, lr=0.1, eps="0"), "eps.*got '0'"),
    (lambda p: O.AdaDelta(p, rho=1.5), "rho.*got 1.5"),
    (lambda p: O.AdaDelta(p, lr=0), "lr.*got 0"),
    (lambda p: O.Adam(p, beta1=-0.1), "beta1.*got -0.1"),
    (lambda p: O.Adam(p, beta2=1.0), "beta2.*got 1.0"),
    (lambda p: O.Adam(p, eps=-1.0), "eps.*got -1.0"),
    (lambda p: O.Yogi(p, lr=float("nan")), "got nan"),
    (lambda p: O.Yogi(p, beta2=np.float32(1.5)), r"beta2.*got np.float32\(1.5\)"),
    (lambda p: O.Adam(p, lr="0.1"), "got '0.1'"),
    (lambda p: O.Adam(p, lr=np.float32(-1)), "lr must be"),
])
def test_bad_hyper_parameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make([torch.zeros(2, requires_grad=True)])


@pytest.mark.parametrize("cls,kwargs", [
    (O.SGD, dict(lr=np.float32(0.1))),
    (O.Momentum, dict(lr=np.float64(0.05), beta=np.float32(0.9))),
    (O.AdaGrad, dict(lr=np.float32(0.1), eps=np.float64(1e-6))),
    (O.RMSProp, dict(lr=np.float32(0.01), gamma=np.float32(0.9), eps=np.float32(1e-6))),
    (O.AdaDelta, dict(rho=np.float32(0.9), eps=np.float64(1e-5), lr=np.int64(1))),
    (O.Adam, dict(lr=np.float32(0.01), beta1=np.float32(0.9), beta2=np.float64(0.999),
                  eps=np.float32(1e-8))),
    (O.Yogi, dict(lr=np.float32(0.05), beta1=np.float64(0.9))),
])
def test_numpy_scalars_are_hyper_parameters(cls, kwargs):
    # Stored as Python floats: the same steps as with float(value).
    with_numpy = run(lambda p: cls(p, **kwargs), steps=5)
    as_floats = run(lambda p: cls(p, **{k: float(v) for k, v in kwargs.items()}), steps=5)
    assert_same(with_numpy, as_floats, rtol=0, atol=0)
    opt = cls([torch.zeros(2, requires_grad=True)], **kwargs)
    assert all(type(opt.param_groups[0][k]) is float for k in kwargs)


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


# ------------------------------------------------ in a training loop

def test_works_with_train_classifier():
    gen = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (64, 28, 28), generator=gen, dtype=torch.uint8)
    labels = torch.randint(0, 10, (64,), generator=gen)
    loader = d2lmini.DeviceLoader(images, labels, batch_size=16, device="cpu")
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    h = d2lmini.train_classifier(net, loader, loader, 2,
                                 optimizer=O.Adam(net.parameters(), lr=0.01),
                                 device="cpu", plot=False)
    assert len(h.train_loss) == 2 and h.train_loss[1] < h.train_loss[0]
