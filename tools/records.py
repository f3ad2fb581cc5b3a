"""The record of a full-mode run, kept in a notebook's metadata.

A notebook is committed either with no outputs (apart from the cells nbval
checks) or with the outputs of one full-mode run, described by
``metadata.d2lmini``:

* ``mode`` ("full"), ``device``, ``torch``, ``d2lmini_files`` and
  ``d2lmini_hash``: what the kernel that ran the notebook reported
  (:func:`d2lmini.runtime.run_record`): the d2lmini modules it imported and
  the hash of their code (``d2lmini.version.source_hash``, which leaves
  docstrings and comments out), which a later change to the code of one of
  them makes "aged";
* ``image_sizes``: the sizes the chapter asked for and the sizes it got
  (a CPU run trains the large networks on smaller images);
* ``seconds`` and ``date`` of the run;
* ``code_hash``: the notebook's code cells when it ran;
* ``outputs_hash``: its outputs, so that outputs changed after the run (a
  quick-mode re-run saved over them, say) no longer match their record.

:func:`verdict` says whether the outputs may be shown, and why not.
"""
import hashlib
import json
import re
from pathlib import Path

from course import ROOT, cell_outputs, code_cells, printed, version_module

CHECK_MARKER = "NBVAL_CHECK_OUTPUT"

#: A whole line that is an nbval marker comment (``# NBVAL_CHECK_OUTPUT``,
#: ``#NBVAL_SKIP``, ...): for the tests, not for readers.
MARKER_LINE = re.compile(r"^[ \t]*#+[ \t]*NBVAL_[A-Z_]+[ \t]*(?:\n|$)", re.MULTILINE)


def without_markers(source):
    """A cell's code as readers see it: without its nbval marker lines."""
    return MARKER_LINE.sub("", source)

#: The line a kernel prints for the record (see :func:`probe_cell`).
PROBE_TAG = "d2lmini-run-record:"

#: Words that only a quick-mode run prints.
QUICK_TEXT = re.compile(r"\bquick mode\b", re.IGNORECASE)

#: How the plain text of ``d2lmini.show_source(obj)`` starts: the file shown.
SHOWN_FILE = re.compile(r"# (d2lmini/[\w/]+\.py), lines \d+-\d+\n")


def current_d2lmini_hash(root=ROOT, files=None, text=False):
    """The hash of the d2lmini code in the checkout at ``root``: of the
    ``files`` listed (relative to the package folder), or of all of it; with
    ``text``, of their whole text (see ``d2lmini.version.source_hash``)."""
    return version_module(root).source_hash(files, root=str(Path(root) / "d2lmini"),
                                            text=text)


def is_checked(cell):
    """True when nbval checks the cell's output: a comment line that reads
    ``NBVAL_CHECK_OUTPUT`` after its ``#`` marks (with or without a space,
    anywhere in the cell), or the cell tag ``nbval-check-output``; the last
    nbval marker in the cell wins, as in nbval."""
    if "nbval-check-output" in cell.get("metadata", {}).get("tags", []):
        return True
    verdict = False
    for line in cell.source.splitlines():
        line = line.strip()
        if line.startswith("#"):
            comment = line.lstrip("#").strip()
            if comment.startswith("NBVAL_"):
                verdict = comment == CHECK_MARKER
    return verdict


def code_hash(nb):
    """SHA-256 over the sources of the code cells, in order."""
    h = hashlib.sha256()
    for cell in code_cells(nb):
        h.update(cell.source.strip().encode())
        h.update(b"\n\x00\n")
    return h.hexdigest()


