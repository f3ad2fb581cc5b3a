"""Optimization: update rules, optimizers, toy problems, schedules, a loss-curve harness.

Every optimizer of the course is written once, as a small *pure function* on
tensors that returns new values and never changes its inputs. The
``torch.optim.Optimizer`` classes call those functions, so the code a chapter
shows is the code that trains its networks.

Public API
----------

Update rules (pure functions; ``x`` parameters, ``g`` gradient, the rest state;
each returns the new parameters followed by the new state, as a tuple):

* ``sgd_update(x, g, lr) -> x``
* ``momentum_update(x, g, v, lr, beta=0.9) -> (x, v)``
* ``adagrad_update(x, g, s, lr, eps=1e-6) -> (x, s)``
* ``rmsprop_update(x, g, s, lr, gamma=0.9, eps=1e-6) -> (x, s)``
* ``adadelta_update(x, g, s, delta, rho=0.9, eps=1e-5, lr=1.0) -> (x, s, delta)``
* ``adam_update(x, g, v, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8) -> (x, v, s)``
  (``t`` is the 1-based number of the step, for the bias correction)
* ``yogi_update(x, g, v, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-3) -> (x, v, s)``
* ``newton_update(x, g, h, lr=1.0) -> x``: ``x - lr * g / h`` when ``h`` has the
  shape of ``x`` (1-D, or a diagonal), ``x - lr * H^{-1} g`` when ``h`` is a matrix.

Optimizers (``torch.optim.Optimizer`` subclasses built on the rules above; they
work with :func:`d2lmini.train_classifier` and any PyTorch loop, and support
``state_dict()`` / ``load_state_dict()``; bad hyper-parameters raise ``ValueError``):

* ``SGD(params, lr)``
* ``Momentum(params, lr, beta=0.9)``
* ``AdaGrad(params, lr, eps=1e-6)``
* ``RMSProp(params, lr, gamma=0.9, eps=1e-6)``
* ``AdaDelta(params, rho=0.9, eps=1e-5, lr=1.0)``
* ``Adam(params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)``
* ``Yogi(params, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-3)``

Test functions (take tensors or numbers, return tensors; differentiable):

* 1-D: ``square(x)`` = x², ``cubic(x)`` = x³, ``xcos(x, c=0.15*pi)`` = x cos(cx)
  (``xcos(x, c=math.pi)`` is x cos(πx)), ``scaled_cosh(x, c=0.5)`` = cosh(cx)
* 2-D (two arguments, so they also work on a meshgrid): ``bowl(x1, x2)`` =
  x1² + 2 x2², ``ill_conditioned_bowl(x1, x2)`` = 0.1 x1² + 2 x2²,
  ``saddle(x1, x2)`` = x1² − x2²

Toy trainers (float64 on the CPU, so their output is the same everywhere):

* ``train_1d(f, x0, num_steps, optimizer, grad=None, lr_schedule=None, noise=0.0,
  seed=0, **hyper) -> Tensor`` of shape ``(num_steps + 1,)``: the trajectory
  ``x_0, x_1, ..., x_T``.
* ``train_2d(f, x0, num_steps, optimizer, ...) -> Tensor`` of shape
  ``(num_steps + 1, 2)``; ``f(x1, x2)``, ``x0 = (x1, x2)``.

  ``optimizer`` is a learning rate (a number: plain gradient descent), an
  optimizer class such as ``Momentum`` (built as ``cls([x], **hyper)``), or a
  function of the parameter list that returns an optimizer. ``grad`` is the
  analytic gradient (``grad(x)`` or ``grad(x1, x2) -> (g1, g2)``); without it
  autograd differentiates ``f``. ``lr_schedule(t)`` sets the learning rate of
  step ``t = 0, 1, ...``. ``noise`` adds ``noise * N(0, 1)`` to each gradient
  entry, drawn from a ``torch.Generator`` seeded with ``seed``.
* ``newton_1d(f, x0, num_steps, lr=1.0) -> Tensor`` of shape ``(num_steps + 1,)``:
  Newton's method, derivatives by autograd.
* ``format_final(points) -> str``: ``'epoch 10, x: 0.060466'`` (1-D) or
  ``'epoch 20, x1: -0.057646, x2: -0.000073'`` (2-D), six decimals.

Learning-rate schedules (callables of the 0-based step ``t``, returning a float):

* ``constant_lr(lr)``: η(t) = η
* ``exponential_lr(lr0, decay)``: η(t) = η0 exp(−λ t)
* ``polynomial_lr(lr0, alpha=0.5, beta=1.0)``: η(t) = η0 (β t + 1)^(−α)
* ``piecewise_lr(boundaries, values)``: ``values[i]`` for
  ``boundaries[i-1] <= t < boundaries[i]``

Loss curves on real data:

* ``softmax_regression() -> nn.Module``: the default model of the harness.
* ``train_loss_curve(optimizer, batch_size, num_epochs=2, train_iter=None, net=None,
  label=None, evals_per_epoch=10, seed=0, device=None, cpu_threads=1, **hyper) -> LossCurve``:
  trains a fresh model on Fashion-MNIST and records the training loss (over the
  whole training set) against epochs (fractional) and against seconds of
  training (evaluation excluded).
* ``LossCurve``: a dataclass with ``label``, ``epochs``, ``seconds``, ``losses``
  (lists of floats, starting with the untrained model at 0) and ``summary()``.

Plots (in :mod:`d2lmini.plot`): ``plot_trace_1d(f, points)``,
``plot_trace_2d(f, points)`` and ``plot_loss_curves(curves)``.
"""
import contextlib
import math
import numbers
from dataclasses import dataclass, field

