"""Does an answer delegate to d2lmini's implementation of what it was asked?

Some questions ask students to write what d2lmini already has (``adam_update``,
``Residual``, ...). An answer that calls the library's version scores zero for
the question: its master lists the forbidden names (``forbid: [adam_update]``
in the ``# BEGIN QUESTION`` cell), and the build puts the source of
:func:`delegates` and a check that calls it at the top of each of the
question's hidden tests, so that every hidden case fails for such an answer.
The function below is therefore self-contained: it runs inside the grader,
where this module is not available.
"""


def delegates(answer, names):
    """The first of ``names`` that ``answer`` (a function or class from the
    student's notebook) refers to, directly or through other functions and
    classes of the notebook that it uses; None if it refers to none.

    It looks at the code, not at what runs: ``d2lmini.adam_update(...)``,
    ``from d2lmini import adam_update as f`` then ``f(...)``, and a class
    derived from ``d2lmini.Residual`` all count, also where the call sits in a
    helper of the student's own. A notebook function that happens to share a
    forbidden name is the student's own code and does not count.
    """
    import types
    names = set(names)
    if not isinstance(answer, (types.FunctionType, type)):
        answer = type(answer)  # an object: the class it was made from
    home = getattr(answer, "__globals__", None)
    if home is None:  # a class: the globals of its methods
        home = next((f.__globals__ for f in vars(answer).values()
                     if isinstance(f, types.FunctionType)), {})

    def own(obj):  # defined in the student's notebook
        if isinstance(obj, types.FunctionType):
            return obj.__globals__ is home
        return isinstance(obj, type) and any(
            isinstance(f, types.FunctionType) and f.__globals__ is home
            for f in vars(obj).values())

    def library(obj):  # one of the forbidden objects of d2lmini, by any name
        module = getattr(obj, "__module__", None) or ""
        return module.split(".")[0] == "d2lmini" and getattr(obj, "__name__", None) in names

    if library(answer):  # adam = d2lmini.adam_update
        return answer.__name__
    seen, todo = set(), [answer]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, type):
            for base in obj.__mro__[1:]:
                if library(base):
                    return base.__name__
            members = [m.__func__ if isinstance(m, (staticmethod, classmethod)) else m
                       for m in vars(obj).values()]
            todo += [m for m in members if isinstance(m, (types.FunctionType, type))]
            continue
        codes = [obj.__code__]
        while codes:
            code = codes.pop()
            for name in code.co_names:
                value = home.get(name)
                if own(value):
                    todo.append(value)
                elif library(value):
                    return value.__name__
                elif name in names:  # an attribute: d2lmini.adam_update
                    return name
            codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return None
