"""bfloat16 on the CPU, for the large networks' full-mode runs.

A CPU with bfloat16 instructions (AVX-512 BF16 or AMX) multiplies bfloat16
numbers about twice as fast as float32 ones; a CPU without them only
emulates bfloat16, slowly. Quick mode and the checked cells stay in float32,
so that their outputs are the same on every CPU.
"""
import torch
from torch import nn

from .mode import is_quick

__all__ = ["cpu_has_bf16", "BFloat16OnCPU", "bf16_on_cpu", "precision_used"]

_ran_bf16 = False  # whether a BFloat16OnCPU net has computed in this process


def cpu_has_bf16():
    """True if this CPU has bfloat16 instructions, as the CPU itself reports
    them (through PyTorch's cpuinfo): AVX-512 BF16 or AMX."""
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


class BFloat16OnCPU(nn.Module):
    """``net`` with its forward pass in bfloat16 where the input is on the CPU.

    Autocast keeps the weights in float32 and rounds them to bfloat16 for each
    product; the scores come back in float32, so the loss and its gradient
    start in float32. The weights are stored channels-last, the layout the
    CPU's bfloat16 convolutions run fastest in.
    """

    def __init__(self, net):
        super().__init__()
        self.net = net.to(memory_format=torch.channels_last)

    def forward(self, X):
        global _ran_bf16
        on_cpu = X.device.type == "cpu"
        _ran_bf16 = _ran_bf16 or on_cpu
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=on_cpu):
            return self.net(X).float()


def bf16_on_cpu(net):
    """``net`` wrapped in :class:`BFloat16OnCPU` for a full-mode run on a CPU
    with bfloat16 instructions; ``net`` itself otherwise (float32)."""
    if is_quick() or not cpu_has_bf16():
        return net
    return BFloat16OnCPU(net)


def precision_used():
    """``"bfloat16"`` if a :class:`BFloat16OnCPU` net computed in this process
    (on the CPU), else ``"float32"``; the notebook tooling records it."""
    return "bfloat16" if _ran_bf16 else "float32"
