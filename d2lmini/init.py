"""Weight initialization for deep ReLU networks (He et al., 2015)."""
from torch import nn

__all__ = ["init_he"]


def init_he(module):
    """He init of Conv2d and Linear layers: Var[w] = 2 / fan_in, zero biases."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)
