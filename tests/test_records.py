"""The fingerprint of d2lmini's code in a run record: docstrings and comments
may change, code may not; and source that a page shows must be the source as
it is, docstrings and comments included."""
import shutil

import nbformat
import pytest

import course
import records

version = course.version_module()  # d2lmini/version.py alone, without PyTorch

BEFORE = '''"""A module."""
import torch


def scale(x, factor=2.0):
    """Multiply ``x`` by ``factor``."""
    # (b, n) -> (b, n)
    return factor * x


class Step:
    """One step."""

    def __init__(self, lr):
        """Keep ``lr``."""
        self.lr = lr

    async def run(self):
        "Run."
        return self.lr
'''


def fingerprint(source):
    return version.code_fingerprint(source.encode())


@pytest.mark.parametrize("after", [
    BEFORE.replace('"""A module."""', '"""A module, said otherwise\n\nat length."""'),
    BEFORE.replace('"""Multiply ``x`` by ``factor``."""', "'''Scale x.'''"),
    BEFORE.replace('    """One step."""\n', ""),                 # a docstring removed
    BEFORE.replace('"""Keep ``lr``."""', '"""Keep the learning rate."""'),
    BEFORE.replace('"Run."', '"Run it."'),                     # an async function's
], ids=["module", "function", "class", "method", "async"])
def test_a_docstring_changes_nothing(after):
    assert fingerprint(after) == fingerprint(BEFORE)


@pytest.mark.parametrize("after", [
    BEFORE.replace("# (b, n) -> (b, n)", "# shapes: (batch, n) in and out"),
    BEFORE.replace("    return factor * x", "    return factor * x  # elementwise"),
    BEFORE.replace("\n\nclass Step:", "\n# a comment of its own\n\n\nclass Step:"),
    BEFORE.replace("factor * x", "factor  *  x"),               # spacing
], ids=["comment", "trailing comment", "comment line", "spacing"])
def test_a_comment_or_the_layout_changes_nothing(after):
    assert fingerprint(after) == fingerprint(BEFORE)


@pytest.mark.parametrize("after", [
    BEFORE.replace("factor=2.0", "factor=3.0"),                 # a default value
    BEFORE.replace("    return factor * x", "    if factor < 0:\n"
                   "        raise ValueError('factor must be >= 0')\n    return factor * x"),
    BEFORE.replace("self.lr = lr", "self.lr = float(lr)"),
    BEFORE.replace("factor * x", "x * factor"),
    BEFORE.replace("import torch", "import torch as t"),
], ids=["default", "added check", "call", "order", "import"])
def test_a_change_of_code_changes_the_fingerprint(after):
    assert fingerprint(after) != fingerprint(BEFORE)


def test_a_string_that_is_no_docstring_counts():
    with_message = BEFORE.replace("    return factor * x",
                                  "    print('scaling')\n    return factor * x")
    assert fingerprint(with_message) != fingerprint(BEFORE)
    assert fingerprint(with_message.replace("'scaling'", "'scaling x'")) != \
        fingerprint(with_message)
    # a string statement after the first one is no docstring
    second = BEFORE.replace('        self.lr = lr', '        self.lr = lr\n        "a note"')
    assert fingerprint(second) != fingerprint(BEFORE)
    assert fingerprint(second.replace('"a note"', '"another note"')) != fingerprint(second)


def test_a_file_that_does_not_parse_counts_with_its_text():
    broken = "def f(:\n    return 1\n"
    assert fingerprint(broken) != fingerprint(broken.replace("1", "2"))
    assert fingerprint(broken) != fingerprint(broken + "# a comment\n")


def test_the_fingerprint_is_written_the_same_way_by_every_python():
    """The form is pinned: ``ast.dump`` writes other fields in 3.12 and 3.13
    (``type_params``, no empty ones), so that a run on another Python would
    read as made by another d2lmini."""
    source = "def f(x=1):\n    'Doc.'\n    return x  # the same\n"
    assert fingerprint(source) == (
        b"Module(body=[FunctionDef(name='f', args=arguments(args=[arg(arg='x')], "
        b"defaults=[Constant(value=1)]), body=[Return(value=Name(id='x', ctx=Load()))])])")


