"""Weight initialization for deep ReLU networks (He et al., 2015)."""
from torch import nn

__all__ = ["init_he"]


def init_he(module):
    """He initialization of a conv or linear layer that feeds a ReLU; use it
    as ``net.apply(d2lmini.init_he)``.

    A layer with ``n`` inputs per output (``fan_in``: ``c_in * k * k`` for a
    convolution) computes ``y = sum_i w_i x_i``, so with independent, centred
    weights ``Var[y] = n Var[w] E[x^2]``. If ``x`` is the ReLU of a symmetric
    pre-activation of variance ``v``, then ``E[x^2] = v / 2``. Weights with
    ``Var[w] = 2 / n`` therefore keep ``Var[y] = v`` from layer to layer:
    here they are drawn from ``U(-a, a)`` with ``a = sqrt(6 / n)``, whose
    variance is ``a^2 / 3 = 2 / n``. Biases start at zero.
    """
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)
