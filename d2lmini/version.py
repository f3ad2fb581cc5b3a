"""d2lmini's version, and a fingerprint of its code (no imports beyond the
standard library, so that tools can read them without loading PyTorch)."""
import ast
import hashlib
import os
import sys

__version__ = "0.3.0"

_ROOT = os.path.dirname(os.path.abspath(__file__))
PLUMBING = ("__init__.py", "exports.py", "version.py")  # left out of loaded_files()


def source_hash(files=None, root=_ROOT, text=False):
    """SHA-256 over d2lmini's code: which version of the code ran.

    ``files``: paths relative to the package folder (``"models/lenet.py"``);
    by default every ``.py`` file of the package. Each counts with its name and
    its :func:`code_fingerprint`, so that a docstring or a comment may change
    and the hash stays; with ``text``, with its whole text, as a page that
    shows the source depends on it. A listed file that no longer exists counts
    as changed.
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
                source = f.read()
            h.update((source if text else code_fingerprint(source)) + b"\0")
        else:
            h.update(b"\1missing\0")
    return h.hexdigest()


def code_fingerprint(source):
    """The code of a module's ``source`` (bytes) without its docstrings and
    comments: its syntax tree, written out the same way by every Python from
    3.9 on, with the docstring (a first statement that is a string) of the
    module and of every class and function left out. A source that does not
    parse counts with its text."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return b"\2unparsed\0" + source
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                node.body = node.body[1:]
    return _written(tree).encode()


def _written(node):
    """``node`` as text: each node's type and its fields, leaving out the empty
    ones (None, []), which differ from one Python version to the next (as
    ``type_params``), and the positions (``lineno``...), which are no fields."""
    if isinstance(node, list):
        return "[" + ", ".join(_written(item) for item in node) + "]"
    if not isinstance(node, ast.AST):
        return repr(node)
    fields = ", ".join(f"{name}={_written(value)}" for name, value in ast.iter_fields(node)
                       if value is not None and value != [])
    return f"{type(node).__name__}({fields})"


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
