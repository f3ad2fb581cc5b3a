"""Notebook hygiene: the table of contents, setup cells, and which outputs may be stored."""
import nbformat
import pytest

import execute
import nbtool
import records
import results

NOTEBOOKS = nbtool.notebooks()


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks under chapters/"


def test_every_toc_entry_exists():
    missing = [name for name, path in nbtool.toc_files() if path is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {path for _, path in nbtool.toc_files()}
    orphans = [str(p.relative_to(nbtool.ROOT)) for p in NOTEBOOKS if p not in listed]
    assert not orphans, f"notebooks missing from _toc.yml: {orphans}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(nbtool.ROOT)))
def test_notebook_hygiene(path):
    assert nbtool.problems(path) == []


def test_setup_cell_installs_from_the_configured_repository():
    url = nbtool.config()["repository"]["url"]
    cell = nbtool.setup_cell_source()
    assert f"git+{url}" in cell
    assert cell.splitlines()[0].startswith(nbtool.SETUP_MARK)
    assert "except ImportError:" in cell  # installs only when the import fails


# The rules themselves, on small synthetic notebooks.

def make_nb(outputs=True):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    setup = nbformat.v4.new_code_cell(nbtool.setup_cell_source())
    checked = nbformat.v4.new_code_cell(nbtool.CHECK_MARK + "\nprint(1)", execution_count=1)
    plain = nbformat.v4.new_code_cell("print(2)")
    if outputs:
        checked.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
        plain.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
        plain.execution_count = 3
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), setup, checked, plain]
    return nb


def record(nb, **fields):
    """Give ``nb`` the record of a full-mode run of its present code and outputs."""
    nb.metadata["d2lmini"] = dict({"mode": "full", "code_hash": records.code_hash(nb),
                                   "outputs_hash": records.outputs_hash(nb)}, **fields)
    nb.metadata["mystnb"] = {"execution_mode": "off"}


def write(tmp_path, nb, monkeypatch):
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_unrecorded_outputs_are_a_problem_and_are_stripped(tmp_path, monkeypatch):
    nb = make_nb()
    path = write(tmp_path, nb, monkeypatch)
    assert any("has outputs but no record" in p for p in nbtool.problems(path))
    assert records.strip(nb)
    assert nb.cells[3].outputs == [] and nb.cells[3].execution_count is None
    assert nb.cells[2].outputs  # the checked cell keeps its expected output
    assert nbtool.problems(write(tmp_path, nb, monkeypatch)) == []


def test_full_run_outputs_are_kept_until_the_code_changes(tmp_path, monkeypatch):
    nb = make_nb()
    record(nb)
    assert nbtool.problems(write(tmp_path, nb, monkeypatch)) == []
    assert not records.strip(nb)
    nb.cells[3].source = "print(3)"
    problems = nbtool.problems(write(tmp_path, nb, monkeypatch))
    assert any("stale" in p for p in problems)
    assert records.strip(nb)
    assert nb.cells[3].outputs == [] and "d2lmini" not in nb.metadata
    assert "mystnb" not in nb.metadata  # the book executes it again


def test_quick_mode_outputs_are_never_trusted(tmp_path, monkeypatch):
    nb = make_nb()
    nb.metadata["d2lmini"] = {"mode": "quick", "code_hash": records.code_hash(nb)}
    problems = nbtool.problems(write(tmp_path, nb, monkeypatch))
    assert any("'quick'-mode run" in p for p in problems)
    assert records.strip(nb) and nb.cells[3].outputs == []


def test_setup_cell_and_kernel_are_checked(tmp_path, monkeypatch):
    nb = make_nb(outputs=False)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells[1].source = "import d2lmini"
    nb.metadata["kernelspec"]["name"] = "julia"
    problems = nbtool.problems(write(tmp_path, nb, monkeypatch))
    assert any("canonical setup cell" in p for p in problems)
    assert any("kernelspec" in p for p in problems)


def test_checked_cells_need_an_expected_output(tmp_path, monkeypatch):
    nb = make_nb(outputs=False)
    problems = nbtool.problems(write(tmp_path, nb, monkeypatch))
    assert any("no stored output" in p for p in problems)


def test_results_page_is_up_to_date():
    page = nbtool.ROOT / "results.md"
    assert page.read_text() == results.results_markdown(), \
        "results.md is stale: run `python tools/nbtool.py results`"


def results_of_one(tmp_path, monkeypatch, summary, **fields):
    """A notebook that printed the training ``summary`` line and holds a record
    with ``fields``, alone on the Results page: (notebook, its path)."""
    nb = make_nb()
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text=summary)]
    record(nb, **fields)
    path = write(tmp_path, nb, monkeypatch)
    monkeypatch.setattr(results, "ROOT", tmp_path)
    monkeypatch.setattr(results, "toc_files", lambda: [])
    monkeypatch.setattr(results, "notebooks", lambda: [path])
    return nb, path


