"""Optimizers: the update rules as pure functions, and the same rules as
``torch.optim.Optimizer`` classes.

Every optimizer of the course is written once, as a small *pure function* on
tensors (``x`` parameters, ``g`` gradient, the rest state) that returns the new
parameters followed by the new state and never changes its inputs:
``sgd_update``, ``momentum_update``, ``adagrad_update``, ``rmsprop_update``,
``adadelta_update``, ``adam_update``, ``yogi_update``, ``newton_update``.
The formulas are in the chapters that show them.

The optimizer classes call those functions, so the code a chapter shows is
the code that trains its networks: ``SGD``, ``Momentum``, ``AdaGrad``,
``RMSProp``, ``AdaDelta``, ``Adam`` and ``Yogi``, built on
:class:`RuleOptimizer`. They work with any PyTorch loop, support
``state_dict()`` / ``load_state_dict()``, and check their hyper-parameters
once, in :class:`RuleOptimizer`'s constructor, against :data:`HYPER_RANGES`
(``ValueError`` for a value out of range; NumPy scalars are welcome).

The toy problems and schedules are in :mod:`d2lmini.toys`, the loss-curve
harness in :mod:`d2lmini.curves`.
"""
import functools
import math
import numbers

import torch

from .checks import check_number, check_positive_number, check_shape

__all__ = [
    "sgd_update", "momentum_update", "adagrad_update", "rmsprop_update", "adadelta_update",
    "adam_update", "yogi_update", "newton_update",
    "HYPER_RANGES", "check_optimizer_class", "RuleOptimizer", "SGD", "Momentum", "AdaGrad",
    "RMSProp", "AdaDelta", "Adam", "Yogi",
]


# ---------------------------------------------------------------- update rules

def sgd_update(x, g, lr):
    """One step of (stochastic) gradient descent."""
    return x - lr * g


def momentum_update(x, g, v, lr, beta=0.9):
    """One step of momentum, in PyTorch's form; returns ``(x, v)``."""
    v = beta * v + g
    return x - lr * v, v


def adagrad_update(x, g, s, lr, eps=1e-6):
    """One step of AdaGrad; returns ``(x, s)``."""
    s = s + g * g
    return x - lr * g / torch.sqrt(s + eps), s


def rmsprop_update(x, g, s, lr, gamma=0.9, eps=1e-6):
    """One step of RMSProp; returns ``(x, s)``."""
    s = gamma * s + (1 - gamma) * g * g
    return x - lr * g / torch.sqrt(s + eps), s


def adadelta_update(x, g, s, delta, rho=0.9, eps=1e-5, lr=1.0):
    """One step of AdaDelta; returns ``(x, s, delta)``."""
    s = rho * s + (1 - rho) * g * g
    g_scaled = torch.sqrt((delta + eps) / (s + eps)) * g
    delta = rho * delta + (1 - rho) * g_scaled * g_scaled
    return x - lr * g_scaled, s, delta


