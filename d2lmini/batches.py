"""The minibatch size, which quick mode may shrink like the sizes of
:data:`d2lmini.mode.SIZES`."""
from .checks import check_positive_int
from .mode import is_quick, say_once

__all__ = ["minibatch_size"]


def minibatch_size(full, quick):
    """``full`` in full mode, ``quick`` in quick mode (and say so, once).

    A deep network without normalization needs many SGD steps before it
    starts to learn. Quick mode trains on few images, so smaller minibatches
    give it more steps for the same work; the update rule is unchanged.
    """
    full, quick = check_positive_int("full", full), check_positive_int("quick", quick)
    if not is_quick() or quick == full:
        return full
    say_once(f"quick mode: minibatches of {quick} instead of {full} "
             f"(D2LMINI_MODE=full for all)")
    return quick
