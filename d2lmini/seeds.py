"""Runs repeated over seeds, and what their spread allows a chapter to say.

One training run is one draw: another seed gives other initial weights,
another order of the minibatches, and another accuracy. So a claim that one
method beats another rests on several seeds, and on a difference larger
than the spread between seeds.
"""
import math
import numbers
import statistics
from typing import NamedTuple

from .checks import is_int
from .seed import seed_everything

__all__ = ["Spread", "spread", "over_seeds", "compare"]


class Spread(NamedTuple):
    """One method's results over several seeds."""
    values: tuple

    @property
    def n(self):
        return len(self.values)

    @property
    def mean(self):
        return statistics.fmean(self.values)

    @property
    def sd(self):
        """The sample standard deviation (0 for a single run)."""
        return statistics.stdev(self.values) if self.n > 1 else 0.0

    @property
    def low(self):
        return min(self.values)

    @property
    def high(self):
        return max(self.values)

    def beats(self, other):
        """True when every run of this method is above every run of
        ``other``."""
        return self.low > other.high

    def __str__(self):
        return (f"{self.mean:.3f} ± {self.sd:.3f}  (from {self.low:.3f} "
                f"to {self.high:.3f}, {self.n} seeds)")


def spread(values):
    """The :class:`Spread` of a non-empty sequence of finite numbers."""
    try:
        values = (list(values) if not isinstance(values, (str, bytes))
                  else values)
    except TypeError:
        pass
    ok = isinstance(values, list) and values and all(
        isinstance(v, numbers.Real) and not isinstance(v, bool)
        and math.isfinite(v) for v in values)
    if not ok:
        raise ValueError("expected a non-empty list of finite numbers, "
                         f"got {values!r}")
    return Spread(tuple(float(v) for v in values))


def over_seeds(run, seeds=3):
    """``[run(seed) for seed in seeds]``, each call after
    ``seed_everything(seed)``.

    ``seeds`` is a number of seeds (``3`` means 0, 1 and 2) or a list of
    them.
    """
    if is_int(seeds) and seeds > 0:
        seeds = list(range(seeds))
    if not (isinstance(seeds, (list, tuple, range)) and seeds
            and all(is_int(s) and s >= 0 for s in seeds)):
        raise ValueError("seeds must be a positive int or a list of seeds, "
                         f"got {seeds!r}")
    if not callable(run):
        raise TypeError("run must be a function of the seed, "
                        f"got {type(run).__name__}")
    results = []
    for i, seed in enumerate(seeds, start=1):
        print(f"seed {seed} ({i} of {len(seeds)})")
        seed_everything(seed)
        results.append(run(seed))
    return results


def compare(name, results):
    """Compare methods over seeds: ``results`` maps each method's name to its
    values, one per seed.

    Prints one line per method (mean, standard deviation, lowest and highest
    run) and glues, for each method ``m``, ``{name}-{m}`` (the mean) and
    ``{name}-{m}-sd``, ``-min``, ``-max`` for the chapter's text. Returns
    ``{method: Spread}``. The printed table is marked as a comparison, with
    its number of seeds, for the course's list of comparisons.
    """
    if not (isinstance(results, dict) and len(results) >= 2):
        raise ValueError("results must map two or more method names to their "
                         f"values over seeds, got {results!r}")
    spreads = {str(m): spread(v) for m, v in results.items()}
    width = max(len(m) for m in spreads)
    table = "\n".join(f"{m:<{width}}  {s}" for m, s in spreads.items())
    mark = {"comparison": name, "seeds": {m: s.n for m, s in spreads.items()}}
    _show(table, {"d2lmini": mark})
    from .show import glue
    for m, s in spreads.items():
        for suffix, value in (("", s.mean), ("-sd", s.sd), ("-min", s.low),
                              ("-max", s.high)):
            glue(f"{name}-{m}{suffix}", value)
    return spreads


def _show(text, metadata):
    """Print ``text``; in a notebook, as output that carries ``metadata``."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(text)
        return
    display({"text/plain": text}, raw=True, metadata=metadata)
