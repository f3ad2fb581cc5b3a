"""The progress bar of a training run: drawn in place in a notebook, on
stderr elsewhere."""
import io

from tqdm.std import tqdm as _std_tqdm

from .display import in_notebook

__all__ = ["progress_bar"]


class _NotebookBar(_std_tqdm):
    """A tqdm bar drawn as one notebook output that is updated in place.

    Works in any Jupyter front end (no widgets needed), and the saved notebook
    keeps the bar's final state only.
    """

    def __init__(self, *args, **kwargs):
        from IPython.display import Pretty, display
        self._handle = display(Pretty(""), display_id=True)
        kwargs["file"] = io.StringIO()
        super().__init__(*args, **kwargs)

    def display(self, msg=None, pos=None):
        from IPython.display import Pretty
        self._handle.update(Pretty(msg if msg is not None else self.__str__()))
        return True


def progress_bar(total, desc=None, enabled=True):
    """A tqdm progress bar: in place in a notebook, on stderr elsewhere."""
    cls = _NotebookBar if in_notebook() else _std_tqdm
    return cls(total=total, desc=desc, disable=not enabled, mininterval=0.5,
               ascii=False if cls is _NotebookBar else None,
               bar_format="{l_bar}{bar:20}{r_bar}")
