"""Runs over seeds (d2lmini.seeds) and the list of the chapters' comparisons
(tools/comparisons.py)."""
import math

import nbformat
import pytest
import torch

import d2lmini
from d2lmini.seeds import Spread

import comparisons  # tools/, which tests/conftest.py puts on the path


def test_spread_gives_mean_sample_sd_and_range():
    s = d2lmini.spread([0.80, 0.84, 0.82])
    assert math.isclose(s.mean, 0.82) and math.isclose(s.sd, 0.02)
    assert (s.low, s.high, s.n) == (0.80, 0.84, 3)
    assert "0.820 ± 0.020" in str(s) and "3 seeds" in str(s)
    assert d2lmini.spread([0.5]).sd == 0.0


def test_beats_means_every_run_above_every_run():
    a, b = d2lmini.spread([0.9, 0.91, 0.95]), d2lmini.spread([0.8, 0.85, 0.89])
    assert a.beats(b) and not b.beats(a)
    overlapping = d2lmini.spread([0.88, 0.99, 0.99])
    assert overlapping.mean > b.mean and not overlapping.beats(b)


@pytest.mark.parametrize("bad", [3.0, [], [0.5, float("nan")], ["0.5"], [True, 0.3], "abc"])
def test_spread_says_what_it_expected(bad):
    with pytest.raises(ValueError, match="non-empty list of finite numbers"):
        d2lmini.spread(bad)


def test_over_seeds_seeds_every_run(capsys):
    draws = d2lmini.over_seeds(lambda seed: (seed, torch.rand(1).item()), 3)
    assert [seed for seed, _ in draws] == [0, 1, 2]
    again = d2lmini.over_seeds(lambda seed: torch.rand(1).item(), [2, 0])
    assert again == [draws[2][1], draws[0][1]]  # the same seed, the same draw
    assert "seed 2 (1 of 2)" in capsys.readouterr().out


@pytest.mark.parametrize("seeds", [0, -1, [], [1, -2], 2.5, "3"])
def test_over_seeds_rejects_bad_seeds(seeds):
    with pytest.raises(ValueError, match="seeds must be"):
        d2lmini.over_seeds(lambda s: s, seeds)


def test_over_seeds_needs_a_function():
    with pytest.raises(TypeError, match="function of the seed"):
        d2lmini.over_seeds(0.5, 3)


def test_compare_returns_spreads_and_prints_one_line_each(capsys):
    out = d2lmini.compare("demo", {"bn": [0.9, 0.92, 0.91], "plain": [0.8, 0.7, 0.75]})
    assert set(out) == {"bn", "plain"} and isinstance(out["bn"], Spread)
    assert out["bn"].beats(out["plain"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("bn     0.910 ± 0.010") and lines[1].startswith("plain")


@pytest.mark.parametrize("bad", [{"a": [1.0]}, [[1.0], [2.0]], {"a": [1.0], "b": []}])
def test_compare_needs_two_methods_with_values(bad):
    with pytest.raises(ValueError):
        d2lmini.compare("demo", bad)


def notebook_with(*seeds_per_comparison):
    """A notebook whose outputs carry one comparison mark per argument."""
    nb = nbformat.v4.new_notebook()
    for i, seeds in enumerate(seeds_per_comparison):
        cell = nbformat.v4.new_code_cell("d2lmini.compare(...)")
        cell.outputs = [nbformat.v4.new_output(
            "display_data", data={"text/plain": "table"},
            metadata={"d2lmini": {"comparison": f"c{i}", "seeds": seeds}})]
        nb.cells.append(cell)
    return nb


def test_the_list_finds_comparisons_and_their_fewest_seeds(tmp_path):
    paths = []
    for name, seeds in [("augmentation", {"aug": 3, "none": 2}), ("resnet", {"a": 1, "b": 1}),
                        ("plain", None)]:
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(notebook_with(seeds) if seeds else nbformat.v4.new_notebook(), path)
        paths.append(path)
    listing = comparisons.table(paths)
    assert [len(found) for found in listing.values()] == [1, 1, 0]
    too_few = comparisons.too_few(listing)  # ResNet's single seed is allowed
    assert [(p.stem, name, n) for p, name, n in too_few] == [("augmentation", "c0", 2)]


def test_no_chapter_compares_on_fewer_than_three_seeds():
    listing = comparisons.table()
    assert not comparisons.too_few(listing), comparisons.too_few(listing)


#: The chapters whose text says that one method beats another on real data.
COMPARING = {"preliminaries", "convolutions", "batch-norm", "augmentation", "fine-tuning",
             "momentum", "adagrad", "adadelta", "adam"}


def test_the_chapters_that_compare_methods_do_so_over_seeds():
    listing = {path.stem: found for path, found in comparisons.table().items()}
    assert COMPARING <= set(listing)
    without = sorted(stem for stem in COMPARING if not listing[stem])
    assert not without, f"no comparison over seeds in the recorded run of {without}"
