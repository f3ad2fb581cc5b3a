"""Count the code that chapters display with ``d2lmini.show_source(...)``.

    python tools/displayed_code.py [--max-checks N] [--max-docstring-share F]

Finds every ``show_source(<expr>)`` call in the code cells of
chapters/**/*.ipynb (``<expr>`` is a dotted name such as ``d2lmini.corr2d`` or
``d2lmini.Adam.step``), resolves each distinct object in the d2lmini of this
checkout, and sorts every line of its source (as ``inspect.getsourcelines``
gives it) into one category, the first that applies:

- docstring: a line spanned by the docstring of a module, class or function
  (the first statement of its body, when that is a string constant);
- blank: an empty line, or one that holds only a comment;
- check: a line of code spanned by
    - an ``if`` whose body raises (its test and body, ``elif``/``else`` aside),
    - a ``raise`` or an ``assert`` statement,
    - a statement that calls a function whose name starts with ``check_`` or
      ``_check`` (the whole statement),
    - an ``if`` or ``for`` whose body holds only checks;
- code: any other line.

The report lists each object with its displayed lines, docstring lines, check
lines and code lines, where "code" counts every line that is neither a
docstring nor blank, checks included; then the totals. With ``--max-checks``
or ``--max-docstring-share`` it exits 1 when the totals exceed them.
"""
import argparse
import ast
import importlib
import inspect
import re
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MAGIC = re.compile(r"^(\s*)[%!]")


def show_source_calls(chapters=ROOT / "chapters"):
    """``(notebook, expression)`` for every show_source call in a code cell."""
    calls = []
    for path in sorted(Path(chapters).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            # IPython magics (%pip, !ls) become `pass`, so that the cell parses.
            source = "\n".join(MAGIC.sub(r"\1pass #", line)
                               for line in cell.source.splitlines())
            for node in ast.walk(ast.parse(source)):
                if (isinstance(node, ast.Call) and node.args
                        and getattr(node.func, "attr", getattr(node.func, "id", None))
                        == "show_source"):
                    calls.append((path, ast.unparse(node.args[0])))
    return calls


def resolve(expression):
    """The object that a dotted name such as ``d2lmini.Adam.step`` names."""
    root, *attributes = expression.split(".")
    obj = importlib.import_module(root)
    for name in attributes:
        obj = getattr(obj, name)
    return obj


def _is_check_call(node):
    if not isinstance(node, ast.Call):
        return False
    name = getattr(node.func, "attr", getattr(node.func, "id", ""))
    return name.startswith(("check_", "_check"))


def _check_statements(statements):
    """The line spans ``(first, last)`` of the checks among ``statements``
    (searched recursively), and whether every one of them is a check."""
    spans, all_checks = [], True
    for stmt in statements:
        if isinstance(stmt, (ast.Raise, ast.Assert)):
            spans.append((stmt.lineno, stmt.end_lineno))
            continue
        if isinstance(stmt, ast.If) and any(isinstance(s, ast.Raise) for s in stmt.body):
            spans.append((stmt.lineno, stmt.body[-1].end_lineno))
            inner, inner_all = _check_statements(stmt.orelse)
            spans += inner
            all_checks = all_checks and inner_all
            continue
        bodies = [getattr(stmt, field) for field in ("body", "orelse", "handlers", "finalbody")
                  if isinstance(getattr(stmt, field, None), list)]
        if not bodies:  # a simple statement
            if any(_is_check_call(n) for n in ast.walk(stmt)):
                spans.append((stmt.lineno, stmt.end_lineno))
            else:
                all_checks = False
            continue
        inner, inner_all = _check_statements([s for body in bodies for s in body
                                              if isinstance(s, ast.stmt)])
        for handler in getattr(stmt, "handlers", []):
            more, _ = _check_statements(handler.body)
            inner += more
        if isinstance(stmt, (ast.If, ast.For)) and inner_all and inner:
            spans.append((stmt.lineno, stmt.end_lineno))
        else:
            spans += inner
            all_checks = False
    return spans, all_checks


def classify(source):
    """The category of each line of ``source``: 'docstring', 'blank', 'check'
    or 'code' (see the module's docstring)."""
    source = textwrap.dedent(source)
    lines = source.splitlines()
    tree = ast.parse(source)
    docstring, check = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                docstring.update(range(first.lineno, first.end_lineno + 1))
    for first, last in _check_statements(tree.body)[0]:
        check.update(range(first, last + 1))
    categories = []
    for number, line in enumerate(lines, start=1):
        if number in docstring:
            categories.append("docstring")
        elif not line.strip() or line.strip().startswith("#"):
            categories.append("blank")
        elif number in check:
            categories.append("check")
        else:
            categories.append("code")
    return categories


def count(categories):
    """Displayed, docstring, check and code lines (code includes checks)."""
    return (len(categories), categories.count("docstring"), categories.count("check"),
            categories.count("check") + categories.count("code"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-checks", type=int, help="fail above this many check lines")
    parser.add_argument("--max-docstring-share", type=float,
                        help="fail above this share (0-1) of docstring lines")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # the d2lmini of this checkout
    rows = []
    for expression in sorted({expression for _, expression in show_source_calls()}):
        lines, _ = inspect.getsourcelines(resolve(expression))
        rows.append((expression, *count(classify("".join(lines)))))
    rows.sort(key=lambda row: (-row[3], row[0]))
    print(f"{'object':<42} {'lines':>6} {'docstr':>6} {'checks':>6} {'code':>6}")
    for expression, *numbers in rows:
        print(f"{expression:<42}" + "".join(f" {n:>6}" for n in numbers))
    displayed, docstring, checks, code = (sum(row[i] for row in rows) for i in range(1, 5))
    share = docstring / displayed if displayed else 0.0
    print(f"\n{len(rows)} objects, {displayed:,} displayed lines, {docstring:,} docstrings "
          f"({share:.0%}), {checks:,} checks of {code:,} code lines")
    failures = []
    if args.max_checks is not None and checks > args.max_checks:
        failures.append(f"{checks} check lines, more than the {args.max_checks} allowed")
    if args.max_docstring_share is not None and share > args.max_docstring_share:
        failures.append(f"docstrings are {share:.1%} of the displayed lines, more than "
                        f"the {args.max_docstring_share:.0%} allowed")
    for failure in failures:
        print(f"displayed code: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
