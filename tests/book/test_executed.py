"""The notebooks that the book build executed (``make book``, then ``make executed``).

A notebook without a recorded full-mode run is executed once, when the book is
built, and kept in the book's jupyter-cache (``_build/.jupyter_cache``); the
test suite does not execute it a second time. These tests read that cache:
every such notebook must be there (the build ran it without error, so every
``claim`` held), and each cell marked ``# NBVAL_CHECK_OUTPUT`` must have printed
what the notebook stores, as nbval would check. Notebooks with a recorded run
are executed by nbval instead (``make notebooks``).
"""
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import records  # noqa: E402

CACHE = ROOT / "_build" / ".jupyter_cache"
STORED = set(records.stored_notebooks(ROOT))
EXECUTED = [p for p in sorted((ROOT / "chapters").rglob("*.ipynb"))
            if p.relative_to(ROOT).as_posix() not in STORED
            and ".ipynb_checkpoints" not in p.parts]


def comparable(outputs):
    """What nbval's lax mode compares: the text of streams (consecutive pieces
    of one stream joined) and the plain-text form of results; not images."""
    items = []
    for out in outputs:
        if out.output_type == "stream":
            if items and items[-1][0] == out.name:
                items[-1] = (out.name, items[-1][1] + out.text)
            else:
                items.append((out.name, out.text))
        elif out.output_type in ("execute_result", "display_data"):
            items.append(("result", out.get("data", {}).get("text/plain", "")))
        elif out.output_type == "error":
            items.append(("error", out.ename))
    return items


@pytest.fixture(scope="module")
def cache():
    from jupyter_cache import get_cache
    if not CACHE.is_dir():
        pytest.fail(f"{CACHE.relative_to(ROOT)} is missing: build the book first (make book)")
    return get_cache(str(CACHE))


def test_comparable_joins_streams_and_ignores_images():
    outs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
            nbformat.v4.new_output("stream", name="stdout", text="b\n"),
            nbformat.v4.new_output("display_data", data={"image/png": "xx", "text/plain": "<F>"})]
    assert comparable(outs) == [("stdout", "a\nb\n"), ("result", "<F>")]
    assert comparable(outs[:1]) != comparable(outs[:2])


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.stem)
def test_checked_cells_of_the_book_run(cache, path):
    nb = nbformat.read(path, as_version=4)
    try:
        record = cache.match_cache_notebook(nb)
    except KeyError:
        pytest.fail(f"{path.relative_to(ROOT)} has no run in the book's cache for its "
                    "present code: build the book (make book)")
    executed = cache.get_cache_bundle(record.pk).nb
    seconds = record.data.get("execution_seconds")
    print(f"{path.relative_to(ROOT)}: executed by the book build in {seconds:.1f} s")
    stored_cells = records.code_cells(nb)
    run_cells = records.code_cells(executed)
    assert len(stored_cells) == len(run_cells)
    for number, (stored, run) in enumerate(zip(stored_cells, run_cells), 1):
        if records.is_checked(stored):
            assert comparable(run.outputs) == comparable(stored.outputs), (
                f"code cell {number} of {path.name} printed something else than it "
                "stores: run `python tools/nbtool.py record-checked` if the change is right")