import torch
from torch import nn

from .train import from_factory

__all__ = [
    "sgd_update", "momentum_update", "adagrad_update", "rmsprop_update", "adadelta_update",
    "adam_update", "yogi_update", "newton_update",
    "SGD", "Momentum", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "Yogi",
    "square", "cubic", "xcos", "scaled_cosh", "bowl", "ill_conditioned_bowl", "saddle",
    "train_1d", "train_2d", "newton_1d", "format_final",
    "constant_lr", "exponential_lr", "polynomial_lr", "piecewise_lr",
    "softmax_regression", "train_loss_curve", "LossCurve",
]


# ---------------------------------------------------------------- update rules

def sgd_update(x, g, lr):
    r"""One step of (stochastic) gradient descent: $x \leftarrow x - \eta g$."""
    return x - lr * g


def momentum_update(x, g, v, lr, beta=0.9):
    r"""One step of momentum (heavy ball), in PyTorch's convention.

    $$v \leftarrow \beta v + g, \qquad x \leftarrow x - \eta v.$$

    Returns ``(x, v)``.
    """
    v = beta * v + g
    return x - lr * v, v


def adagrad_update(x, g, s, lr, eps=1e-6):
    r"""One step of AdaGrad.

    $$s \leftarrow s + g \odot g, \qquad
      x \leftarrow x - \frac{\eta}{\sqrt{s + \epsilon}} \odot g.$$

    (PyTorch's ``Adagrad`` divides by $\sqrt{s} + \epsilon$ instead.)
    Returns ``(x, s)``.
    """
    s = s + g * g
    return x - lr * g / torch.sqrt(s + eps), s


def rmsprop_update(x, g, s, lr, gamma=0.9, eps=1e-6):
    r"""One step of RMSProp.

    $$s \leftarrow \gamma s + (1 - \gamma)\, g \odot g, \qquad
      x \leftarrow x - \frac{\eta}{\sqrt{s + \epsilon}} \odot g.$$

    (PyTorch's ``RMSprop`` calls $\gamma$ ``alpha`` and divides by
    $\sqrt{s} + \epsilon$.) Returns ``(x, s)``.
    """
    s = gamma * s + (1 - gamma) * g * g
    return x - lr * g / torch.sqrt(s + eps), s


def adadelta_update(x, g, s, delta, rho=0.9, eps=1e-5, lr=1.0):
    r"""One step of AdaDelta.

    $$s \leftarrow \rho s + (1 - \rho)\, g \odot g, \qquad
      g' \leftarrow \sqrt{\frac{\Delta x + \epsilon}{s + \epsilon}} \odot g,$$
    $$x \leftarrow x - g', \qquad
      \Delta x \leftarrow \rho \Delta x + (1 - \rho)\, g' \odot g'.$$

    AdaDelta has no learning rate; ``lr`` (default 1) only scales the step
    $x \leftarrow x - \eta g'$, as PyTorch's ``Adadelta`` does.
    Returns ``(x, s, delta)``.
    """
    s = rho * s + (1 - rho) * g * g
    g_scaled = torch.sqrt((delta + eps) / (s + eps)) * g
    delta = rho * delta + (1 - rho) * g_scaled * g_scaled
    return x - lr * g_scaled, s, delta


