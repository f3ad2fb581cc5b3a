"""The plain-Jupyter edition of the chapters, for Colab and local Jupyter.

    python tools/colab.py [--out _build/colab] [--source PIP_REQUIREMENT]

Jupyter and Colab read a notebook's Markdown as CommonMark: the book's MyST
(directives, roles, labels) would show as raw text there, and every solution
would be printed under its exercise. Each chapter is rewritten into
``OUT/<same path>.ipynb`` with

* exercises as numbered headings (``### Exercise 3``) with their text, and
  each solution folded in an HTML ``<details>`` block;
* citations as "(He et al., 2016)" and a reference list at the end;
* admonitions as quoted blocks, labels and cross-references as plain text;
* glued numbers replaced by their value in the stored outputs (or a note that
  the run prints it);
* the stored outputs kept;
* a first cell that installs the d2lmini the book was built from (a pip
  requirement pinned to a commit) where it is missing or another version is
  installed, and leaves a matching one alone.
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtool  # noqa: E402
import records  # noqa: E402

ROOT = nbtool.ROOT


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
    for cell in records.code_cells(nb):
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = out.get("data", {})
                text = next((v for k, v in data.items() if k.endswith("text/plain")), None)
                if text is not None:
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

FENCE = re.compile(r"^(?P<ticks>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>.*)$")


def split_options(lines):
    """Split a directive's body into ``({option: value}, remaining lines)``."""
    options, i = {}, 0
    while i < len(lines) and re.match(r"^:[\w-]+:", lines[i]):
        key, _, value = lines[i][1:].partition(":")
        options[key] = value.strip()
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    return options, lines[i:]


class Converter:
    """Turns the Markdown cells of one chapter into CommonMark."""

    def __init__(self, bib, values):
        self.bib, self.values = bib, values
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
            return self.labels.get(target, target.replace("-", " "))
        text = re.sub(r"\{(ref|numref|doc|eq|prf:ref|download)\}`([^`]+)`", ref, text)
        return text

    def blocks(self, text):
        lines, out, i = text.split("\n"), [], 0
        while i < len(lines):
            line = lines[i]
            if re.match(r"^\([\w-]+\)=\s*$", line):  # a MyST label
                i += 1
                continue
            m = FENCE.match(line)
            if not m:
                out.append(re.sub(r"(\$\$)\s*\([\w-]+\)\s*$", r"\1", line))
                i += 1
                continue
            ticks, name, arg = m.group("ticks"), m.group("name"), m.group("arg").strip()
            body, i = [], i + 1
            while i < len(lines) and lines[i].rstrip() != ticks:
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence
            options, body = split_options(body)
            inner = self.blocks("\n".join(body))
            out.extend(self.directive(name, arg, options, inner).split("\n"))
        return "\n".join(out)

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

def setup_source(version, requirement):
    return (
        f"# Setup: this notebook was made with d2lmini {version}. Install that version\n"
        "# where d2lmini is missing; where it is installed already, nothing changes.\n"
        "try:\n"
        "    import d2lmini\n"
        "except ImportError:\n"
        f"    %pip install --quiet \"{requirement}\"\n"
        "    import d2lmini\n"
        f"if d2lmini.__version__ != \"{version}\":\n"
        f"    print(\"This notebook was made with d2lmini {version}, but \"\n"
        "          f\"{d2lmini.__version__} is installed: run\\n\"\n"
        f"          \"  %pip install --force-reinstall '{requirement}'\\n\"\n"
        "          \"and restart the runtime.\")")


def convert_notebook(nb, bib, version, requirement):
    """The plain edition of one chapter (a new notebook)."""
    nb = nbformat.from_dict(nb)
    conv = Converter(bib, glued_values(nb))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = conv.convert(cell.source)
    code = records.code_cells(nb)
    if code and code[0].source.lstrip().startswith(nbtool.SETUP_MARK):
        code[0].source = setup_source(version, requirement)
        code[0].outputs, code[0].execution_count = [], None
    if conv.cited:
        lines = ["## References", ""] + [reference_line(bib.get(k, {"title": k}))
                                          for k in conv.cited]
        nb.cells.append(nbformat.v4.new_markdown_cell("\n".join(lines)))
    nb.metadata.pop("mystnb", None)
    nb.metadata["colab"] = {"provenance": []}
    return nb


def pinned_requirement():
    """d2lmini from the course repository, at the commit the book was built from."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "v" + d2lmini_version()
    return f"d2lmini @ git+{nbtool.repository_url()}@{commit}"


def d2lmini_version():
    text = (ROOT / "d2lmini" / "version.py").read_text()
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def build(out, requirement=None, paths=None):
    out = Path(out)
    bib = read_bib()
    version = d2lmini_version()
    requirement = requirement or pinned_requirement()
    written = []
    for path in paths or nbtool.notebooks():
        path = Path(path).resolve()
        nb = convert_notebook(nbformat.read(path, as_version=4), bib, version, requirement)
        target = out / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "_build" / "colab"))
    parser.add_argument("--source", help="the pip requirement of d2lmini (default: the "
                                         "course repository at this commit)")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    written = build(args.out, args.source, args.notebooks or None)
    print(f"wrote {len(written)} plain notebooks into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
