"""Where the course's files are, and what every tool reads the same way: the
book's configuration and table of contents, the chapter notebooks, their cells
and outputs, d2lmini's version, and the setup cell that installs d2lmini.

The standard library and PyYAML only, so that the GPU machine can run it.
"""
import importlib.util
import json
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETUP_MARK = "# Setup:"


def config():
    with open(ROOT / "_config.yml") as f:
        return yaml.safe_load(f)


def repository_url():
    return config()["repository"]["url"].rstrip("/")


def toc_files():
    """Paths (relative to the root, with suffix) of every file in _toc.yml."""
    with open(ROOT / "_toc.yml") as f:
        toc = yaml.safe_load(f)
    out = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                out.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    out.append(toc["root"])
    walk({k: v for k, v in toc.items() if k != "root"})
    resolved = []
    for name in out:
        candidates = [ROOT / name] + [ROOT / (name + s) for s in (".ipynb", ".md")]
        hit = next((c for c in candidates if c.is_file()), None)
        resolved.append((name, hit))
    return resolved


def notebooks():
    return sorted(p for p in (ROOT / "chapters").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def relative(path):
    """``path`` relative to the root where it lies inside, else as given."""
    try:
        return Path(path).resolve().relative_to(ROOT)
    except ValueError:
        return Path(path)


def chapter_title(nb, default):
    """The text of the notebook's first ``# Title`` line, else ``default``."""
    return next((c.source.splitlines()[0].lstrip("# ").strip() for c in nb.cells
                 if c.cell_type == "markdown" and c.source.startswith("# ")), default)


def page_title(path):
    """The title of a page of the book, as :func:`chapter_title` finds a
    notebook's (the first Markdown cell that starts with ``# Title``) or, in a
    Markdown file, its first ``# Title`` line; None where it has none."""
    path = Path(path)
    if path.suffix == ".ipynb":
        sources = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                   if c["cell_type"] == "markdown"]
        return next((s.splitlines()[0].lstrip("# ").strip() for s in sources
                     if s.startswith("# ")), None)
    return next((line[2:].strip() for line in path.read_text().splitlines()
                 if line.startswith("# ")), None)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def cell_outputs(nb):
    """``(i, cell, output)`` for every output of every code cell of ``nb``,
    ``i`` counting the code cells from 0."""
    for i, cell in enumerate(code_cells(nb)):
        for out in cell.get("outputs", []):
            yield i, cell, out


def printed(out):
    """The text of a stream output (what the cell printed); "" for any other."""
    return out.get("text", "") if out.get("output_type") == "stream" else ""


def version_module(root=ROOT):
    """``d2lmini/version.py`` of the checkout at ``root``, loaded on its own:
    d2lmini's version and source fingerprint without importing PyTorch."""
    spec = importlib.util.spec_from_file_location("d2lmini_version",
                                                  Path(root) / "d2lmini" / "version.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the standard library only
    return module


def d2lmini_version():
    return version_module().__version__


def pinned_requirement():
    """d2lmini from the course repository, at the commit the book was built from."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "v" + d2lmini_version()
    return f"d2lmini @ git+{repository_url()}@{commit}"


SETUP_CELL = """\
{comment}
try:
    import d2lmini
except ImportError:
    %pip install --quiet "{requirement}"
    import d2lmini{check}"""


def setup_cell_source(version=None, requirement=None):
    """The first code cell of every notebook: it installs d2lmini where it is
    missing and changes nothing where it is installed.

    A chapter installs it from the course repository. Given the ``version``
    and the pip ``requirement`` it was made with (the plain edition, the
    assignments), it installs that and says so where another version is
    installed.
    """
    if version is None:
        return SETUP_CELL.format(
            comment="# Setup: on Colab (or wherever d2lmini is missing) install it from the "
                    "course\n# repository; where it is installed already, this changes nothing.",
            requirement=f"d2lmini @ git+{repository_url()}", check="")
    check = (f"\nif d2lmini.__version__ != \"{version}\":\n"
             f"    print(\"This notebook was made with d2lmini {version}, but \"\n"
             "          f\"{d2lmini.__version__} is installed: run\\n\"\n"
             f"          \"  %pip install --force-reinstall '{requirement}'\\n\"\n"
             "          \"and restart the runtime.\")")
    return SETUP_CELL.format(
        comment=f"# Setup: this notebook was made with d2lmini {version}. Install that "
                "version\n# where d2lmini is missing; where it is installed already, "
                "nothing changes.",
        requirement=requirement, check=check)