def outputs_hash(nb):
    """SHA-256 over the outputs of the code cells that nbval does not check."""
    outputs = [c.outputs for c in code_cells(nb) if not is_checked(c)]
    text = json.dumps(outputs, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def probe_cell():
    """Code that makes the kernel print its run record (one line of JSON); a
    CPU run adds the precision its networks computed in (d2lmini.precision)."""
    return ("import json as _json, sys as _sys, d2lmini as _d2lmini\n"
            "_record = _d2lmini.runtime.run_record()\n"
            "_p = _sys.modules.get('d2lmini.precision')\n"
            "if _record['device'].startswith('cpu'):\n"
            "    _record['precision'] = _p.precision_used() if _p else 'float32'\n"
            f"print({PROBE_TAG!r}, _json.dumps(_record))")


def read_probe(cell):
    """The run record printed by :func:`probe_cell` into ``cell``'s outputs."""
    for out in cell.outputs:
        for line in printed(out).splitlines():
            if line.startswith(PROBE_TAG):
                return json.loads(line[len(PROBE_TAG):])
    raise ValueError("the kernel did not print its run record: "
                     + json.dumps(cell.outputs)[:300])


def quick_outputs(nb):
    """Indices (among code cells) of cells whose printed output says quick mode."""
    return sorted({i for i, cell, out in cell_outputs(nb)
                   if not is_checked(cell) and QUICK_TEXT.search(printed(out))})


def changed_sources(nb, root=ROOT):
    """The files of the d2lmini code that ``nb``'s outputs show (with
    ``show_source``) and that no longer hold that code as it is shown,
    docstrings and comments included (the page shows them)."""
    changed = []
    for _, _, out in cell_outputs(nb):
        text = out.get("data", {}).get("text/plain", "")
        m = SHOWN_FILE.match(text)
        if not m:
            continue
        path = Path(root) / m[1]
        lines = [line.strip() for line in path.read_text().splitlines()] if path.is_file() else []
        shown = [line.strip() for line in text[m.end():].splitlines()]
        if not any(lines[i:i + len(shown)] == shown for i in range(len(lines))):
            changed.append(m[1])
    return changed


def has_outputs(nb):
    return any((c.outputs or c.execution_count is not None) and not is_checked(c)
               for c in code_cells(nb))


def verdict(nb, current_hash=None):
    """``(status, message)`` for the outputs stored in ``nb``.

    status is one of

    * ``"none"``: no record and no outputs outside checked cells;
    * ``"trusted"``: a full-mode record that matches the code and the outputs;
    * ``"aged"``: trusted, but made by another version of d2lmini: the code of
      one of the modules the run imported has changed since, or the text of
      an object that its outputs show (``current_hash``, the hash of the whole
      package, asks for this check and is what records older than the list of
      modules are compared with); shown, and said so on the page;
    * ``"untrusted"``: outputs that must be cleared; the message says why.
    """
    meta = nb.metadata.get("d2lmini")
    if meta is None:
        if has_outputs(nb):
            return "untrusted", "has outputs but no record of a full-mode run"
        return "none", "no stored outputs"
    if meta.get("mode") != "full":
        return "untrusted", f"its outputs come from a {meta.get('mode')!r}-mode run"
    if meta.get("code_hash") != code_hash(nb):
        return "untrusted", "its outputs are stale: the code changed after the run"
    quick = quick_outputs(nb)
    if quick:
        return "untrusted", (f"recorded as a full run, but code cell {quick[0] + 1} "
                             "printed quick-mode output")
    if meta.get("outputs_hash") != outputs_hash(nb):
        return "untrusted", "its outputs changed after the recorded run"
    if current_hash:
        files = meta.get("d2lmini_files")
        current = current_d2lmini_hash(files=files) if files else current_hash
        if meta.get("d2lmini_hash") != current:
            return "aged", "its outputs were made by another version of d2lmini"
        changed = changed_sources(nb)
        if changed:
            return "aged", f"its outputs show code of {changed[0]} as it was before a change"
    return "trusted", "outputs of a recorded full-mode run"


def trusted_run(nb):
    """The notebook's full-run record, if its outputs may be shown; else None."""
    status, _ = verdict(nb)
    return nb.metadata["d2lmini"] if status in ("trusted", "aged") else None


def strip(nb):
    """Clear every output that is not trusted; return True if anything changed."""
    changed = False
    if trusted_run(nb):
        return False
    if "d2lmini" in nb.metadata:
        del nb.metadata["d2lmini"]
        changed = True
    if nb.metadata.get("mystnb", {}).pop("execution_mode", None) is not None:
        changed = True
        if not nb.metadata["mystnb"]:
            del nb.metadata["mystnb"]
    for cell in code_cells(nb):
        if is_checked(cell):
            continue
        if cell.outputs or cell.execution_count is not None:
            cell.outputs = []
            cell.execution_count = None
            changed = True
    return changed


def chapter_verdicts(root):
    """``(path, notebook, status)`` for every chapter notebook under ``root``
    (the path POSIX and relative to ``root``; status as :func:`verdict`'s)."""
    import nbformat
    current = current_d2lmini_hash()
    for path in sorted((Path(root) / "chapters").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        yield path.relative_to(root).as_posix(), nb, verdict(nb, current)[0]


def stored_notebooks(root):
    """The chapter notebooks under ``root`` whose stored outputs are shown
    (a recorded full-mode run, trusted or aged). The book executes every other
    notebook."""
    return [path for path, _, status in chapter_verdicts(root) if status in ("trusted", "aged")]


def waits_for_gpu(meta):
    """True when the run trained on smaller images than the chapter asks for."""
    return any(s["asked"] != s["used"] for s in meta.get("image_sizes", []))


def done_at_own_size(nb, current_hash=None, mode="full"):
    """True when ``nb`` holds a trusted full-mode record made at the sizes the
    chapter asks for: a run that no device needs to repeat. (With ``mode``
    quick, a dry run's record of the present code, at whatever size.)"""
    meta = nb.metadata.get("d2lmini", {})
    if mode != "full":
        return meta.get("mode") == mode and meta.get("code_hash") == code_hash(nb)
    return verdict(nb, current_hash)[0] == "trusted" and not waits_for_gpu(meta)


def gpu_plan(root):
    """The chapter notebooks under ``root`` that wait for a GPU run: those with
    no record to show, and those recorded on a CPU at a smaller image size
    than they ask for."""
    return [path for path, nb, status in chapter_verdicts(root)
            if status not in ("trusted", "aged") or waits_for_gpu(nb.metadata["d2lmini"])]


def device(meta):
    """The device of a record, with the precision where a CPU ran bfloat16."""
    if meta.get("precision", "float32") != "float32":
        return f"{meta['device']} in {meta['precision']}"
    return meta["device"]


def describe(meta):
    """One sentence on which run a page's outputs come from."""
    sizes = meta.get("image_sizes", [])
    used = sorted({s["used"] for s in sizes})
    text = (f"The outputs on this page come from a full-mode run on {device(meta)}"
            f" on {meta['date']} ({meta['seconds']:.0f} s, PyTorch {meta['torch']}")
    text += f", images at {' and '.join(used)})." if used else ")."
    if waits_for_gpu(meta):
        asked = sorted({s["asked"] for s in sizes if s["asked"] != s["used"]})
        text += (f" The chapter's own size, {' and '.join(asked)}, needs a GPU; that run "
                 "is still to be recorded.")
    return text
