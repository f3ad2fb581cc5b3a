"""Where and how the course runs: the device, the random seed, quick or full mode.

Every chapter runs in one of two modes, chosen by the environment variable
``D2LMINI_MODE``:

* ``full``: the whole dataset and every epoch the chapter asks for. It is
  the default where a CUDA GPU is present. The website shows a recorded
  full-mode run wherever one exists; the note at the top of each page says
  which run it shows.
* ``quick``: a small fixed subset of the data, a few epochs and, where a
  network allows, smaller images, so that a chapter finishes in under two
  minutes on a laptop CPU. It is the default everywhere else.

Both modes run the same code; quick mode only changes sizes.
"""
import math
import numbers
import os
import random
import warnings

import numpy as np
import torch

__all__ = [
    "MODES", "QUICK_EPOCHS", "Sizes", "SIZES", "set_sizes", "shrink", "get_mode", "is_quick", "try_gpu", "cpu",
    "seed_everything", "say_once", "is_positive_int", "check_positive_int",
    "is_positive_number", "check_positive_number", "cap_epochs", "warn_if_slow",
    "note_image_size", "run_record",
]

MODES = ("full", "quick")
#: Quick mode trains for at most this many epochs, unless a chapter sets
#: another number with :func:`set_sizes`.
QUICK_EPOCHS = 2


class Sizes:
    """How the chapter that runs shrinks where its full run does not fit.

    * ``quick_per_class``: quick mode trains on the first this-many images of
      each class (and tests on the first ``quick_test_per_class``);
    * ``quick_epochs``: quick mode trains for at most this many epochs;
    * ``quick_size``: quick mode enlarges images to at most this many pixels
      a side;
    * ``cpu_size``: full mode on a CPU enlarges images to at most this many
      pixels a side (``None``: the size the chapter asks for). A network of
      the chapter's own size, 96x96 say, takes hours to train on a CPU.
    """

    def __init__(self):
        self.quick_per_class, self.quick_test_per_class = 300, 100
        self.quick_epochs, self.quick_size, self.cpu_size = QUICK_EPOCHS, 48, None

    def __repr__(self):
        return "Sizes(" + ", ".join(f"{k}={v}" for k, v in vars(self).items()) + ")"


#: The sizes in force in this process (see :func:`set_sizes`).
SIZES = Sizes()


def set_sizes(quick_per_class=None, quick_test_per_class=None, quick_epochs=None,
              quick_size=None, cpu_size=None):
    """Set how this chapter shrinks where its full run does not fit (see
    :class:`Sizes`); arguments left out keep their values. Quick mode changes
    only these sizes, never what the code does. Returns :data:`SIZES`."""
    for name, value in (("quick_per_class", quick_per_class),
                        ("quick_test_per_class", quick_test_per_class),
                        ("quick_epochs", quick_epochs), ("quick_size", quick_size),
                        ("cpu_size", cpu_size)):
        if value is not None:
            setattr(SIZES, name, check_positive_int(name, value))
    return SIZES


def shrink(size, limit):
    """``size`` ((h, w) or None) scaled down so that its longer side is at most
    ``limit`` (None: no limit); None (28x28) is left alone."""
    if size is None or limit is None or max(size) <= limit:
        return size
    scale = limit / max(size)
    return tuple(max(1, round(v * scale)) for v in size)


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
    if not _is_int(i) or i < 0:
        raise ValueError(f"GPU index must be a non-negative int, got {i!r}")
    if torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    return torch.device("cpu")


def seed_everything(seed=0):
    """Seed Python's, NumPy's and PyTorch's random number generators.

    With the same seed, a run on the CPU repeats bit for bit (the same initial
    weights, the same shuffling, the same losses) on the same kind of CPU
    with the same number of PyTorch threads and the same PyTorch build: the
    instruction set ATen picks (``ATEN_CPU_CAPABILITY``: default, avx2,
    avx512) and the way a sum is split among threads change the rounding.
    Returns the seed.
    """
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    seed = int(seed)
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


def _is_int(value):
    """An integer (Python's or NumPy's), but not ``True`` or ``False``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_positive_int(value):
    """True for a positive integer: ``int`` or a NumPy integer, not a bool."""
    return _is_int(value) and value > 0


def check_positive_int(name, value):
    """Return ``value`` as an ``int``; raise ``ValueError`` unless it is a positive integer."""
    if not is_positive_int(value):
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def is_positive_number(value):
    """True for a finite number > 0 (``int``, ``float`` or NumPy's), not a bool."""
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value) and value > 0)


def check_positive_number(name, value):
    """Return ``value`` as a ``float``; raise ``ValueError`` unless it is a finite number > 0."""
    if not is_positive_number(value):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def cap_epochs(num_epochs, announce=print):
    """The number of epochs to train: at most ``SIZES.quick_epochs`` in quick
    mode.

    When it shortens a run it says so, with ``announce`` (``print``, or
    :func:`say_once` for notices that would repeat).
    """
    cap = SIZES.quick_epochs
    if is_quick() and num_epochs > cap:
        announce(f"quick mode: training for {cap} of {num_epochs} epochs "
                 f"(D2LMINI_MODE=full for all)")
        return cap
    return num_epochs


def warn_if_slow(device, image_size):
    """Warn once when full mode is asked for on a CPU at an image size that
    makes the convolutional chapters take hours there (96x96 and up)."""
    if (torch.device(device).type == "cpu" and not is_quick() and image_size is not None
            and max(image_size) >= 64):
        message = (f"full mode on the CPU at {image_size[0]}x{image_size[1]}: the networks "
                   "of this chapter take hours to train here. Use a GPU, or set "
                   "D2LMINI_MODE=quick (minutes), or pass a smaller resize.")
        if message not in _said:
            _said.add(message)
            warnings.warn(message, RuntimeWarning, stacklevel=3)


_image_sizes = []  # (asked, used) image sizes of the data loaded in this process


def note_image_size(asked, used):
    """Remember that data was asked for at size ``asked`` and served at ``used``
    (each ``(h, w)`` or None for 28x28), for :func:`run_record`."""
    def text(size):
        return "28x28" if size is None else f"{size[0]}x{size[1]}"
    pair = (text(asked), text(used))
    if pair not in _image_sizes:
        _image_sizes.append(pair)


def run_record():
    """What this process ran: mode, device, versions, image sizes (a dict).

    ``d2lmini_hash`` fingerprints the d2lmini modules that the process
    imported (``d2lmini_files``), so that a module added to the package later
    leaves the record of this run current.

    The notebook tooling asks the kernel that executed a notebook for it and
    keeps it in the notebook's metadata.
    """
    from .version import __version__, loaded_files, source_hash
    if torch.cuda.is_available():
        device = torch.cuda.get_device_name(0)
    else:
        device = f"cpu ({torch.get_num_threads()} threads)"
    files = loaded_files()
    return {"mode": get_mode(), "device": device, "torch": torch.__version__,
            "d2lmini": __version__, "d2lmini_files": files,
            "d2lmini_hash": source_hash(files),
            "image_sizes": [{"asked": a, "used": u} for a, u in _image_sizes]}
