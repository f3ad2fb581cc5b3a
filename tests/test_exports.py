"""Public names and submodules are imported when first used (d2lmini.exports)."""
import subprocess
import sys

import pytest


def fresh(code):
    """Run ``code`` in a new interpreter (this one has imported d2lmini already)."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_import_loads_only_what_is_used():
    loaded = fresh("import sys, d2lmini; d2lmini.Adam; "
                   "print(*sorted(m for m in sys.modules if m.startswith('d2lmini')))")
    assert "d2lmini.optim" in loaded
    assert not any(m.startswith("d2lmini.models") for m in loaded)


@pytest.mark.parametrize("expression, expected", [
    ("d2lmini.models.conv_block.__name__", "conv_block"),   # a submodule, then a name
    ("d2lmini.models.densenet.__name__", "densenet"),       # the function, not the module
    ("(d2lmini.transition_block, d2lmini.models.densenet.__name__)[1]", "densenet"),
    ("d2lmini.data.load_fashion_mnist.__name__", "load_fashion_mnist"),
    ("type(d2lmini.lenet()).__name__", "Sequential"),
])
def test_names_and_submodules_resolve_in_a_fresh_process(expression, expected):
    assert fresh(f"import d2lmini; print({expression})") == [expected]


def test_unknown_names_raise_attribute_error():
    import d2lmini
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        d2lmini.nope
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        d2lmini.models.nope
    assert {"Adam", "lenet", "train_classifier"} <= set(dir(d2lmini))


def test_every_public_name_resolves_to_the_module_its_import_names():
    """The imports under TYPE_CHECKING (what editors follow) are the table the
    package uses at run time: each resolves, from the module it names."""
    import d2lmini
    from d2lmini.exports import _typing_imports
    where = _typing_imports(d2lmini.__file__)
    assert len(where) > 90 and set(where) <= set(d2lmini.__all__)
    for name, module in where.items():
        value = getattr(d2lmini, name)
        home = getattr(value, "__module__", None)
        assert home is None or home.startswith(f"d2lmini.{module}"), (name, home)
