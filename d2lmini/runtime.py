"""Where and how the course runs: the device, the random seed, quick or full mode.

Every chapter runs in one of two modes, chosen by the environment variable
``D2LMINI_MODE``:

* ``full``: the whole dataset and every epoch the chapter asks for. This is
  what the website shows. It is the default where a CUDA GPU is present.
* ``quick``: a small fixed subset of the data and at most a couple of epochs,
  so that a chapter finishes in about a minute on a laptop CPU. It is the
  default everywhere else.

Both modes run the same code; quick mode only changes sizes.
"""
import os
import random

import numpy as np
import torch

__all__ = [
    "MODES", "QUICK_EPOCHS", "get_mode", "is_quick", "try_gpu", "cpu",
    "seed_everything", "say_once", "is_positive_int", "check_positive_int", "cap_epochs",
]

MODES = ("full", "quick")
#: Quick mode trains for at most this many epochs.
QUICK_EPOCHS = 2


def get_mode():
    """Return ``'full'`` or ``'quick'``.

    Reads ``D2LMINI_MODE`` every time it is called, so a notebook can switch
    mode by setting ``os.environ['D2LMINI_MODE']``. Unset or empty means full
    where CUDA is available and quick otherwise.
    """
    value = os.environ.get("D2LMINI_MODE", "").strip().lower()
    if not value:
        return "full" if torch.cuda.is_available() else "quick"
    if value not in MODES:
        raise ValueError(
            f"D2LMINI_MODE must be one of {', '.join(MODES)} (or unset), "
            f"got {os.environ['D2LMINI_MODE']!r}")
    return value


def is_quick():
    """True when the course runs in quick mode (see :func:`get_mode`)."""
    return get_mode() == "quick"


def cpu():
    """The CPU device."""
    return torch.device("cpu")


def try_gpu(i=0):
    """Return GPU ``cuda:i`` if it exists, otherwise the CPU."""
    if not isinstance(i, int) or isinstance(i, bool) or i < 0:
        raise ValueError(f"GPU index must be a non-negative int, got {i!r}")
    if torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def seed_everything(seed=0):
    """Seed Python's, NumPy's and PyTorch's random number generators.

    With the same seed, a quick-mode run on the CPU repeats bit for bit:
    the same initial weights, the same shuffling, the same losses.
    Returns the seed.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed


_said = set()


def say_once(message):
    """Print ``message`` the first time it is asked for in this process only.

    For notices that would otherwise repeat in every run of a loop (such as
    quick mode shortening each of several training runs in one cell).
    """
    if message not in _said:
        _said.add(message)
        print(message)


def is_positive_int(value):
    """True for a positive ``int`` (``True`` and ``False`` do not count)."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_positive_int(name, value):
    """Raise ``ValueError`` unless ``value`` is a positive int."""
    if not is_positive_int(value):
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def cap_epochs(num_epochs, announce=print):
    """The number of epochs to train: at most ``QUICK_EPOCHS`` in quick mode.

    When it shortens a run it says so, with ``announce`` (``print``, or
    :func:`say_once` for notices that would repeat).
    """
    if is_quick() and num_epochs > QUICK_EPOCHS:
        announce(f"quick mode: training for {QUICK_EPOCHS} of {num_epochs} epochs "
                 f"(D2LMINI_MODE=full for all)")
        return QUICK_EPOCHS
    return num_epochs
