"""Toy problems for watching optimizers: test functions, trajectories, schedules.

Test functions (take tensors or numbers, return tensors; differentiable):

* 1-D: ``square(x)`` = x², ``cubic(x)`` = x³, ``xcos(x, c=0.15*pi)`` = x cos(cx),
  ``scaled_cosh(x, c=0.5)`` = cosh(cx)
* 2-D (two arguments, so they also work on a meshgrid): ``bowl(x1, x2)`` =
  x1² + 2 x2², ``ill_conditioned_bowl(x1, x2)`` = 0.1 x1² + 2 x2²,
  ``saddle(x1, x2)`` = x1² − x2²

Trajectories (float64 on the CPU, so they are the same everywhere). The
optimizer is given as a class and its hyper-parameters as keywords, e.g.
``train_1d(square, 10.0, 10, d2lmini.SGD, lr=0.2)``, which builds
``d2lmini.SGD([x], lr=0.2)``; PyTorch's ``torch.optim`` classes work too.

* ``train_toy(f, x0, num_steps, optimizer, ..., **hyper)``: the loop, shape
  ``(num_steps + 1, d)``; ``grad`` is the analytic gradient
  ``grad(x_1, ..., x_d)`` (default: autograd), ``lr_schedule(t)`` the
  learning rate of step ``t = 0, 1, ...``, and ``noise`` the standard
  deviation of Gaussian noise added to each gradient entry, drawn from a
  generator seeded with ``seed``;
* ``train_1d(...)`` / ``train_2d(...)``: the same for one / two variables,
  shapes ``(num_steps + 1,)`` and ``(num_steps + 1, 2)``; they check the
  arguments, and each learning rate a schedule returns, for the loop;
* ``newton_1d(f, x0, num_steps, lr=1.0)``: Newton's method, both derivatives
  from autograd;
* ``format_final(points)``: ``'epoch 10, x: 0.060466'``, six decimals.

Learning-rate schedules (functions of the 0-based step ``t``, returning a float):
``constant_lr(lr)``, ``exponential_lr(lr0, decay)``,
``polynomial_lr(lr0, alpha=0.5, beta=1.0)``, ``piecewise_lr(boundaries, values)``.
"""
import bisect
import math

import torch

from .checks import check_number, check_positive_number, is_int
from .optim import check_optimizer_class, newton_update

__all__ = [
    "square", "cubic", "xcos", "scaled_cosh", "bowl", "ill_conditioned_bowl", "saddle",
    "train_toy", "train_1d", "train_2d", "newton_1d", "format_final",
    "constant_lr", "exponential_lr", "polynomial_lr", "piecewise_lr",
]


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


# ---------------------------------------------------------------- trajectories

def train_toy(f, x0, num_steps, optimizer, grad=None, lr_schedule=None,
              noise=0.0, seed=0, **hyper):
    """Minimize ``f(x_1, ..., x_d)`` from ``x0``; return x_0, x_1, ..., x_T."""
    x = torch.as_tensor(x0, dtype=torch.float64).detach().clone()
    x = x.reshape(-1).requires_grad_(True)  # (d,)
    opt = optimizer([x], **hyper)
    gen = torch.Generator().manual_seed(seed)
    points = [x.detach().clone()]
    for t in range(num_steps):
        if lr_schedule is not None:  # the learning rate of step t
            for group in opt.param_groups:
                group["lr"] = lr_schedule(t)
        if grad is None:
            (g,) = torch.autograd.grad(f(*x), x)  # autograd
        else:
            g = torch.as_tensor(grad(*x.detach()), dtype=x.dtype)
            g = g.reshape(x.shape)
        if noise:  # a noisy gradient, as SGD sees it
            g = g + noise * torch.randn(x.shape, generator=gen, dtype=x.dtype)
        x.grad = g
        opt.step()
        points.append(x.detach().clone())
    return torch.stack(points)  # (num_steps + 1, d)


def _check_toy(x0, num_steps, dim, noise=0.0, optimizer=None, lr=None):
    """The checks of :func:`train_1d`, :func:`train_2d` and :func:`newton_1d`."""
    if not (is_int(num_steps) and num_steps >= 0):
        raise ValueError(f"num_steps must be an int >= 0, got {num_steps!r}")
    check_number("noise", noise, 0, math.inf)
    if torch.as_tensor(x0).numel() != dim:
        raise ValueError(f"x0 must hold {dim} number(s), got {x0!r}")
    if optimizer is not None:
        check_optimizer_class(optimizer)
    if lr is not None:
        check_positive_number("lr", lr)


def _checked(lr_schedule):
    """``lr_schedule`` (or None), each of its values checked: a finite number > 0."""
    if lr_schedule is None:
        return None
    if not callable(lr_schedule):
        raise TypeError(f"lr_schedule must be a function of the step t, got {lr_schedule!r}")
    return lambda t: check_positive_number(f"lr_schedule({t})", lr_schedule(t))


