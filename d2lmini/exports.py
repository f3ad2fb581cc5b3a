"""Public names imported when first used (PEP 562).

A package writes its public names as ordinary imports under
``if TYPE_CHECKING:``, which editors, type checkers and readers follow; at
run time that block is skipped, and this module reads it instead: the module
that holds a name is imported the first time the name is used. So
``import d2lmini`` is quick, and a chapter imports only the modules it
needs: the run record of a chapter (:func:`d2lmini.runtime.run_record`)
lists those modules, and a change to any other module leaves it current.
"""
import ast
import importlib

__all__ = ["lazy_exports"]


def _typing_imports(path):
    """``{name: module}`` from the ``from .module import name`` statements
    under ``if TYPE_CHECKING:`` in the file at ``path``."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    where = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.level == 1:
                    where.update({a.asname or a.name: stmt.module for a in stmt.names})
    return where


def lazy_exports(package, path, namespace):
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package``, whose
    ``__init__.py`` is at ``path`` and whose ``globals()`` are ``namespace``
    (where names are bound once imported)."""
    where = _typing_imports(path)

    def __getattr__(name):
        if name not in where:  # a submodule (d2lmini.models), or nothing
            try:
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{package}.{name}":
                    raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(f"{package}.{where[name]}")
        namespace[name] = getattr(module, name)
        # A submodule named like a function in it (models.densenet) has just
        # been bound to the package, as a module, by the import system: put
        # the function back.
        for other, home in where.items():
            if namespace.get(other) is module:
                namespace[other] = getattr(module, other)
        return namespace[name]

    def __dir__():
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__, sorted(where)
