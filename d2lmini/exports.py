"""Public names imported when first used (PEP 562).

A package lists where each of its public names lives; the module that holds a
name is imported the first time the name is used. So ``import d2lmini`` is
quick, and a chapter imports only the modules it needs: the run record of a
chapter (:func:`d2lmini.runtime.run_record`) lists those modules, and a
change to any other module leaves the record current.
"""
import importlib

__all__ = ["lazy_exports"]


def lazy_exports(package, table, namespace):
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package``.

    ``table`` maps a submodule (relative to ``package``, e.g. ``"train"`` or
    ``"models"``) to the names it provides, separated by spaces; ``namespace``
    is the package's ``globals()``, where names are bound once imported.
    """
    where = {name: module for module, names in table.items() for name in names.split()}

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
