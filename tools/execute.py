"""Running the chapter notebooks: a recorded full-mode run, or the expected
outputs of the ``# NBVAL_CHECK_OUTPUT`` cells (``nbtool.py execute-full`` and
``nbtool.py record-checked``).
"""
import datetime
import os
import time
from pathlib import Path

import nbformat

import records
import results
from course import ROOT, code_cells
from records import is_checked


def run_notebook(nb, path, timeout):
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


def number_checked(nb):
    """Number the checked cells 1, 2, ... (stable from run to run).

    nbval refuses a stored output whose cell has no execution count.
    """
    checked = [cell for cell in code_cells(nb) if is_checked(cell)]
    for count, cell in enumerate(checked, 1):
        cell.execution_count = count
        for out in cell.outputs:
            if "execution_count" in out:
                out["execution_count"] = count


def record_checked(paths, timeout):
    """Store the expected outputs of the checked cells (they must not depend on the mode)."""
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if records.trusted_run(nb):
            print(f"{path.relative_to(ROOT)}: has full-run outputs; re-run execute-full instead")
            continue
        run_notebook(nb, path, timeout)
        records.strip(nb)
        number_checked(nb)
        nbformat.write(nb, path)
        print(f"{path.relative_to(ROOT)}: recorded the outputs of "
              f"{sum(is_checked(c) for c in code_cells(nb))} checked cells")


def record_run(nb, path, timeout, mode="full"):
    """Execute ``nb`` in ``mode`` (full, or quick for a dry run of the tooling)
    and store its run record; return the record.

    The record comes from the kernel itself (a probe cell run after the
    notebook's own cells and removed again), so it names the device and the
    PyTorch and d2lmini versions that really made the outputs. A quick-mode
    record is never trusted (see records.verdict).
    """
    os.environ["D2LMINI_MODE"] = mode
    probe = nbformat.v4.new_code_cell(records.probe_cell())
    nb.cells.append(probe)
    t0 = time.perf_counter()
    try:
        run_notebook(nb, path, timeout)
    finally:
        nb.cells.remove(probe)
    seconds = time.perf_counter() - t0
    run = records.read_probe(probe)
    if run["mode"] != mode:
        raise RuntimeError(f"the kernel ran in {run['mode']} mode, not {mode}")
    number_checked(nb)
    meta = {"mode": mode, "device": run["device"], "torch": run["torch"],
            "d2lmini": run["d2lmini"], "d2lmini_files": run["d2lmini_files"],
            "d2lmini_hash": run["d2lmini_hash"],
            "image_sizes": run["image_sizes"], "date": datetime.date.today().isoformat(),
            "seconds": round(seconds, 1), "code_hash": records.code_hash(nb)}
    if "precision" in run:  # a CPU run: float32 or bfloat16
        meta["precision"] = run["precision"]
    # the outputs as they will be read back from the file (nbformat normalizes them)
    meta["outputs_hash"] = records.outputs_hash(nbformat.reads(nbformat.writes(nb),
                                                               as_version=4))
    nb.metadata["d2lmini"] = meta  # (a copy: NotebookNode converts the dict)
    nb.metadata.setdefault("mystnb", {})["execution_mode"] = "off"
    return meta


def execute_full(paths, timeout, resume=False, dry_run=False, out=None):
    """Run the notebooks at ``paths`` in full mode (quick with ``dry_run``)
    and store their outputs with the run record; return the exit status.

    Keeps going past a notebook that fails (and says so at the end); with
    ``out``, a folder, writes the executed notebooks there (same relative
    paths) instead of over the originals, else updates the Results page; with
    ``resume`` skips notebooks already recorded for the current code at the
    sizes they ask for (in ``out`` first), so that a record made on a CPU at a
    smaller size is made again.
    """
    current = records.current_d2lmini_hash()
    mode = "quick" if dry_run else "full"
    failed = []
    for path in paths:
        rel = path.relative_to(ROOT)
        target = Path(out).resolve() / rel if out else path
        nb = nbformat.read(path, as_version=4)
        if resume and any(
                p.exists() and records.done_at_own_size(nbformat.read(p, as_version=4),
                                                        current, mode)
                for p in {target, path}):
            print(f"{rel}: already recorded at its own size for this code, skipped")
            continue
        try:
            meta = record_run(nb, path, timeout, mode)
        except Exception as e:  # keep going: report it at the end
            failed.append(rel)
            print(f"{rel}: FAILED in {mode} mode: {type(e).__name__}: {str(e)[-2000:]}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        print(f"{rel}: {meta['seconds']:.1f} s in {mode} mode on {meta['device']}")
    if not out:
        results.write()
    if failed:
        print("failed:", ", ".join(map(str, failed)))
        return 1
    return 0
