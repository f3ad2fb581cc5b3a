"""What this process ran (the run record that the notebook tooling keeps in a
notebook's metadata): mode, device, versions, image sizes, the d2lmini code."""
import torch

from .mode import get_mode

__all__ = ["note_image_size", "run_record"]

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