def test_results_rows_come_from_the_recorded_run(tmp_path, monkeypatch):
    nb, _ = results_of_one(
        tmp_path, monkeypatch,
        "loss 0.301, train acc 0.890, test acc 0.875, 51234.5 examples/sec on cuda:0\n",
        seconds=12.34, device="NVIDIA H100", torch="2.14.1", date="2026-11-24",
        image_sizes=[{"asked": "96x96", "used": "96x96"}])
    page = results.results_markdown()
    assert "| NVIDIA H100, 96x96" in page and "| 12.3 | 0.875 |" in page
    assert (": one training run, PyTorch 2.14.1, 2026-11-24. Test accuracy: 0.875. "
            "Examples per second: 51,234.") in page
    assert "1 of 1 notebooks recorded" in page
    nb.cells[3].source = "print('changed')"   # stale: no longer counts as recorded
    write(tmp_path, nb, monkeypatch)
    assert "not recorded" in results.results_markdown()


def test_results_name_a_cpu_runs_precision_and_the_sizes_it_waits_for(tmp_path, monkeypatch):
    results_of_one(
        tmp_path, monkeypatch,
        "loss 0.301, train acc 0.890, test acc 0.883, 1864.1 examples/sec on cpu\n",
        seconds=99.0, device="cpu (2 threads)", torch="2.14.1", date="2026-12-07",
        precision="bfloat16", image_sizes=[{"asked": "28x28", "used": "28x28"},
                                           {"asked": "224x224", "used": "67x67"}])
    page = results.results_markdown()
    assert ("| cpu (2 threads) in bfloat16, 28x28, 67x67; waits for a GPU run at 224x224"
            in page) and "| 99.0 | 0.883 |" in page


def test_results_give_the_range_of_several_runs_and_list_each(tmp_path, monkeypatch):
    results_of_one(
        tmp_path, monkeypatch,
        "loss 0.3, train acc 0.9, test acc 0.875, 100.0 examples/sec on cpu\n"
        "loss 0.3, train acc 0.9, test acc 0.100, 2000.4 examples/sec on cpu\n"
        "loss 0.3, train acc 0.9, test acc 0.912, 300.0 examples/sec on cpu\n",
        seconds=5.0, device="cpu (2 threads)", torch="2.14.1", date="2026-12-07",
        image_sizes=[{"asked": "28x28", "used": "28x28"}])
    page = results.results_markdown()
    assert "| 5.0 | 0.100 to 0.912 (3 runs) |" in page
    assert ("3 training runs, PyTorch 2.14.1, 2026-12-07. Test accuracy: 0.875, 0.100, "
            "0.912. Examples per second: 100, 2,000, 300.") in page


def test_chapter_map_shows_every_chapter():
    import chapter_map
    chapters = {name for name, path in nbtool.toc_files()
                if path is not None and path.suffix == ".ipynb"}
    assert chapters == set(chapter_map.CHAPTERS), \
        "tools/chapter_map.py and _toc.yml list different chapters"
    for a, b in chapter_map.DEPENDS:
        assert a in chapter_map.CHAPTERS and b in chapter_map.CHAPTERS


def test_checked_cells_need_an_execution_count_for_nbval(tmp_path, monkeypatch):
    nb = make_nb()
    records.strip(nb)
    nb.cells[2].execution_count = None
    problems = nbtool.problems(write(tmp_path, nb, monkeypatch))
    assert any("no execution count" in p for p in problems)
    execute.number_checked(nb)
    assert nb.cells[2].execution_count == 1
    assert nbtool.problems(write(tmp_path, nb, monkeypatch)) == []


def test_a_line_break_inside_math_must_not_start_a_list():
    ok = "The loss is $a\n+ b$, fine? No.\n\n- a list item\n- another with $x$"
    assert nbtool.broken_math_lines(ok) == ["+ b$, fine? No."]
    display = "$$\nx = a\n- b\n$$\n\n```python\n- not markdown\n```"
    assert nbtool.broken_math_lines(display) == ["- b"]
    assert nbtool.broken_math_lines("text $x$\n- item after closed math") == []


def test_a_quick_mode_rerun_of_a_recorded_notebook_is_rejected(tmp_path, monkeypatch):
    nb = make_nb()
    record(nb)
    assert nbtool.problems(write(tmp_path, nb, monkeypatch)) == []
    # Re-run in quick mode and saved: the code is the same, the record still says full.
    nb.cells[3].outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="quick mode: 3,000 of 60,000 training images\n")]
    problems = nbtool.problems(write(tmp_path, nb, monkeypatch))
    assert any("printed quick-mode output" in p for p in problems)
    assert records.strip(nb) and nb.cells[3].outputs == []


