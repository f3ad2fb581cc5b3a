"""Seeding every random number generator a run uses, so that it repeats."""
import random

import numpy as np
import torch

from .checks import is_int

__all__ = ["seed_everything"]


def seed_everything(seed=0):
    """Seed Python's, NumPy's and PyTorch's random number generators.

    With the same seed, a run on the CPU repeats bit for bit (the same initial
    weights, the same shuffling, the same losses) on the same kind of CPU
    with the same number of PyTorch threads and the same PyTorch build: the
    instruction set ATen picks (``ATEN_CPU_CAPABILITY``: default, avx2,
    avx512) and the way a sum is split among threads change the rounding.
    Returns the seed.
    """
    if not is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed
