"""d2lmini's version, and a fingerprint of its source (no imports beyond the
standard library, so that tools can read them without loading PyTorch)."""
import hashlib
import os
import sys

__version__ = "0.2.0"

_ROOT = os.path.dirname(os.path.abspath(__file__))
PLUMBING = ("__init__.py", "exports.py", "version.py")  # left out of loaded_files()


def source_hash(files=None, root=_ROOT):
    """SHA-256 over d2lmini's source files: which version of the code ran.

    ``files``: paths relative to the package folder (``"models/lenet.py"``);
    by default every ``.py`` file of the package. A listed file that no longer
    exists counts as changed.
    """
    if files is None:
        files = []
        for folder, dirs, names in sorted(os.walk(root)):
            dirs.sort()
            files += [os.path.relpath(os.path.join(folder, n), root).replace(os.sep, "/")
                      for n in sorted(names) if n.endswith(".py")]
    h = hashlib.sha256()
    for rel in files:
        h.update(rel.encode() + b"\0")
        path = os.path.join(root, *rel.split("/"))
        if os.path.isfile(path):
            with open(path, "rb") as f:
                h.update(f.read() + b"\0")
        else:
            h.update(b"\1missing\0")
    return h.hexdigest()


def loaded_files():
    """The package's modules this process has imported, as paths relative to
    the package folder, without the plumbing (the ``__init__.py`` files and
    ``exports.py`` say where each name lives, this module fingerprints the
    rest): the source that a run really depended on."""
    found = set()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if (name.split(".")[0] == __name__.split(".")[0] and path
                and os.path.abspath(path).startswith(_ROOT + os.sep)
                and os.path.basename(path) not in PLUMBING):
            found.add(os.path.relpath(os.path.abspath(path), _ROOT).replace(os.sep, "/"))
    return sorted(found)
