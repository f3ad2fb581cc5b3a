"""The instructors' answer key of a chapter: every exercise with its solution,
and for the autograded ones the master's reference solution and explanation.
"""
import re

import nbformat

import colab
from course import chapter_title
from exercises import chapter_exercises, chapter_notebook, pts
from masters import check_master, explanation


def solution_code(source):
    """A solution cell as instructors read it: without Otter's markers."""
    lines = [re.sub(r"\s*# ?SOLUTION$", "", line) for line in source.splitlines()
             if not re.search(r"# (BEGIN|END) SOLUTION$", line.strip())]
    return "\n".join(lines).strip()


def answer_key(path):
    """The instructors' answer key of a chapter (a notebook): every exercise
    of the chapter, in order, with its solution; for the autograded ones the
    master's reference solution, its explanation and the question's points."""
    master = nbformat.read(path, as_version=4)
    qs = {q["name"]: q for q in check_master(path, master)}
    chapter = chapter_notebook(path.stem)
    chapter_nb = nbformat.read(chapter, as_version=4)
    conv = colab.Converter(colab.read_bib(), colab.glued_values(chapter_nb))
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    title = chapter_title(chapter_nb, path.stem)
    cells = [md(f"# Answer key: {title}\n\n**For instructors; do not publish.** The "
                f"solutions of the exercises of the chapter, with the reference solutions "
                f"of the autograded questions of the assignment `{path.stem}`.")]
    for k, ex in enumerate(chapter_exercises(chapter), 1):
        q = qs.get(ex["label"]) if ex["autograded"] else None
        head = f"## Exercise {k}" + (f": {ex['title']}" if ex["title"] else "")
        head += f" (`{ex['label']}`" + (f", autograded, {pts(q['points'])})" if q else ")")
        cells.append(md(head + "\n\n" + conv.convert(ex["body"])))
        if q:
            cells += [code(solution_code(c.source)) for c in q["solutions"]]
            cells.append(md("**Explanation.** " + conv.convert(explanation(q))))
        elif ex["has_solution"]:
            cells.append(md("**Solution.**\n\n" + conv.convert(ex["solution"])))
        else:
            cells.append(md("*The chapter gives no solution for this exercise.*"))
    own = [q for q in qs.values() if not q["placeholders"]]
    if own:
        cells.append(md("## Questions of this assignment only"))
    for q in own:
        cells += [md(f"### `{q['name']}` ({pts(q['points'])})")] + [
            md(c.source) for c in q["prompts"]]
        cells += [code(solution_code(c.source)) for c in q["solutions"]]
        cells.append(md("**Explanation.** " + explanation(q)))
    key = nbformat.v4.new_notebook(cells=cells)
    key.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}
    return key