def test_the_hash_names_each_file(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    assert version.source_hash(["a.py"], root=str(tmp_path)) != \
        version.source_hash(["b.py"], root=str(tmp_path))


@pytest.fixture
def checkout(tmp_path):
    """A checkout with this d2lmini/version.py and one module."""
    (tmp_path / "d2lmini").mkdir()
    shutil.copy(course.ROOT / "d2lmini" / "version.py", tmp_path / "d2lmini")
    (tmp_path / "d2lmini" / "conv.py").write_text(BEFORE)
    return tmp_path


def test_the_record_of_a_checkout_holds_through_docstrings_and_ages_with_code(checkout):
    files = ["conv.py"]  # the modules the run imported
    recorded = records.current_d2lmini_hash(checkout, files)
    module = checkout / "d2lmini" / "conv.py"
    module.write_text(BEFORE.replace('"""One step."""', '"""One step of the method."""')
                      .replace("# (b, n) -> (b, n)", "# same shape in and out"))
    assert records.current_d2lmini_hash(checkout, files) == recorded
    module.write_text(BEFORE.replace("factor=2.0", "factor=2.5"))
    assert records.current_d2lmini_hash(checkout, files) != recorded


def test_the_text_hash_sees_docstrings_and_comments(checkout):
    recorded = records.current_d2lmini_hash(checkout, text=True)
    (checkout / "d2lmini" / "conv.py").write_text(BEFORE.replace("# (b, n)", "# (batch, n)"))
    assert records.current_d2lmini_hash(checkout, text=True) != recorded


def notebook_showing(code, title="d2lmini/conv.py, lines 5-8"):
    """A notebook whose output shows ``code`` as ``d2lmini.show_source`` does."""
    cell = nbformat.v4.new_code_cell("d2lmini.show_source(d2lmini.scale)")
    cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1, data={
        "text/plain": f"# {title}\n{code}", "text/html": '<div class="d2lmini-source">'})]
    return nbformat.v4.new_notebook(cells=[cell])


SCALE = BEFORE[BEFORE.index("def scale"):BEFORE.index("\n\n\nclass")] + "\n"
INIT = '''def __init__(self, lr):
    """Keep ``lr``."""
    self.lr = lr
'''


def test_shown_source_ages_the_record_when_its_text_changes(checkout):
    """A docstring or a comment that the page shows is part of the page."""
    nb = notebook_showing(SCALE)
    method = notebook_showing(INIT, "d2lmini/conv.py, lines 15-17")  # shown dedented
    module = checkout / "d2lmini" / "conv.py"
    assert records.changed_sources(nb, checkout) == records.changed_sources(method, checkout) == []
    module.write_text(BEFORE.replace('"""One step."""', '"""One step of the method."""'))
    assert records.changed_sources(nb, checkout) == []  # a docstring it does not show
    module.write_text(BEFORE.replace("# (b, n) -> (b, n)", "# same shape"))
    assert records.changed_sources(nb, checkout) == ["d2lmini/conv.py"]
    assert records.changed_sources(method, checkout) == []
    module.write_text(BEFORE.replace("Keep ``lr``", "Keep the learning rate"))
    assert records.changed_sources(method, checkout) == ["d2lmini/conv.py"]
    module.unlink()
    assert records.changed_sources(nb, checkout) == ["d2lmini/conv.py"]


def test_a_record_whose_page_shows_changed_source_is_aged():
    code = (course.ROOT / "d2lmini" / "version.py").read_text()
    nb = notebook_showing(code, "d2lmini/version.py, lines 1-99")
    files = ["version.py"]
    nb.metadata["d2lmini"] = {"mode": "full", "code_hash": records.code_hash(nb),
                              "outputs_hash": records.outputs_hash(nb), "d2lmini_files": files,
                              "d2lmini_hash": records.current_d2lmini_hash(files=files)}
    assert records.verdict(nb, "f" * 64)[0] == "trusted"
    nb.cells[0].outputs[0]["data"]["text/plain"] += "# a comment the file has not\n"
    nb.metadata["d2lmini"]["outputs_hash"] = records.outputs_hash(nb)
    status, why = records.verdict(nb, "f" * 64)
    assert status == "aged" and "d2lmini/version.py" in why
