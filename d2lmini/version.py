"""d2lmini's version, and a fingerprint of its source (no imports beyond the
standard library, so that tools can read them without loading PyTorch)."""
import hashlib
import os

__version__ = "0.2.0"


def source_hash():
    """SHA-256 over d2lmini's own source files: which version of the code ran."""
    root = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, name)
            h.update(os.path.relpath(path, root).replace(os.sep, "/").encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read() + b"\0")
    return h.hexdigest()