def adam_update(x, g, v, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Step number ``t`` (1, 2, ...) of Adam; returns ``(x, v, s)``."""
    v = beta1 * v + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    v_hat = v / (1 - beta1 ** t)
    s_hat = s / (1 - beta2 ** t)
    return x - lr * v_hat / (torch.sqrt(s_hat) + eps), v, s


def yogi_update(x, g, v, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-3):
    """Step number ``t`` (1, 2, ...) of Yogi; returns ``(x, v, s)``."""
    v = beta1 * v + (1 - beta1) * g
    g2 = g * g
    s = s + (1 - beta2) * g2 * torch.sign(g2 - s)
    v_hat = v / (1 - beta1 ** t)
    s_hat = s / (1 - beta2 ** t)
    return x - lr * v_hat / (torch.sqrt(s_hat) + eps), v, s


def newton_update(x, g, h, lr=1.0):
    """One damped Newton step; ``h`` is f'' shaped like ``x``, or a Hessian."""
    x, g, h = torch.as_tensor(x), torch.as_tensor(g), torch.as_tensor(h)
    if h.shape == x.shape:  # one variable, or a diagonal Hessian
        return x - lr * g / h
    check_shape("h, the Hessian,", h, (x.numel(), x.numel()))  # x, g: (n,)
    return x - lr * torch.linalg.solve(h, g)


# ---------------------------------------------------------------- optimizers

_unit = functools.partial(check_number, low=0, high=1)  # [0, 1)

#: The valid values of each hyper-parameter, by name: a function
#: ``check(name, value)`` that returns the value as a float or raises
#: ``ValueError``. :class:`RuleOptimizer` checks the hyper-parameters it is
#: given against it (names not listed here pass unchecked).
HYPER_RANGES = {
    "lr": check_positive_number,                                    # finite, > 0
    "eps": functools.partial(check_number, low=0, high=math.inf),   # finite, >= 0
    "beta": _unit, "beta1": _unit, "beta2": _unit, "gamma": _unit, "rho": _unit,
}


def check_hyper_parameters(hyper):
    """``hyper`` with each value checked against :data:`HYPER_RANGES` (as floats)."""
    return {name: HYPER_RANGES[name](name, value) if name in HYPER_RANGES else value
            for name, value in hyper.items()}


def check_optimizer_class(optimizer):
    """``TypeError`` unless ``optimizer`` is a ``torch.optim.Optimizer`` class (the
    form in which the toy trainers and :func:`d2lmini.train_loss_curve` take it)."""
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return
    if isinstance(optimizer, type):
        given = f"the class {optimizer.__name__}, which is not a torch.optim.Optimizer"
    elif isinstance(optimizer, torch.optim.Optimizer):
        given = f"an optimizer already built, {type(optimizer).__name__}(...)"
    elif isinstance(optimizer, numbers.Real) and not isinstance(optimizer, bool):
        given = (f"the number {optimizer!r} (gradient descent with that learning rate is "
                 f"d2lmini.SGD, lr={optimizer!r})")
    elif callable(optimizer):
        given = f"the function {getattr(optimizer, '__name__', repr(optimizer))}"
    else:
        given = repr(optimizer)
    raise TypeError("optimizer must be an optimizer class, such as d2lmini.SGD or "
                    "torch.optim.Adam, with its hyper-parameters as keywords "
                    f"(d2lmini.SGD, lr=0.1); got {given}")


class RuleOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` that applies an update rule to each parameter.

    A subclass lists its state tensors in ``state_names`` (each starts as
    zeros shaped like its parameter) and implements
    ``update(x, g, state, group, t)``: it returns the new value of the
    parameter ``x`` with gradient ``g``, and stores the new state in the dict
    ``state``. ``group`` holds the hyper-parameters (``group["lr"]``, ...),
    ``t`` counts the steps taken with this parameter: 1, 2, ...
    The constructor checks the hyper-parameters once (:data:`HYPER_RANGES`).
    """
    state_names = ()

    def __init__(self, params, defaults):
        super().__init__(params, check_hyper_parameters(defaults))

    @torch.no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:  # the first step: the state starts at zero
                    state["step"] = 0
                    for name in self.state_names:
                        state[name] = torch.zeros_like(p)
                state["step"] += 1
                p.copy_(self.update(p, p.grad, state, group, state["step"]))
        return loss

    def update(self, x, g, state, group, t):  # pragma: no cover
        """The new value of the parameter ``x``; see the class docstring."""
        raise NotImplementedError


class SGD(RuleOptimizer):
    """Minibatch stochastic gradient descent (:func:`sgd_update`)."""

    def __init__(self, params, lr):
        super().__init__(params, dict(lr=lr))

    def update(self, x, g, state, group, t):
        return sgd_update(x, g, group["lr"])


class Momentum(RuleOptimizer):
    """Momentum (:func:`momentum_update`), as ``torch.optim.SGD``'s."""
    state_names = ("v",)

    def __init__(self, params, lr, beta=0.9):
        super().__init__(params, dict(lr=lr, beta=beta))

    def update(self, x, g, state, group, t):
        x, state["v"] = momentum_update(x, g, state["v"], group["lr"],
                                        group["beta"])
        return x


class AdaGrad(RuleOptimizer):
    """AdaGrad (:func:`adagrad_update`)."""
    state_names = ("s",)

    def __init__(self, params, lr, eps=1e-6):
        super().__init__(params, dict(lr=lr, eps=eps))

    def update(self, x, g, state, group, t):
        x, state["s"] = adagrad_update(x, g, state["s"], group["lr"],
                                       group["eps"])
        return x


class RMSProp(RuleOptimizer):
    """RMSProp (:func:`rmsprop_update`)."""
    state_names = ("s",)

    def __init__(self, params, lr, gamma=0.9, eps=1e-6):
        super().__init__(params, dict(lr=lr, gamma=gamma, eps=eps))

    def update(self, x, g, state, group, t):
        x, state["s"] = rmsprop_update(x, g, state["s"], group["lr"],
                                       group["gamma"], group["eps"])
        return x


class AdaDelta(RuleOptimizer):
    """AdaDelta (:func:`adadelta_update`); ``lr`` only scales the step."""
    state_names = ("s", "delta")

    def __init__(self, params, rho=0.9, eps=1e-5, lr=1.0):
        super().__init__(params, dict(rho=rho, eps=eps, lr=lr))

    def update(self, x, g, state, group, t):
        x, state["s"], state["delta"] = adadelta_update(
            x, g, state["s"], state["delta"], group["rho"], group["eps"],
            group["lr"])
        return x


class Adam(RuleOptimizer):
    """Adam (:func:`adam_update`), as ``torch.optim.Adam``."""
    state_names = ("v", "s")
    rule = staticmethod(adam_update)

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps))

    def update(self, x, g, state, group, t):
        x, state["v"], state["s"] = self.rule(
            x, g, state["v"], state["s"], t, group["lr"], group["beta1"],
            group["beta2"], group["eps"])
        return x


class Yogi(Adam):
    """Yogi (:func:`yogi_update`): Adam with an additive second moment."""
    rule = staticmethod(yogi_update)

    def __init__(self, params, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-3):
        super().__init__(params, lr, beta1, beta2, eps)
