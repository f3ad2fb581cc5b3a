"""What a training run measured: a stopwatch, and the numbers of each epoch."""
import time
from dataclasses import dataclass, field

__all__ = ["Timer", "History"]


class Timer:
    """Record running times: ``start()``, ``stop()`` (returns the lap), ``sum()``."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        self._t0 = time.perf_counter()

    def stop(self):
        self.times.append(time.perf_counter() - self._t0)
        return self.times[-1]

    def sum(self):
        return sum(self.times)


@dataclass
class History:
    """What :func:`d2lmini.train_classifier` measured, one entry per epoch.

    ``examples_per_sec`` is the steady-state training speed: the epochs after
    the first, whose time includes one-off costs (CUDA start-up, kernel
    loading, ``torch.compile``), which ``startup_seconds`` estimates. With a
    single epoch there is no steady state to tell apart: the speed is that of
    the whole epoch and ``startup_seconds`` is None.
    """
    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)
    epoch_examples: list = field(default_factory=list)
    device: str = ""

    @property
    def train_seconds(self):
        return sum(self.epoch_seconds)

    @property
    def examples_per_sec(self):
        if len(self.epoch_seconds) > 1:
            return sum(self.epoch_examples[1:]) / sum(self.epoch_seconds[1:])
        return sum(self.epoch_examples) / max(sum(self.epoch_seconds), 1e-12)

    @property
    def startup_seconds(self):
        if len(self.epoch_seconds) < 2:
            return None
        steady = self.epoch_examples[0] / self.examples_per_sec
        return max(0.0, self.epoch_seconds[0] - steady)

    def summary(self):
        """One line: the last epoch's numbers, the speed, and a start-up that
        took at least a tenth of a second (a GPU's; a CPU has none to speak of)."""
        line = (f"loss {self.train_loss[-1]:.3f}, train acc {self.train_acc[-1]:.3f}, "
                f"test acc {self.test_acc[-1]:.3f}, {self.examples_per_sec:.1f} "
                f"examples/sec on {self.device}")
        if self.startup_seconds is not None and self.startup_seconds >= 0.05:
            line += f" (after a one-off start-up of {self.startup_seconds:.1f} s)"
        return line
