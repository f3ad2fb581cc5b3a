"""tools/delegation.py: which answers delegate to d2lmini's implementation."""
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from delegation import delegates  # noqa: E402

FORBID = ["adam_update", "Residual"]


def notebook(code):
    """Run ``code`` as a student's notebook would (its own global namespace)."""
    env = {"__name__": "__main__"}
    exec(textwrap.dedent(code), env)
    return env


@pytest.mark.parametrize("code, name", [
    ("""
     import d2lmini
     def answer(*a):
         return d2lmini.adam_update(*a)
     """, "adam_update"),
    ("""
     from d2lmini import adam_update as step
     def answer(*a):
         return step(*a)
     """, "adam_update"),
    ("""
     import d2lmini
     def helper(*a):
         return d2lmini.optim.adam_update(*a)
     def answer(*a):
         return [helper(x) for x in a]
     """, "adam_update"),
    ("""
     import d2lmini
     answer = d2lmini.adam_update
     """, "adam_update"),
    ("""
     import d2lmini
     class answer(d2lmini.Residual):
         pass
     """, "Residual"),
    ("""
     import d2lmini
     from torch import nn
     class answer(nn.Module):
         def __init__(self):
             super().__init__()
             self.block = d2lmini.Residual(3, 3)
     """, "Residual"),
    ("""
     import d2lmini
     def answer(c):
         return d2lmini.Residual(c, c)
     """, "Residual"),
])
def test_delegating_answers_are_caught(code, name):
    assert delegates(notebook(code)["answer"], FORBID) == name


@pytest.mark.parametrize("code", [
    """
    import torch
    def answer(params, grads, lr):
        return [p - lr * g for p, g in zip(params, grads)]
    """,
    """
    import d2lmini
    def adam_update(p, g):      # the student's own function of that name
        return p - 0.1 * g
    def answer(p, g):
        return adam_update(p, g)
    """,
    """
    import d2lmini
    from torch import nn
    class answer(nn.Module):   # other parts of d2lmini are allowed
        def __init__(self):
            super().__init__()
            self.net = d2lmini.lenet()
    """,
    """
    def answer(n):
        def inner(k):
            return k + 1
        return inner(n)
    """,
])
def test_own_answers_pass(code):
    assert delegates(notebook(code)["answer"], FORBID) is None


def test_recursion_through_the_notebook_terminates():
    env = notebook("""
        import d2lmini
        def even(n):
            return n == 0 or odd(n - 1)
        def odd(n):
            return n != 0 and even(n - 1)
        """)
    assert delegates(env["even"], FORBID) is None


def test_source_runs_alone():
    """The build pastes the function's source into the grader's tests."""
    import inspect
    env = notebook(inspect.getsource(delegates) + textwrap.dedent("""
        import d2lmini
        def answer(*a):
            return d2lmini.adam_update(*a)
        found = delegates(answer, ["adam_update"])
        """))
    assert env["found"] == "adam_update"
