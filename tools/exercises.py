"""The exercises of the chapters, as the assignments read them.

An exercise is a ``{exercise}`` directive in a chapter notebook's Markdown, its
solution a ``{solution}`` directive that names its label. An autograded one is
labelled ``<chapter>-q-<name>`` and marked ``:class: autograded``; its prompt
goes into the student notebook as it is written in the chapter.
"""
import re

import nbformat

import myst
from course import ROOT, notebooks

AUTOGRADED = "autograded"
MYST_ROLE = re.compile(r"\{[\w:-]+\}`")


class AssignmentError(Exception):
    """A master or a chapter that does not follow the rules; the message says which."""


def pts(n):
    return f"{n:g} point" + ("" if n == 1 else "s")


def chapter_notebook(stem):
    """The chapter notebook named ``<stem>.ipynb``, anywhere under chapters/."""
    found = [p for p in notebooks() if p.stem == stem]
    if not found:
        raise AssignmentError(f"no chapter notebook named {stem}.ipynb under chapters/ "
                              f"(the master assignments/{stem}.ipynb is named after its chapter)")
    if len(found) > 1:
        raise AssignmentError(f"several chapter notebooks are named {stem}.ipynb: "
                              f"{[str(p.relative_to(ROOT)) for p in found]}")
    return found[0]


def chapter_exercises(path):
    """The exercises of a chapter notebook, in order: dicts with ``label``,
    ``title``, ``body``, ``autograded``, ``has_solution`` and ``solution``
    (the body of its solution, or None)."""
    nb = nbformat.read(path, as_version=4)
    exercises, solutions = [], {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for d in myst.directives(cell.source):
            if d.name == "solution":
                solutions[d.arg] = d.body.strip()
            elif d.name == "exercise":
                classes = d.options.get("class", "").split()
                exercises.append({"label": d.options.get("label"), "title": d.arg,
                                  "body": d.body.strip(), "autograded": AUTOGRADED in classes})
    for ex in exercises:
        ex["solution"] = solutions.get(ex["label"])
        ex["has_solution"] = ex["solution"] is not None
    return exercises


def exercise_prompt(label, chapter, points=None):
    """The markdown that replaces the placeholder of ``label``: the exercise's
    title (as a heading, with the question's points) and body, without the
    directive and its options."""
    rel = chapter.relative_to(ROOT)
    found = [e for e in chapter_exercises(chapter) if e["label"] == label]
    if not found:
        raise AssignmentError(f"exercise {label!r} not found in {rel}: the chapter has no "
                              f"{{exercise}} directive with ':label: {label}'")
    ex = found[0]
    if not ex["autograded"]:
        raise AssignmentError(f"exercise {label!r} in {rel} is not marked ':class: autograded'")
    if ex["has_solution"]:
        raise AssignmentError(f"exercise {label!r} in {rel} is autograded, so its solution must "
                              f"not be public: move the {{solution}} {label} out of the chapter "
                              "into the master's '# EXPLANATION' cell of that question")
    if MYST_ROLE.search(ex["body"]) or "```{" in ex["body"]:
        raise AssignmentError(f"exercise {label!r} in {rel} uses MyST roles or directives, "
                              "which do not render in a student's notebook")
    title = " ".join(t for t in [ex["title"], points and f"({pts(points)})"] if t)
    heading = f"### {title}\n\n" if title else ""
    return heading + ex["body"]