def train_1d(f, x0, num_steps, optimizer, grad=None, lr_schedule=None, noise=0.0, seed=0,
             **hyper):
    """Minimize a function of one variable with ``optimizer([x], **hyper)``;
    return the trajectory, a float64 tensor of shape ``(num_steps + 1,)``.

    ``grad(x)`` is f'(x) (default: autograd); the other arguments are as in
    :func:`train_toy`.
    """
    _check_toy(x0, num_steps, 1, noise, optimizer)
    return train_toy(f, x0, int(num_steps), optimizer, grad, _checked(lr_schedule),
                     float(noise), seed, **hyper).reshape(-1)


def train_2d(f, x0, num_steps, optimizer, grad=None, lr_schedule=None, noise=0.0, seed=0,
             **hyper):
    """Minimize ``f(x1, x2)`` from ``x0 = (x1, x2)`` with ``optimizer([x], **hyper)``;
    return the trajectory, a float64 tensor of shape ``(num_steps + 1, 2)``.

    Arguments as in :func:`train_1d`, with ``grad(x1, x2) -> (g1, g2)``.
    """
    _check_toy(x0, num_steps, 2, noise, optimizer)
    return train_toy(f, x0, int(num_steps), optimizer, grad, _checked(lr_schedule),
                     float(noise), seed, **hyper)


def newton_1d(f, x0, num_steps, lr=1.0):
    """Newton's method on a function of one variable; return the points."""
    _check_toy(x0, num_steps, 1, lr=lr)
    x = torch.as_tensor(x0, dtype=torch.float64).detach().clone().reshape(())
    points = [x]
    for _ in range(num_steps):
        xr = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(xr), xr, create_graph=True)  # f'(x)
        (h,) = torch.autograd.grad(g, xr)                          # f''(x)
        x = newton_update(x, g.detach(), h, lr)
        points.append(x)
    return torch.stack(points)  # (num_steps + 1,)


def _fmt(v):
    return f"{round(float(v), 6) + 0.0:.6f}"  # + 0.0 turns -0.0 into 0.0


def format_final(points):
    """The last iterate of a trajectory: ``'epoch T, x: ...'`` or ``'epoch T, x1: ..., x2: ...'``.

    ``T`` is the number of steps (one less than the number of points); values
    have six decimals.
    """
    points = torch.as_tensor(points)
    if points.dim() == 1 and len(points) > 0:
        return f"epoch {len(points) - 1}, x: {_fmt(points[-1])}"
    if points.dim() == 2 and len(points) > 0 and points.shape[1] >= 1:
        coords = ", ".join(f"x{i + 1}: {_fmt(v)}" for i, v in enumerate(points[-1]))
        return f"epoch {len(points) - 1}, {coords}"
    raise ValueError("expected a trajectory of shape (T+1,) or (T+1, d), "
                     f"got {tuple(points.shape)}")


# ---------------------------------------------------------------- schedules

def constant_lr(lr):
    r"""$\eta(t) = \eta$."""
    lr = check_positive_number("lr", lr)
    return lambda t: lr


def _check_decay(lr0, **rates):
    """The checks of a decaying schedule: ``lr0`` finite and > 0, each rate
    finite and >= 0; returns them as floats."""
    return (check_positive_number("lr0", lr0),
            *(check_number(name, rate, 0, math.inf) for name, rate in rates.items()))


def exponential_lr(lr0, decay):
    """Exponential decay: the rate ``lr0 * exp(-decay * t)`` at step t."""
    lr0, decay = _check_decay(lr0, decay=decay)
    return lambda t: lr0 * math.exp(-decay * t)


def polynomial_lr(lr0, alpha=0.5, beta=1.0):
    """Polynomial decay: the rate ``lr0 * (beta*t + 1) ** -alpha`` at step t."""
    lr0, alpha, beta = _check_decay(lr0, alpha=alpha, beta=beta)
    return lambda t: lr0 * (beta * t + 1) ** (-alpha)


def piecewise_lr(boundaries, values):
    r"""$\eta(t) = \eta_i$ for $t_{i-1} \le t < t_i$: ``values[i]`` between the boundaries.

    ``boundaries`` are increasing steps; ``values`` has one more entry.
    """
    boundaries = list(boundaries)
    values = [check_positive_number("each value", v) for v in values]
    if len(values) != len(boundaries) + 1:
        raise ValueError(f"piecewise_lr needs one more value than boundaries, got "
                         f"{len(values)} values for {len(boundaries)} boundaries")
    if any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
        raise ValueError(f"boundaries must be increasing, got {boundaries!r}")
    return lambda t: values[bisect.bisect_right(boundaries, t)]
