"""Optimizers: the update rules as pure functions, and the same rules as
``torch.optim.Optimizer`` classes.

Every optimizer of the course is written once, as a small *pure function* on
tensors (``x`` parameters, ``g`` gradient, the rest state) that returns the new
parameters followed by the new state and never changes its inputs:
``sgd_update``, ``momentum_update``, ``adagrad_update``, ``rmsprop_update``,
``adadelta_update``, ``adam_update``, ``yogi_update``, ``newton_update``.

The optimizer classes call those functions, so the code a chapter shows is
the code that trains its networks: ``SGD``, ``Momentum``, ``AdaGrad``,
``RMSProp``, ``AdaDelta``, ``Adam`` and ``Yogi``, built on
:class:`RuleOptimizer`. They work with :func:`d2lmini.train_classifier` and
any PyTorch loop, support ``state_dict()`` / ``load_state_dict()``, and raise
``ValueError`` for bad hyper-parameters (NumPy scalars are welcome).

The toy problems and schedules are in :mod:`d2lmini.toys`, the loss-curve
harness in :mod:`d2lmini.curves`.
"""
import math

import torch

from .runtime import check_positive_number

__all__ = [
    "sgd_update", "momentum_update", "adagrad_update", "rmsprop_update", "adadelta_update",
    "adam_update", "yogi_update", "newton_update",
    "RuleOptimizer", "SGD", "Momentum", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "Yogi",
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


# ---------------------------------------------------------------- optimizers

class RuleOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` that applies an update rule to each parameter.

    A subclass lists its state tensors in ``state_names`` (each starts as
    zeros shaped like its parameter) and implements
    ``update(x, g, state, group, t)``: it returns the new value of the
    parameter ``x`` with gradient ``g``, and stores the new state in the dict
    ``state``. ``group`` holds the hyper-parameters (``group["lr"]``, ...),
    ``t`` counts the steps taken with this parameter: 1, 2, ...
    """
    state_names = ()

    @torch.no_grad()
    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``, if given."""
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
    r"""Minibatch stochastic gradient descent, $x \leftarrow x - \eta g$ (:func:`sgd_update`)."""

    def __init__(self, params, lr):
        super().__init__(params, dict(lr=check_positive_number("lr", lr)))

    def update(self, x, g, state, group, t):
        return sgd_update(x, g, group["lr"])


class Momentum(RuleOptimizer):
    r"""Momentum: $v \leftarrow \beta v + g$, $x \leftarrow x - \eta v$ (:func:`momentum_update`).

    The same as ``torch.optim.SGD(params, lr, momentum=beta)``.
    """
    state_names = ("v",)

    def __init__(self, params, lr, beta=0.9):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"beta must be in [0, 1), got {beta!r}")
        super().__init__(params, dict(lr=check_positive_number("lr", lr), beta=float(beta)))

    def update(self, x, g, state, group, t):
        x, state["v"] = momentum_update(x, g, state["v"], group["lr"], group["beta"])
        return x


class AdaGrad(RuleOptimizer):
    r"""AdaGrad: $s \leftarrow s + g^2$, $x \leftarrow x - \eta g / \sqrt{s + \epsilon}$
    (:func:`adagrad_update`)."""
    state_names = ("s",)

    def __init__(self, params, lr, eps=1e-6):
        if not 0.0 <= eps < math.inf:
            raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
        super().__init__(params, dict(lr=check_positive_number("lr", lr), eps=float(eps)))

    def update(self, x, g, state, group, t):
        x, state["s"] = adagrad_update(x, g, state["s"], group["lr"], group["eps"])
        return x


class RMSProp(RuleOptimizer):
    r"""RMSProp: $s \leftarrow \gamma s + (1-\gamma) g^2$,
    $x \leftarrow x - \eta g / \sqrt{s + \epsilon}$ (:func:`rmsprop_update`)."""
    state_names = ("s",)

    def __init__(self, params, lr, gamma=0.9, eps=1e-6):
        if not 0.0 <= gamma < 1.0:
            raise ValueError(f"gamma must be in [0, 1), got {gamma!r}")
        if not 0.0 <= eps < math.inf:
            raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
        super().__init__(params, dict(lr=check_positive_number("lr", lr), gamma=float(gamma),
                                      eps=float(eps)))

    def update(self, x, g, state, group, t):
        x, state["s"] = rmsprop_update(x, g, state["s"], group["lr"], group["gamma"],
                                       group["eps"])
        return x


class AdaDelta(RuleOptimizer):
    r"""AdaDelta (:func:`adadelta_update`); ``lr`` only scales the step (default 1)."""
    state_names = ("s", "delta")

    def __init__(self, params, rho=0.9, eps=1e-5, lr=1.0):
        if not 0.0 <= rho < 1.0:
            raise ValueError(f"rho must be in [0, 1), got {rho!r}")
        if not 0.0 <= eps < math.inf:
            raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
        super().__init__(params, dict(lr=check_positive_number("lr", lr), rho=float(rho),
                                      eps=float(eps)))

    def update(self, x, g, state, group, t):
        x, state["s"], state["delta"] = adadelta_update(
            x, g, state["s"], state["delta"], group["rho"], group["eps"], group["lr"])
        return x


class Adam(RuleOptimizer):
    r"""Adam with bias correction (:func:`adam_update`); the same as ``torch.optim.Adam``."""
    state_names = ("v", "s")
    rule = staticmethod(adam_update)

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        if not 0.0 <= beta1 < 1.0:
            raise ValueError(f"beta1 must be in [0, 1), got {beta1!r}")
        if not 0.0 <= beta2 < 1.0:
            raise ValueError(f"beta2 must be in [0, 1), got {beta2!r}")
        if not 0.0 <= eps < math.inf:
            raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
        super().__init__(params, dict(lr=check_positive_number("lr", lr), beta1=float(beta1),
                                      beta2=float(beta2), eps=float(eps)))

    def update(self, x, g, state, group, t):
        x, state["v"], state["s"] = self.rule(x, g, state["v"], state["s"], t, group["lr"],
                                              group["beta1"], group["beta2"], group["eps"])
        return x


class Yogi(Adam):
    r"""Yogi (:func:`yogi_update`): Adam whose second moment changes additively."""
    rule = staticmethod(yogi_update)

    def __init__(self, params, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-3):
        super().__init__(params, lr, beta1, beta2, eps)
