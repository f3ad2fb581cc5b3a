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
import os
import warnings

import torch

from .checks import check_positive_int

__all__ = ["MODES", "QUICK_EPOCHS", "Sizes", "SIZES", "set_sizes", "shrink", "get_mode",
           "is_quick", "say_once", "cap_epochs", "warn_if_slow"]

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


_said = set()


def say_once(message):
    """Print ``message`` the first time it is asked for in this process only.

    For notices that would otherwise repeat in every run of a loop (such as
    quick mode shortening each of several training runs in one cell).
    """
    if message not in _said:
        _said.add(message)
        print(message)


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
