"""The plain-Jupyter edition (tools/colab.py): no MyST left, pinned d2lmini."""
import re

import nbformat
import pytest
from markdown_it import MarkdownIt

from conftest import ROOT

import colab  # tools/colab.py
import course
import nbtool

#: What MyST looks like when Jupyter or Colab shows it raw.
MYST = re.compile(r"\{[a-z]+(:[a-z-]+)?\}`|```\{|:::\{|^:[\w-]+:|^\([\w-]+\)=|"
                  r"\{(exercise|solution|admonition|note|cite|glue)", re.M)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("colab")
    colab.build(out)
    return out


def plain(edition, path):
    return nbformat.read(edition / path.relative_to(ROOT), as_version=4)


@pytest.mark.parametrize("path", nbtool.notebooks(), ids=lambda p: p.stem)
def test_no_myst_left_in_any_markdown_cell(edition, path):
    md = MarkdownIt("commonmark")
    nb = plain(edition, path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for text in (cell.source, md.render(cell.source)):
                found = MYST.search(text)
                assert not found, f"cell {i}: {text[max(0, found.start() - 80):found.end() + 40]!r}"


@pytest.mark.parametrize("path", nbtool.notebooks(), ids=lambda p: p.stem)
def test_exercises_numbered_solutions_folded_autograded_noted_outputs_kept(edition, path):
    source = nbformat.read(path, as_version=4)
    nb = plain(edition, path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    exercises = sum(c.source.count("```{exercise}") + c.source.count("````{exercise}")
                    for c in source.cells if c.cell_type == "markdown")
    assert exercises >= 4
    assert [int(n) for n in re.findall(r"^### Exercise (\d+)$", text, re.M)] == \
        list(range(1, exercises + 1))
    solutions = sum(len(re.findall(r"^`{3,4}\{solution\}", c.source, re.M))
                    for c in source.cells if c.cell_type == "markdown")
    assert text.count("<details>") == text.count("</details>") == solutions >= 2
    autograded = sum(c.source.count(":class: autograded") for c in source.cells
                     if c.cell_type == "markdown")
    assert autograded >= 2 and text.count("*Autograded:*") == autograded
    assert solutions + autograded == exercises  # autograded ones keep theirs private
    outputs = [len(c.outputs) for c in source.cells if c.cell_type == "code"][1:]
    assert [len(c.outputs) for c in nb.cells if c.cell_type == "code"][1:] == outputs


def test_setup_cell_pins_the_version_and_leaves_a_match_alone(edition):
    nb = plain(edition, nbtool.notebooks()[0])
    setup = nb.cells[[c.cell_type for c in nb.cells].index("code")].source
    assert re.search(r'%pip install --quiet "d2lmini @ git\+\S+@[0-9a-f]{40}"', setup), setup
    assert "except ImportError:" in setup  # installs only when d2lmini is missing
    assert f'd2lmini.__version__ != "{colab.d2lmini_version()}"' in setup
    assert "@main" not in setup


def test_citations_become_text_with_a_reference_list():
    bib = colab.read_bib()
    conv = colab.Converter(bib, {})
    out = conv.convert("Residual networks {cite:p}`he2016deep`, as {cite:t}`he2016deep` show.")
    assert out == "Residual networks (He et al., 2016), as He et al. (2016) show."
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "See {cite:p}`he2016deep`.")])
    converted = colab.convert_notebook(nb, bib, "0.2.0", "d2lmini==0.2.0")
    assert converted.cells[-1].source.startswith("## References")
    assert "Deep Residual Learning" in converted.cells[-1].source


def test_glued_numbers_come_from_the_stored_outputs():
    cell = nbformat.v4.new_code_cell("d2lmini.glue('acc', 0.8761)")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": "0.8761"},
        metadata={"scrapbook": {"name": "acc", "mime_prefix": "application/papermill.record/"}})]
    nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_markdown_cell(
        "It reaches {glue:text}`acc:.3f`, or {glue:text}`missing:.2f`.")])
    converted = colab.convert_notebook(nb, {}, "0.2.0", "d2lmini==0.2.0")
    assert converted.cells[1].source == \
        "It reaches 0.876, or (printed when the notebook runs)."


def test_directives_become_plain_markdown():
    conv = colab.Converter({}, {})
    text = ("(sec-x)=\n## Title\n\n```{note}\nBe careful.\n```\n\n"
            "```{exercise}\n:label: ch-ex-a\n\nDo it.\n```\n\n"
            "````{solution} ch-ex-a\n:class: dropdown\n\nLike this:\n```python\nx = 1\n```\n````\n"
            "\nSee {ref}`ch-ex-a` and {doc}`the intro <intro>`.")
    out = conv.convert(text)
    assert "(sec-x)=" not in out and "> **Note.**\n>\n> Be careful." in out
    assert "### Exercise 1\n\nDo it." in out
    assert "<details>\n<summary>Solution</summary>\n\nLike this:\n```python\nx = 1\n```" in out
    assert "See Exercise 1 and the intro." in out


def test_a_link_to_a_page_becomes_its_title():
    conv = colab.Converter({}, {}, ROOT / "chapters" / "optimization" / "adam.ipynb")
    out = conv.convert("See {doc}`../cnn/batch-norm`, {doc}`/intro` and {doc}`../missing-page`.")
    title = course.chapter_title(nbformat.read(ROOT / "chapters" / "cnn" / "batch-norm.ipynb",
                                               as_version=4), None)
    intro = (ROOT / "intro.md").read_text().splitlines()[0].lstrip("# ")
    assert title and out == f"See {title}, {intro} and ../missing page."


def test_cells_the_book_folds_are_collapsed():
    cells = [nbformat.v4.new_code_cell("# Solution of exercise x",
                                       metadata={"tags": ["hide-cell"]}),
             nbformat.v4.new_code_cell("figure()", metadata={"tags": ["hide-input"]}),
             nbformat.v4.new_code_cell("shown()")]
    nb = colab.convert_notebook(nbformat.v4.new_notebook(cells=cells), {}, "0.2.0",
                                "d2lmini==0.2.0")
    assert [c.metadata.get("jupyter") for c in nb.cells] == [
        {"source_hidden": True, "outputs_hidden": True}, {"source_hidden": True}, None]


def test_no_test_marker_in_the_plain_edition(edition):
    """The markers nbval reads are for the tests, not for students."""
    for path in nbtool.notebooks():
        for cell in plain(edition, path).cells:
            if cell.cell_type == "code":
                assert "NBVAL_" not in cell.source, f"{path.name}: {cell.source[:60]!r}"
