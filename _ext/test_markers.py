"""Sphinx extension: the comments that mark a cell for the tests are not
shown to readers.

A code cell whose output nbval checks carries a comment line
``# NBVAL_CHECK_OUTPUT`` (see ``tools/records.py``). The notebook keeps it,
since nbval and the run records read it, but the rendered page (and the PDF
printed from it) shows the cell's code without that line, as the plain
edition for Colab and Jupyter does (``tools/colab.py``).
"""
import sys
from pathlib import Path

from docutils import nodes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from records import without_markers  # noqa: E402


def strip_markers(app, doctree, docname):
    for cell in doctree.findall(nodes.container):
        if "cell_input" not in cell.get("classes", []):
            continue
        for block in cell.findall(nodes.literal_block):
            code = block.astext()
            kept = without_markers(code)
            if kept != code:
                block.rawsource = kept
                block.clear()
                block += nodes.Text(kept)


def setup(app):
    app.connect("doctree-resolved", strip_markers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
