"""tools/displayed_code.py: how it sorts the lines of shown source, and the
limits issue 24 sets on what the chapters show."""
import subprocess
import sys
import textwrap

import pytest

import displayed_code
from conftest import ROOT


def categories(source):
    return displayed_code.classify(textwrap.dedent(source))


def test_docstring_if_raise_and_code():
    assert categories('''\
        def f(x):
            """One line,
            and another."""
            # a comment

            if x < 0:
                raise ValueError(
                    "x must be >= 0")
            return x ** 0.5
        ''') == ["code", "docstring", "docstring", "blank", "blank",
                 "check", "check", "check", "code"]


def test_check_calls_asserts_and_raises():
    assert categories("""\
        def f(n, k):
            n = check_positive_int("n", n)
            runtime._check_shape(k,
                                 (2, 2))
            assert n > 0, "n"
            try:
                y = n / k
            except ZeroDivisionError:
                raise ValueError("k is 0") from None
            return y
        """) == ["code", "check", "check", "check", "check",
                 "code", "code", "code", "check", "code"]


def test_if_with_else_counts_only_its_raising_branch():
    assert categories("""\
        if x:
            raise ValueError("x")
        else:
            y = 1
        """) == ["check", "check", "code", "code"]


def test_a_loop_or_if_of_checks_is_a_check():
    assert categories("""\
        for name, value in (("n", n), ("k", k)):
            check_positive_int(name, value)
        if p != 0:
            check_positive_int("p", p)
        for v in values:
            total += v
            check_finite(total)
        """) == ["check"] * 4 + ["code", "code", "check"]


def test_class_and_method_docstrings_and_dedented_methods():
    assert categories('''\
            class A:
                """Doc."""
                x = 1

                def f(self):
                    """Doc
                    of f."""
                    if self.x:
                        print("not a raise")
                    return "not a docstring"
        ''') == ["code", "docstring", "code", "blank", "code", "docstring", "docstring",
                 "code", "code", "code"]


def test_count():
    assert displayed_code.count(["code", "docstring", "blank", "check", "check"]) == (5, 1, 2, 3)


def test_finds_show_source_calls_in_code_cells(tmp_path):
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("d2lmini.show_source(d2lmini.not_this)"),
        nbformat.v4.new_code_cell("try:\n    import d2lmini\nexcept ImportError:\n"
                                  "    %pip install d2lmini\n"),
        nbformat.v4.new_code_cell("d2lmini.show_source(d2lmini.Adam.step)\n"
                                  "show_source(d2lmini.corr2d)"),
    ])
    (tmp_path / "part").mkdir()
    nbformat.write(nb, tmp_path / "part" / "a.ipynb")
    calls = displayed_code.show_source_calls(tmp_path)
    assert [expr for _, expr in calls] == ["d2lmini.Adam.step", "d2lmini.corr2d"]
    assert displayed_code.resolve("d2lmini.corr2d").__name__ == "corr2d"


@pytest.mark.parametrize("argv, fails", [([], False), (["--max-checks", "0"], True)])
def test_exit_status(argv, fails, capsys):
    assert displayed_code.main(argv) == (1 if fails else 0)
    out, err = capsys.readouterr()
    assert "objects," in out and "displayed lines" in out
    assert ("check lines, more than the 0 allowed" in err) == fails


def test_displayed_code_is_the_idea_alone():
    """Issue 24: at most 20 check lines and at most 15% docstring lines in all
    the code that the chapters show."""
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "displayed_code.py"),
                          "--max-checks", "20", "--max-docstring-share", "0.15"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