def test_outputs_changed_after_the_run_are_rejected(tmp_path, monkeypatch):
    nb = make_nb()
    record(nb)
    nb.cells[3].outputs[0]["text"] = "3\n"  # any output that is not the recorded one
    problems = nbtool.problems(write(tmp_path, nb, monkeypatch))
    assert any("outputs changed after the recorded run" in p for p in problems)


def test_outputs_of_an_older_d2lmini_are_reported_as_aged():
    nb = make_nb()
    record(nb, d2lmini_hash="0" * 64)
    assert records.verdict(nb, records.current_d2lmini_hash())[0] == "aged"
    nb.metadata["d2lmini"]["d2lmini_hash"] = records.current_d2lmini_hash()
    assert records.verdict(nb, records.current_d2lmini_hash())[0] == "trusted"


def test_a_record_ages_only_when_a_module_it_imported_changes():
    nb = make_nb()
    files = ["conv.py", "train.py"]
    record(nb, d2lmini_files=files, d2lmini_hash=records.current_d2lmini_hash(files=files))
    # another module changed or was added: the package hash differs, the record holds
    assert records.verdict(nb, "f" * 64)[0] == "trusted"
    nb.metadata["d2lmini"]["d2lmini_hash"] = "0" * 64  # one of its modules changed
    assert records.verdict(nb, "f" * 64)[0] == "aged"


def test_source_hash_covers_the_listed_files_only(tmp_path):
    from d2lmini.version import source_hash
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    before = source_hash(["a.py"], root=str(tmp_path))
    (tmp_path / "c.py").write_text("z = 3\n")
    (tmp_path / "b.py").write_text("y = 3\n")
    assert source_hash(["a.py"], root=str(tmp_path)) == before
    assert source_hash(root=str(tmp_path)) != source_hash(["a.py"], root=str(tmp_path))
    (tmp_path / "a.py").write_text("x = 2\n")
    assert source_hash(["a.py"], root=str(tmp_path)) != before
    (tmp_path / "a.py").unlink()
    assert source_hash(["a.py"], root=str(tmp_path)) != before


def test_the_run_record_lists_the_modules_that_ran():
    from d2lmini import resnet18, runtime, train_classifier
    from d2lmini.version import source_hash
    assert resnet18 and train_classifier  # imported now if this process had not yet
    run = runtime.run_record()
    assert {"train.py", "runtime.py", "models/resnet.py"} <= set(run["d2lmini_files"])
    assert not any(f.endswith(("__init__.py", "exports.py", "version.py"))
               for f in run["d2lmini_files"])
    assert run["d2lmini_hash"] == source_hash(run["d2lmini_files"])


@pytest.mark.parametrize("source, checked", [
    ("# NBVAL_CHECK_OUTPUT\nprint(1)", True),
    ("#NBVAL_CHECK_OUTPUT\nprint(1)", True),          # no space: nbval checks it too
    ("x = 1\n  ##  NBVAL_CHECK_OUTPUT\nprint(x)", True),
    ("print(1)  # NBVAL_CHECK_OUTPUT", False),         # not a comment line
    ("# NBVAL_CHECK_OUTPUT\n# NBVAL_IGNORE_OUTPUT", False),  # the last marker wins
    ("print(1)", False),
])
def test_checked_cells_are_found_as_nbval_finds_them(source, checked):
    assert records.is_checked(nbformat.v4.new_code_cell(source)) is checked


@pytest.mark.parametrize("source, shown", [
    ("# NBVAL_CHECK_OUTPUT\nprint(1)", "print(1)"),
    ("x = 1\n  ##NBVAL_SKIP\nprint(x)\n", "x = 1\nprint(x)\n"),
    ("print(1)  # NBVAL_CHECK_OUTPUT", "print(1)  # NBVAL_CHECK_OUTPUT"),  # code, kept
    ("# a comment on NBVAL_CHECK_OUTPUT\nprint(1)", "# a comment on NBVAL_CHECK_OUTPUT\nprint(1)"),
])
def test_readers_see_code_without_its_markers(source, shown):
    assert records.without_markers(source) == shown


def test_strip_keeps_the_reference_output_of_an_unspaced_marker():
    nb = make_nb()
    nb.cells[2].source = "#NBVAL_CHECK_OUTPUT\nprint(1)"
    records.strip(nb)
    assert nb.cells[2].outputs and not nb.cells[3].outputs
