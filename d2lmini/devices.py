"""Where tensors live: the GPU when there is one, else the CPU."""
import torch

from .checks import is_int

__all__ = ["cpu", "try_gpu"]


def cpu():
    """The CPU device."""
    return torch.device("cpu")


def try_gpu(i=0):
    """Return GPU ``cuda:i`` if it exists, otherwise the CPU."""
    if not is_int(i) or i < 0:
        raise ValueError(f"GPU index must be a non-negative int, got {i!r}")
    if torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")