def adam_update(x, g, v, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""Step number ``t`` (1, 2, ...) of Adam.

    $$v \leftarrow \beta_1 v + (1 - \beta_1) g, \qquad
      s \leftarrow \beta_2 s + (1 - \beta_2)\, g \odot g,$$
    $$\hat v = \frac{v}{1 - \beta_1^t}, \qquad \hat s = \frac{s}{1 - \beta_2^t}, \qquad
      x \leftarrow x - \frac{\eta \hat v}{\sqrt{\hat s} + \epsilon}.$$

    Returns ``(x, v, s)``.
    """
    v = beta1 * v + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    v_hat = v / (1 - beta1 ** t)
    s_hat = s / (1 - beta2 ** t)
    return x - lr * v_hat / (torch.sqrt(s_hat) + eps), v, s


def yogi_update(x, g, v, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-3):
    r"""Step number ``t`` (1, 2, ...) of Yogi: Adam with an additive second moment.

    $$s \leftarrow s + (1 - \beta_2)\, g \odot g \odot \operatorname{sign}(g \odot g - s),$$

    so $s$ moves towards $g^2$ by at most $(1-\beta_2) g^2$, however large $s$
    is. Everything else (momentum $v$, bias correction, step) is as in
    :func:`adam_update`. Returns ``(x, v, s)``.
    """
    v = beta1 * v + (1 - beta1) * g
    g2 = g * g
    s = s + (1 - beta2) * g2 * torch.sign(g2 - s)
    v_hat = v / (1 - beta1 ** t)
    s_hat = s / (1 - beta2 ** t)
    return x - lr * v_hat / (torch.sqrt(s_hat) + eps), v, s


def newton_update(x, g, h, lr=1.0):
    r"""One (damped) Newton step: $x \leftarrow x - \eta H^{-1} g$.

    ``h`` is either the second derivative with the shape of ``x`` (a 1-D
    problem, or a diagonal Hessian), giving $x - \eta g / h$, or the Hessian
    matrix of shape ``(n, n)`` for ``x`` of shape ``(n,)``.
    """
    x, g, h = torch.as_tensor(x), torch.as_tensor(g), torch.as_tensor(h)
    if h.shape == x.shape:
        return x - lr * g / h
    if x.dim() == 1 and h.shape == (x.numel(), x.numel()):
        return x - lr * torch.linalg.solve(h, g)
    raise ValueError(f"h must have the shape of x {tuple(x.shape)} or be an "
                     f"({x.numel()}, {x.numel()}) matrix, got shape {tuple(h.shape)}")


# ---------------------------------------------------------------- checks

def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _check_lr(lr, name="lr"):
    if not _is_number(lr) or not math.isfinite(lr) or not lr > 0:
        raise ValueError(f"{name} (learning rate) must be a positive number, got {lr!r}")


def _check_rate(value, name):
    if not _is_number(value) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")


def _check_eps(eps):
    if not _is_number(eps) or not math.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be a non-negative number, got {eps!r}")


def _check_steps(num_steps):
    if not isinstance(num_steps, int) or isinstance(num_steps, bool) or num_steps < 0:
        raise ValueError(f"num_steps must be a non-negative int, got {num_steps!r}")


# ---------------------------------------------------------------- optimizers

class _RuleOptimizer(torch.optim.Optimizer):
    """Apply an update rule to every parameter that has a gradient.

    Subclasses name their state tensors in ``state_names`` (they start at
    zero) and implement ``_update(x, g, state, group, t)``, which returns the
    new parameter values and stores the new state in ``state``. ``t`` counts
    the steps taken with this parameter, starting at 1.
    """
    state_names = ()

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise TypeError(f"{type(self).__name__} does not support sparse gradients")
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    for name in self.state_names:
                        state[name] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                p.copy_(self._update(p.detach(), p.grad, state, group, state["step"]))
        return loss

    def _update(self, x, g, state, group, t):  # pragma: no cover
        raise NotImplementedError


class SGD(_RuleOptimizer):
    r"""Minibatch stochastic gradient descent, $x \leftarrow x - \eta g$ (:func:`sgd_update`)."""

    def __init__(self, params, lr):
        _check_lr(lr)
        super().__init__(params, dict(lr=lr))

    def _update(self, x, g, state, group, t):
        return sgd_update(x, g, group["lr"])


class Momentum(_RuleOptimizer):
    r"""Momentum: $v \leftarrow \beta v + g$, $x \leftarrow x - \eta v$ (:func:`momentum_update`).

    The same as ``torch.optim.SGD(params, lr, momentum=beta)``.
    """
    state_names = ("v",)

    def __init__(self, params, lr, beta=0.9):
        _check_lr(lr)
        _check_rate(beta, "beta")
        super().__init__(params, dict(lr=lr, beta=beta))

    def _update(self, x, g, state, group, t):
        x, state["v"] = momentum_update(x, g, state["v"], group["lr"], group["beta"])
        return x


class AdaGrad(_RuleOptimizer):
    r"""AdaGrad: $s \leftarrow s + g^2$, $x \leftarrow x - \eta g / \sqrt{s + \epsilon}$
    (:func:`adagrad_update`)."""
    state_names = ("s",)

    def __init__(self, params, lr, eps=1e-6):
        _check_lr(lr)
        _check_eps(eps)
        super().__init__(params, dict(lr=lr, eps=eps))

    def _update(self, x, g, state, group, t):
        x, state["s"] = adagrad_update(x, g, state["s"], group["lr"], group["eps"])
        return x


class RMSProp(_RuleOptimizer):
    r"""RMSProp: $s \leftarrow \gamma s + (1-\gamma) g^2$,
    $x \leftarrow x - \eta g / \sqrt{s + \epsilon}$ (:func:`rmsprop_update`)."""
    state_names = ("s",)

    def __init__(self, params, lr, gamma=0.9, eps=1e-6):
        _check_lr(lr)
        _check_rate(gamma, "gamma")
        _check_eps(eps)
        super().__init__(params, dict(lr=lr, gamma=gamma, eps=eps))

    def _update(self, x, g, state, group, t):
        x, state["s"] = rmsprop_update(x, g, state["s"], group["lr"], group["gamma"],
                                       group["eps"])
        return x


class AdaDelta(_RuleOptimizer):
    r"""AdaDelta (:func:`adadelta_update`); ``lr`` only scales the step (default 1)."""
    state_names = ("s", "delta")

    def __init__(self, params, rho=0.9, eps=1e-5, lr=1.0):
        _check_rate(rho, "rho")
        _check_eps(eps)
        _check_lr(lr)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    def _update(self, x, g, state, group, t):
        x, state["s"], state["delta"] = adadelta_update(
            x, g, state["s"], state["delta"], group["rho"], group["eps"], group["lr"])
        return x


class Adam(_RuleOptimizer):
    r"""Adam with bias correction (:func:`adam_update`); the same as ``torch.optim.Adam``."""
    state_names = ("v", "s")

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        _check_lr(lr)
        _check_rate(beta1, "beta1")
        _check_rate(beta2, "beta2")
        _check_eps(eps)
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps))

    rule = staticmethod(adam_update)

    def _update(self, x, g, state, group, t):
        x, state["v"], state["s"] = self.rule(x, g, state["v"], state["s"], t, group["lr"],
                                              group["beta1"], group["beta2"], group["eps"])
        return x


class Yogi(Adam):
    r"""Yogi (:func:`yogi_update`): Adam whose second moment changes additively."""
    rule = staticmethod(yogi_update)

    def __init__(self, params, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-3):
        super().__init__(params, lr, beta1, beta2, eps)


# ---------------------------------------------------------------- test functions

def _t(x):
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(x, dtype=torch.float64)


def square(x):
    r"""$f(x) = x^2$: convex, minimum 0 at $x = 0$."""
    return _t(x) ** 2


def cubic(x):
    r"""$f(x) = x^3$: $f'(0) = f''(0) = 0$, yet 0 is no minimum."""
    return _t(x) ** 3


def xcos(x, c=0.15 * math.pi):
    r"""$f(x) = x \cos(c x)$: non-convex, with many local minima."""
    x = _t(x)
    return x * torch.cos(c * x)


def scaled_cosh(x, c=0.5):
    r"""$f(x) = \cosh(c x)$: convex, minimum 1 at $x = 0$."""
    return torch.cosh(c * _t(x))


def bowl(x1, x2):
    r"""$f(x_1, x_2) = x_1^2 + 2 x_2^2$: a convex quadratic, minimum 0 at the origin."""
    return _t(x1) ** 2 + 2 * _t(x2) ** 2


def ill_conditioned_bowl(x1, x2):
    r"""$f(x_1, x_2) = 0.1 x_1^2 + 2 x_2^2$: twenty times steeper along $x_2$ than along $x_1$."""
    return 0.1 * _t(x1) ** 2 + 2 * _t(x2) ** 2


def saddle(x1, x2):
    r"""$f(x_1, x_2) = x_1^2 - x_2^2$: a saddle point at the origin."""
    return _t(x1) ** 2 - _t(x2) ** 2


# ---------------------------------------------------------------- toy trainers

def _make_toy_optimizer(optimizer, params, hyper):
    if _is_number(optimizer):
        if hyper:
            raise TypeError(f"hyper-parameters {sorted(hyper)} need an optimizer class, "
                            f"not a learning rate")
        return SGD(params, lr=optimizer)
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return optimizer(params, **hyper)
    if callable(optimizer):
        if hyper:
            raise TypeError(f"hyper-parameters {sorted(hyper)} need an optimizer class, "
                            f"not a function")
        return from_factory(optimizer, params)
    raise TypeError("optimizer must be a learning rate, an optimizer class or a function "
                    f"of the parameters that returns an optimizer; got {type(optimizer).__name__}")


def _run_toy(f, x0, num_steps, optimizer, grad, lr_schedule, noise, seed, hyper, dim):
    _check_steps(num_steps)
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError(f"lr_schedule must be a function of the step, got {type(lr_schedule).__name__}")
    if not _is_number(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    start = torch.as_tensor(x0, dtype=torch.float64).detach().clone().reshape(-1)
    if start.numel() != dim:
        raise ValueError(f"x0 must hold {dim} number(s), got {x0!r}")
    x = start.requires_grad_(True)
    opt = _make_toy_optimizer(optimizer, [x], hyper)
    gen = torch.Generator().manual_seed(seed)
    points = [x.detach().clone()]
    for t in range(num_steps):
        if lr_schedule is not None:
            for group in opt.param_groups:
                group["lr"] = float(lr_schedule(t))
        if grad is not None:
            with torch.no_grad():
                g = grad(*x.detach())
                g = torch.stack([torch.as_tensor(gi, dtype=torch.float64)
                                 for gi in (g if dim > 1 else [g])]).reshape(-1)
        else:
            x.grad = None
            with torch.enable_grad():
                f(*x).backward()
            g = x.grad.detach().clone()
        if noise:
            g = g + noise * torch.randn(dim, generator=gen, dtype=torch.float64)
        x.grad = g
        opt.step()
        points.append(x.detach().clone())
    out = torch.stack(points)
    return out.reshape(-1) if dim == 1 else out


def train_1d(f, x0, num_steps, optimizer, grad=None, lr_schedule=None, noise=0.0, seed=0,
             **hyper):
    r"""Minimize a function of one variable; return the trajectory $x_0, \dots, x_T$.

    ``optimizer``: a learning rate (plain gradient descent,
    $x \leftarrow x - \eta f'(x)$), an optimizer class (built as
    ``cls([x], **hyper)``) or a function of the parameter list returning one.
    ``grad(x)`` is $f'(x)$ (default: autograd). ``lr_schedule(t)`` gives the
    learning rate of step ``t = 0, 1, ...``; ``noise`` adds
    ``noise * N(0, 1)`` to each gradient, drawn from a generator seeded with
    ``seed``. Computes in float64 on the CPU; returns a tensor of shape
    ``(num_steps + 1,)``.
    """
    return _run_toy(f, x0, num_steps, optimizer, grad, lr_schedule, noise, seed, hyper, 1)


def train_2d(f, x0, num_steps, optimizer, grad=None, lr_schedule=None, noise=0.0, seed=0,
             **hyper):
    r"""Minimize ``f(x1, x2)`` from ``x0 = (x1, x2)``; return the trajectory.

    Arguments as in :func:`train_1d`, with ``grad(x1, x2) -> (g1, g2)``.
    Returns a float64 tensor of shape ``(num_steps + 1, 2)``.
    """
    return _run_toy(f, x0, num_steps, optimizer, grad, lr_schedule, noise, seed, hyper, 2)


def newton_1d(f, x0, num_steps, lr=1.0):
    r"""Newton's method on a function of one variable: $x \leftarrow x - \eta f'(x) / f''(x)$.

    Both derivatives come from autograd. Returns the trajectory, a float64
    tensor of shape ``(num_steps + 1,)``.
    """
    _check_steps(num_steps)
    _check_lr(lr)
    x = torch.as_tensor(x0, dtype=torch.float64).detach().clone().reshape(())
    points = [x.clone()]
    for _ in range(num_steps):
        xr = x.clone().requires_grad_(True)
        with torch.enable_grad():
            (g,) = torch.autograd.grad(f(xr), xr, create_graph=True)
            (h,) = torch.autograd.grad(g, xr)
        x = newton_update(x, g.detach(), h.detach(), lr)
        points.append(x.clone())
    return torch.stack(points)


def _fmt(v):
    return f"{round(float(v), 6) + 0.0:.6f}"  # + 0.0 turns -0.0 into 0.0


def format_final(points):
    """The last iterate of a trajectory as ``'epoch T, x: ...'`` or ``'epoch T, x1: ..., x2: ...'``.

    ``T`` is the number of steps (one less than the number of points); values
    have six decimals.
    """
    points = torch.as_tensor(points)
    if points.dim() == 1 and len(points) > 0:
        return f"epoch {len(points) - 1}, x: {_fmt(points[-1])}"
    if points.dim() == 2 and len(points) > 0 and points.shape[1] >= 1:
        coords = ", ".join(f"x{i + 1}: {_fmt(v)}" for i, v in enumerate(points[-1]))
        return f"epoch {len(points) - 1}, {coords}"
    raise ValueError(f"expected a trajectory of shape (T+1,) or (T+1, d), got {tuple(points.shape)}")


# ---------------------------------------------------------------- schedules

def constant_lr(lr):
    r"""$\eta(t) = \eta$."""
    _check_lr(lr)
    return lambda t: lr


def exponential_lr(lr0, decay):
    r"""$\eta(t) = \eta_0 e^{-\lambda t}$, with $\lambda$ = ``decay`` $\ge 0$."""
    _check_lr(lr0, "lr0")
    if not _is_number(decay) or decay < 0:
        raise ValueError(f"decay must be a non-negative number, got {decay!r}")
    return lambda t: lr0 * math.exp(-decay * t)


def polynomial_lr(lr0, alpha=0.5, beta=1.0):
    r"""$\eta(t) = \eta_0 (\beta t + 1)^{-\alpha}$, with $\alpha, \beta \ge 0$."""
    _check_lr(lr0, "lr0")
    for name, v in (("alpha", alpha), ("beta", beta)):
        if not _is_number(v) or v < 0:
            raise ValueError(f"{name} must be a non-negative number, got {v!r}")
    return lambda t: lr0 * (beta * t + 1) ** (-alpha)


def piecewise_lr(boundaries, values):
    r"""$\eta(t) = \eta_i$ for $t_{i-1} \le t < t_i$: ``values[i]`` between the boundaries.

    ``boundaries`` are increasing steps; ``values`` has one more entry.
    """
    boundaries, values = list(boundaries), list(values)
    if len(values) != len(boundaries) + 1:
        raise ValueError(f"piecewise_lr needs one more value than boundaries, got "
                         f"{len(values)} values for {len(boundaries)} boundaries")
    if any(not _is_number(b) for b in boundaries) or any(
            b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
        raise ValueError(f"boundaries must be increasing numbers, got {boundaries!r}")
    for v in values:
        _check_lr(v, "each value")

    def schedule(t):
        for b, v in zip(boundaries, values):
            if t < b:
                return v
        return values[-1]
    return schedule


# ---------------------------------------------------------------- loss curves

@dataclass
class LossCurve:
    """Training loss of one run, against epochs and against seconds of training."""
    label: str
    epochs: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    losses: list = field(default_factory=list)

    def summary(self):
        return (f"{self.label}: loss {self.losses[-1]:.3f} after {self.epochs[-1]:g} epochs, "
                f"{self.seconds[-1]:.2f} s")


def softmax_regression():
    """Softmax regression on 28x28 images: flatten, then one linear layer to 10 scores."""
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))


@contextlib.contextmanager
def _cpu_threads(n):
    """Let PyTorch use ``n`` CPU threads inside the block (``None``: change nothing)."""
    if n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@torch.no_grad()
def _dataset_loss(net, data, loss_fn, chunk=4096):
    """Mean loss of ``net`` over every example held by the DeviceLoader ``data``."""
    was_training = net.training
    net.eval()
    total = torch.zeros((), device=data.device)
    for start in range(0, data.num_examples, chunk):
        X = data.transform(data.images[start:start + chunk])
        y = data.labels[start:start + chunk]
        total += loss_fn(net(X), y) * len(y)
    net.train(was_training)
    return total.item() / data.num_examples


def train_loss_curve(optimizer, batch_size, num_epochs=2, train_iter=None, net=None, label=None,
                     evals_per_epoch=10, seed=0, device=None, cpu_threads=1, **hyper):
    r"""Train a fresh model on Fashion-MNIST; record its training loss as it goes.

    Args:
        optimizer: a learning rate (minibatch SGD), an optimizer class (built
            as ``cls(params, **hyper)``) or a function of the parameters that
            returns an optimizer.
        batch_size: examples per minibatch; the size of the training set gives
            gradient descent, 1 gives stochastic gradient descent.
        num_epochs: passes over the training data (at most ``QUICK_EPOCHS``
            in quick mode, which is then said in one line of output).
        train_iter: an iterator from :func:`d2lmini.load_fashion_mnist` whose
            images are reused (re-batched with ``batch_size``); default: load
            the data (the quick-mode subset in quick mode).
        net: a function that returns a new ``nn.Module`` (default
            :func:`softmax_regression`), built after seeding with ``seed`` so
            that every run starts from the same weights.
        evals_per_epoch: how often per epoch the loss over the whole training
            set is measured (at most once per minibatch).
        cpu_threads: PyTorch threads while training on the CPU (``None``: leave
            the setting alone). One by default: the matrices of a small model
            are too small to gain from more, and on a busy machine threads that
            wait for each other can slow tiny operations down many times,
            which would distort the comparison of batch sizes.

    The clock runs only while training (measuring the loss is not timed).
    Returns a :class:`LossCurve`, starting at epoch 0 with the untrained model.
    """
    from .data import DeviceLoader, load_fashion_mnist
    from .runtime import cap_epochs, check_positive_int, is_positive_int, say_once
    from .train import Timer

    for name, value in (("batch_size", batch_size), ("num_epochs", num_epochs),
                        ("evals_per_epoch", evals_per_epoch)):
        check_positive_int(name, value)
    if cpu_threads is not None and not is_positive_int(cpu_threads):
        raise ValueError(f"cpu_threads must be a positive int or None, got {cpu_threads!r}")
    num_epochs = cap_epochs(num_epochs, announce=say_once)
    if train_iter is None:
        train_iter, _ = load_fashion_mnist(batch_size, device=device)
    if not isinstance(train_iter, DeviceLoader):
        raise TypeError(f"train_iter must be a DeviceLoader from load_fashion_mnist, "
                        f"got {type(train_iter).__name__}")
    device = torch.device(device) if device is not None else train_iter.device
    torch.manual_seed(seed)
    data = DeviceLoader(train_iter.images, train_iter.labels, batch_size, shuffle=True,
                        resize=train_iter.resize, device=device)
    model = (net or softmax_regression)().to(device)
    opt = _make_toy_optimizer(optimizer, model.parameters(), hyper)
    loss_fn = nn.CrossEntropyLoss()
    num_batches = len(data)
    # the minibatches after which the loss is measured, evenly spread over an epoch
    marks = {max(1, round(k * num_batches / evals_per_epoch))
             for k in range(1, evals_per_epoch + 1)}
    curve = LossCurve(label or f"batch size {batch_size}")
    with _cpu_threads(cpu_threads if device.type == "cpu" else None):
        curve.epochs.append(0.0)
        curve.seconds.append(0.0)
        curve.losses.append(_dataset_loss(model, data, loss_fn))
        timer = Timer()
        for epoch in range(num_epochs):
            timer.start()
            for i, (X, y) in enumerate(data, start=1):
                l = loss_fn(model(X), y)
                opt.zero_grad(set_to_none=True)
                l.backward()
                opt.step()
                if i in marks:  # stop the clock, measure, restart the clock
                    if device.type == "cuda":
                        torch.cuda.synchronize(device)
                    curve.seconds.append(curve.seconds[-1] + timer.stop())
                    curve.epochs.append(epoch + i / num_batches)
                    curve.losses.append(_dataset_loss(model, data, loss_fn))
                    if not math.isfinite(curve.losses[-1]):
                        raise FloatingPointError(
                            f"{curve.label}: the loss became {curve.losses[-1]} in epoch "
                            f"{epoch + 1}: the learning rate is probably too large")
                    timer.start()
    return curve
