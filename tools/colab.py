"""The plain-Jupyter edition of the chapters, for Colab and local Jupyter.

    python tools/colab.py [--out _build/colab] [--source PIP_REQUIREMENT] [--trust]

Jupyter and Colab read a notebook's Markdown as CommonMark: the book's MyST
(directives, roles, labels) would show as raw text there, and every solution
would be printed under its exercise. Each chapter is rewritten into
``OUT/<same path>.ipynb`` with

* exercises as numbered headings (``### Exercise 3``) with their text, and
  each solution folded in an HTML ``<details>`` block;
* citations as "(He et al., 2016)" and a reference list at the end;
* admonitions as quoted blocks, labels and cross-references as plain text
  (a ``{doc}`` link as the title of the page it names);
* glued numbers replaced by their value in the stored outputs (or a note that
  the run prints it);
* the test markers (``# NBVAL_CHECK_OUTPUT``) taken out of the code;
* the stored outputs kept, and the cells the book folds (``hide-cell``: the
  code of a solution; ``hide-input``) collapsed as Jupyter collapses them;
* a first cell that installs the d2lmini the book was built from (a pip
  requirement pinned to a commit) where it is missing or another version is
  installed, and leaves a matching one alone.

``--trust`` signs the notebooks written for local Jupyter (as ``jupyter
trust`` does), which shows a notebook's stored figures (SVG, HTML) only once
it is trusted.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

import myst
import records
from course import (ROOT, SETUP_MARK, cell_outputs, code_cells, d2lmini_version, notebooks,
                    page_title, pinned_requirement, setup_cell_source)


# ---------------------------------------------------------------- references

def read_bib(path=ROOT / "references.bib"):
    """``{key: (authors, year, title)}`` from a BibTeX file (the fields we use)."""
    entries = {}
    text = Path(path).read_text()
    for m in re.finditer(r"@\w+\{([^,]+),(.*?)\n\}", text, re.S):
        fields = dict((k.lower(), re.sub(r"[{}\\']|\s+", lambda x: " " if x.group().isspace()
                                         else "", v).strip())
                      for k, v in re.findall(r"(\w+)\s*=\s*\{(.*?)\},?\s*$", m.group(2),
                                             re.M | re.S))
        entries[m.group(1).strip()] = fields
    return entries


def surnames(authors):
    return [a.split(",")[0].strip() if "," in a else a.split()[-1]
            for a in authors.split(" and ") if a.strip()]


def cite_text(fields):
    names = surnames(fields.get("author", "Anonymous"))
    who = (names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2
           else f"{names[0]} et al.")
    return who, fields.get("year", "n.d.")


def reference_line(fields):
    authors = ", ".join(surnames(fields.get("author", "")))
    where = fields.get("journal") or fields.get("booktitle") or fields.get("publisher", "")
    return f"- {authors} ({fields.get('year', 'n.d.')}). {fields.get('title', '')}." + (
        f" *{where}*." if where else "")


# ---------------------------------------------------------------- glue

def glued_values(nb):
    """``{name: text/plain}`` of the values glued in the stored outputs."""
    values = {}
    for _, _, out in cell_outputs(nb):
        name = out.get("metadata", {}).get("scrapbook", {}).get("name")
        text = next((v for k, v in out.get("data", {}).items() if k.endswith("text/plain")),
                    None)
        if name and text is not None:
            values[name] = text
    return values


def format_glue(spec, values):
    name, _, fmt = spec.partition(":")
    if name not in values:
        return "(printed when the notebook runs)"
    text = values[name]
    try:
        return format(float(text), fmt) if fmt else text
    except ValueError:
        return text


# ---------------------------------------------------------------- MyST to Markdown

LABEL = re.compile(r"^\([\w-]+\)=\s*$")  # a target: (name)=
EQUATION_LABEL = re.compile(r"(\$\$)\s*\([\w-]+\)\s*$")  # $$ (name)


class Converter:
    """Turns the Markdown cells of one chapter into CommonMark."""

    def __init__(self, bib, values, path=None):
        self.bib, self.values, self.path = bib, values, path
        self.exercises, self.labels, self.cited = 0, {}, []

    def roles(self, text):
        def cite(m):
            keys = [k.strip() for k in m.group(2).split(",")]
            for k in keys:
                if k not in self.cited:
                    self.cited.append(k)
            parts = [cite_text(self.bib.get(k, {"author": k})) for k in keys]
            if m.group(1) == "t":
                return "; ".join(f"{who} ({year})" for who, year in parts)
            return "(" + "; ".join(f"{who}, {year}" for who, year in parts) + ")"
        text = re.sub(r"\{cite:(p|t)\}`([^`]+)`", cite, text)
        text = re.sub(r"\{glue:text\}`([^`]+)`", lambda m: format_glue(m.group(1), self.values),
                      text)
        text = re.sub(r"\{glue(?::any)?\}`([^`]+)`",
                      lambda m: format_glue(m.group(1), self.values), text)
        text = re.sub(r"\{math\}`([^`]+)`", r"$\1$", text)

        def ref(m):
            target = m.group(2)
            inner = re.match(r"(.*?)\s*<([^>]+)>$", target)
            if inner:
                return inner.group(1)
            if m.group(1) == "doc":
                title = self.page_title(target)
                if title:
                    return title
            return self.labels.get(target, target.replace("-", " "))
        text = re.sub(r"\{(ref|numref|doc|eq|prf:ref|download)\}`([^`]+)`", ref, text)
        return text

    def page_title(self, target):
        """The title of the page ``{doc}`target``` names, seen from this chapter."""
        base = ROOT if target.startswith("/") or self.path is None else Path(self.path).parent
        for page in (base / (target.lstrip("/") + ".ipynb"), base / (target.lstrip("/") + ".md")):
            if page.is_file():
                return page_title(page)
        return None

    def blocks(self, text):
        """``text`` with its directives rewritten and its labels dropped."""
        lines, out, done = text.split("\n"), [], 0
        for d in myst.directives(text):
            out += self.plain(lines[done:d.start])
            out.append(self.directive(d.name, d.arg, d.options, self.blocks(d.body)))
            done = d.end
        return "\n".join(out + self.plain(lines[done:]))

    @staticmethod
    def plain(lines):
        return [EQUATION_LABEL.sub(r"\1", line) for line in lines if not LABEL.match(line)]

    def directive(self, name, arg, options, inner):
        if name == "exercise":
            self.exercises += 1
            if "label" in options:
                self.labels[options["label"]] = f"Exercise {self.exercises}"
            note = ("\n\n*Autograded:* this question is part of the chapter's assignment; "
                    "its solution is kept for instructors." if "autograded" in
                    options.get("class", "").split() else "")
            return f"### Exercise {self.exercises}\n\n{inner}{note}\n"
        if name == "solution":
            return (f"<details>\n<summary>Solution</summary>\n\n{inner}\n\n</details>\n")
        if name in ("math",):
            return f"$$\n{inner}\n$$"
        if name in ("code-block", "code"):
            return f"```{arg}\n{inner}\n```"
        title = arg or name.capitalize()
        quoted = "\n".join("> " + line if line.strip() else ">" for line in inner.split("\n"))
        return f"> **{title}.**\n>\n{quoted}\n"

    def convert(self, text):
        return self.roles(self.blocks(text))


# ---------------------------------------------------------------- the notebook

def convert_notebook(nb, bib, version, requirement, path=None):
    """The plain edition of one chapter (a new notebook; ``path``, where it
    lies, finds the pages it links to)."""
    nb = nbformat.from_dict(nb)
    conv = Converter(bib, glued_values(nb), path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = conv.convert(cell.source)
    code = code_cells(nb)
    for cell in code:
        cell.source = records.without_markers(cell.source)
        tags = cell.metadata.get("tags", [])
        if "hide-cell" in tags or "hide-input" in tags:
            cell.metadata["jupyter"] = {"source_hidden": True}
            if "hide-cell" in tags:
                cell.metadata["jupyter"]["outputs_hidden"] = True
    if code and code[0].source.lstrip().startswith(SETUP_MARK):
        code[0].source = setup_cell_source(version, requirement)
        code[0].outputs, code[0].execution_count = [], None
    if conv.cited:
        lines = ["## References", ""] + [reference_line(bib.get(k, {"title": k}))
                                          for k in conv.cited]
        nb.cells.append(nbformat.v4.new_markdown_cell("\n".join(lines)))
    nb.metadata.pop("mystnb", None)
    nb.metadata["colab"] = {"provenance": []}
    return nb


def build(out, requirement=None, paths=None, trust=False):
    out = Path(out)
    bib = read_bib()
    version = d2lmini_version()
    requirement = requirement or pinned_requirement()
    notary = NotebookNotary() if trust else None
    written = []
    for path in paths or notebooks():
        path = Path(path).resolve()
        nb = convert_notebook(nbformat.read(path, as_version=4), bib, version, requirement, path)
        target = out / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        if notary:
            notary.sign(nb)
        nbformat.write(nb, target)
        written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "_build" / "colab"))
    parser.add_argument("--source", help="the pip requirement of d2lmini (default: the "
                                         "course repository at this commit)")
    parser.add_argument("--trust", action="store_true",
                        help="sign the notebooks, so that local Jupyter shows their stored "
                             "figures")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    written = build(args.out, args.source, args.notebooks or None, args.trust)
    print(f"wrote {len(written)} plain notebooks into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
