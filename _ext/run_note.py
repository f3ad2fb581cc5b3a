"""Sphinx extension: which notebooks the build executes, and one generated
sentence on every chapter page that says which run its outputs come from.

It is made from the run record in the notebook's metadata (see
``tools/records.py``): a recorded full-mode run names its device, date, time,
PyTorch version and image size; a notebook without one is executed when the
book is built, and the sentence says so and in which mode. The sentence is a
Markdown cell inserted after the title when the notebook is read, so the
notebook file itself never holds it.
"""
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbformat  # noqa: E402

import records  # noqa: E402


def build_mode():
    """The mode a notebook executed by this build runs in (as d2lmini decides)."""
    value = os.environ.get("D2LMINI_MODE", "").strip().lower()
    if value:
        return value
    import torch
    return "full" if torch.cuda.is_available() else "quick"


def sentence(nb, current_hash):
    status, _ = records.verdict(nb, current_hash)
    if status in ("trusted", "aged"):
        text = records.describe(nb.metadata["d2lmini"])
        if status == "aged":
            text += (" It was made by an older version of d2lmini than the code shown; "
                     "rerunning the notebook may print slightly different numbers.")
        return text
    mode = build_mode()
    text = ("No full-mode run of this chapter is recorded yet: its outputs were computed "
            f"when this website was built, in {mode} mode.")
    if mode == "quick":
        text += (" Quick mode trains on a small subset of the data for fewer epochs, and "
                 "each training run says so in its first line of output.")
    return text


def add_run_note(app, docname, source):
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb" or not source or not source[0].strip():
        return
    nb = nbformat.reads(source[0], as_version=4)
    if not any(c.cell_type == "code" for c in nb.cells):
        return
    note = nbformat.v4.new_markdown_cell(
        "```{admonition} Where these outputs come from\n:class: note run-note\n\n"
        + sentence(nb, app.config.d2lmini_code_hash) + "\n```")
    nb.cells.insert(1, note)
    source[0] = json.dumps(nb)


def configure_execution(app, config):
    """Execute only the notebooks without a recorded run, and throw away the
    cached executions of an older d2lmini (the cache keys on code cells only)."""
    config.nb_execution_excludepatterns = (list(config.nb_execution_excludepatterns)
                                           + records.stored_notebooks(ROOT))
    # where myst-nb puts the cache by default: _build/.jupyter_cache
    cache = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache / "d2lmini_hash"
    if cache.is_dir() and (not stamp.is_file()
                           or stamp.read_text() != config.d2lmini_source_hash):
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(config.d2lmini_source_hash)


def setup(app):
    # What a record's age is judged by: d2lmini's code, docstrings and comments aside.
    app.add_config_value("d2lmini_code_hash", records.current_d2lmini_hash(), "env")
    # What the pages depend on: its whole text, which shown source prints; a
    # change reads every page again and throws the cached executions away.
    app.add_config_value("d2lmini_source_hash", records.current_d2lmini_hash(text=True), "env")
    app.connect("config-inited", configure_execution)
    app.connect("source-read", add_run_note)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
