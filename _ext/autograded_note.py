"""Sphinx extension: a note at the end of every autograded exercise.

An autograded exercise (``:class: autograded``) has no solution in the
chapter: its reference solution is private to instructors, in the assignment
master and in the answer key that ``make assignments`` builds. The note tells
readers where the question is graded; it is added to the exercise when the
notebook is read, so the chapter file (from which the assignment takes the
prompt) never holds it.
"""
import json
import re
from pathlib import Path

import nbformat

OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}")


def note(stem):
    return (f"*Autograded:* this question is part of the assignment `{stem}` "
            "(see {doc}`/chapters/instructors`); its solution is kept for instructors, "
            "so that the assignment can be graded for credit.")


def with_notes(markdown, stem):
    """``markdown`` with the note before the closing fence of each autograded
    exercise."""
    lines, out, i = markdown.split("\n"), [], 0
    while i < len(lines):
        m = OPEN.match(lines[i].strip())
        if not m:
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() != m["fence"]:
            j += 1
        block = lines[i:j]
        autograded = any(re.match(r"^:class:.*\bautograded\b", line.strip()) for line in block)
        out += block + (["", note(stem)] if autograded else []) + lines[j:j + 1]
        i = j + 1
    return "\n".join(out)


def add_notes(app, docname, source):
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb" or not source or "autograded" not in source[0]:
        return
    nb = nbformat.reads(source[0], as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "autograded" in cell.source:
            cell.source = with_notes(cell.source, path.stem)
    source[0] = json.dumps(nb)


def setup(app):
    app.connect("source-read", add_notes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
