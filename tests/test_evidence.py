"""Claims that hold (DESIGN.md, Evidence): a solution that states an outcome
has run in the chapter's recorded run, or is a derivation; it never says that
it was not run, nor cites a run that the page does not hold."""
import re

import pytest

import exercises
from course import notebooks

#: How a solution gives away an outcome that no run on the page produced.
UNRUN = re.compile(r"\b(?:have|has|was|were|is|are)\s+not\s+(?:been\s+)?run\b|\b(?:trial|script) of ours\b"
                   r"|\bin our (?:script|trial|quick-mode run)\b", re.IGNORECASE)


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_no_solution_says_it_was_not_run(path):
    unrun = [(ex["label"], m.group(0)) for ex in exercises.chapter_exercises(path)
             if ex["has_solution"] for m in [UNRUN.search(ex["solution"])] if m]
    assert not unrun, f"solutions that predict instead of run: {unrun}"


@pytest.mark.parametrize("text", ["We have not run these for the page",
                                  "this comparison is not run for the page",
                                  "This solution was not run", "in a quick-mode trial of ours",
                                  "In our script on the quick-mode data"])
def test_the_check_sees_an_unrun_solution(text):
    assert UNRUN.search(text)


def test_the_check_leaves_ordinary_words_alone():
    assert not UNRUN.search("Run the cell again; the runs of this page, run by run.")
