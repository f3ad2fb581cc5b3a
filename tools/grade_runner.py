"""Run one submission and its tests, inside the grading sandbox.

    python grade_runner.py < payload.json

Started by tools/grade.py inside the sandbox (tools/sandbox.py), once per
submission, with a JSON payload on standard input: ``token`` (a random
string), ``cells`` (the notebook's code cells), ``tests`` (question name ->
list of ``{"code": doctest string, "hidden": bool}``). It reads the payload
before any of the student's code runs, so neither the tests nor the token are
ever on the sandbox's disk. It then

1. **locks**: keeps the genuine modules (builtins, torch, numpy, math,
   d2lmini and torch.nn with their attributes), a private copy of builtins
   for the tests, and an audit hook that refuses the student's code the
   ways into the grader's memory and out of the sandbox: frames
   (``sys._getframe``, ``tb_frame``, ``gi_frame``, ``f_code``), the garbage
   collector's lists of objects, trace functions, ctypes, new processes,
   sockets and ``/proc``;
2. runs the notebook's code cells in order (magics turned into no-ops),
   writing down the cells that raised;
3. checks that the notebook left the genuine modules as they were (a
   notebook that patches builtins or torch scores zero on every question)
   and puts them back;
4. runs each test case (its doctest examples, compiled before the notebook
   ran) in a copy of the notebook's names, with the genuine modules and
   builtins, and after each case checks again;
5. writes one line to its private result channel (a copy of standard output
   made before the notebook ran): the token, then the results as JSON (cell
   errors, and pass or fail with the message of each case). This last part
   runs in a namespace of its own, with builtins copied before the notebook
   ran. The grader outside reads only lines that start with the token and
   computes the points itself.

A student's print goes to the sandbox's log, never to the result channel.
"""
import doctest
import json
import os
import sys
import types

#: Modules whose attributes the tests rely on: a notebook must leave them as
#: they were.
GUARDED = ["builtins", "math", "numpy", "torch", "torch.nn", "torch.nn.functional",
           "d2lmini"]
#: Audit events the student's code may not raise (it has no need to).
REFUSED = {"sys._current_frames", "sys.settrace", "sys.setprofile",
           "gc.get_objects", "gc.get_referrers", "gc.get_referents",
           "os.fork", "os.forkpty", "os.system",
           "os.exec", "os.posix_spawn", "os.spawn", "os.kill", "os.killpg",
           "subprocess.Popen", "pty.spawn", "socket.socket", "socket.connect",
           "sys.setrecursionlimit", "code.__new__", "function.__new__"}
#: Attributes that lead from an object to frames or code.
REFUSED_ATTRIBUTES = {"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_code", "gi_code",
                      "cr_code", "ag_code", "__code__"}
#: Refused when the notebook's code raises them itself (libraries such as
#: torchvision load their compiled parts with ctypes).
REFUSED_DIRECT = {"sys._getframe", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata"}
#: Modules that hand frames or files on to their caller.
RELAYS = ("inspect.py", "traceback.py", "logging/__init__.py", "pdb.py", "bdb.py",
          "pathlib.py", "shutil.py", "glob.py", "linecache.py", "fileinput.py")
STUDENT = "<submission"  # the start of the file name of the notebook's cells


class Refused(PermissionError):
    """The student's code asked for something grading does not allow."""


def install_hook(tests):
    """The audit hook (it cannot be removed once added). Events that reach
    frames, code, ctypes or /proc are refused when the notebook's code raised
    them, or a relay (inspect, pathlib, ...) that it called; the others (the
    garbage collector's lists, trace functions, new processes, sockets)
    whenever the notebook's code is anywhere on the stack. The notebook's code
    is code from a file name in angle brackets (its cells, and what they made
    with exec), except ``tests``: the ids of the test code objects, compiled
    before the notebook ran. Everything the hook uses is bound here, before
    the notebook runs: changing this module's globals changes nothing."""
    getframe, here, error = sys._getframe, __file__, Refused
    refused, direct_only, attributes = frozenset(REFUSED), frozenset(REFUSED_DIRECT), \
        frozenset(REFUSED_ATTRIBUTES)
    relays = RELAYS
    busy = []

    def student(code):  # the notebook's cells, and code they made with exec or eval
        name = code.co_filename
        return name.startswith("<") and not name.startswith("<frozen") and (
            id(code) not in tests)

    def callers():
        frame = getframe(3)
        while frame is not None and frame.f_code.co_filename == here:
            frame = frame.f_back
        while frame is not None:
            yield frame.f_code
            frame = frame.f_back

    def student_asked(direct):
        codes = callers()
        if direct:
            for code in codes:
                if not code.co_filename.endswith(relays):
                    return student(code)
            return False
        return any(student(code) for code in codes)

    def hook(event, args):
        if busy:
            return
        direct = event in direct_only or (
            event.startswith("object.__") and len(args) > 1 and args[1] in attributes
        ) or (event == "open" and isinstance(args[0], str) and args[0].startswith("/proc"))
        if not (direct or event in refused):
            return
        busy.append(1)
        try:
            asked = student_asked(direct)
        finally:
            busy.pop()
        if asked:
            what = args[1] if event.startswith("object.") else ""
            raise error(f"grading does not allow {event} {what}".strip())

    sys.addaudithook(hook)


def otter_stub():
    """What the notebook's Otter cell gets: a grader whose checks do nothing
    (the tests run after the notebook, from the payload)."""
    module = types.ModuleType("otter")

    class Notebook:
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    module.Notebook = Notebook
    return module


class Shell:
    """``get_ipython()`` for the notebook's magics: they do nothing here."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def to_python(source):
    """A cell's source with IPython's magics turned into calls."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # without IPython, magic lines are dropped
        return "\n".join(line for line in source.splitlines()
                         if not line.lstrip().startswith(("%", "!")))
    return TransformerManager().transform_cell(source)


def run_cells(cells, namespace):
    """Run the notebook's code cells; ``[number, error]`` of those that raised.
    What it uses is bound before the first cell runs, so a cell cannot change
    how the next ones are compiled (their file name marks them as the
    notebook's for the audit hook)."""
    errors, prefix, transform, compile_, exec_ = [], STUDENT, to_python, compile, exec
    for number, source in enumerate(cells, start=1):
        try:
            exec_(compile_(transform(source), f"{prefix} cell {number}>", "exec"), namespace)
        except BaseException as e:  # noqa: BLE001 -- a notebook's error is its grade
            errors.append([number, f"{type(e).__name__}: {str(e)[:500]}"])
    return errors


def snapshot():
    """The guarded modules and a copy of their attributes."""
    import importlib
    # Importing these rebinds attributes of torch (torch._dynamo wraps
    # torch.manual_seed): import them first, so that a test that uses an
    # optimizer does not look like an answer that patched torch.
    import torch._dynamo  # noqa: F401
    import torch.optim  # noqa: F401
    modules = {name: importlib.import_module(name) for name in GUARDED}
    return {name: (module, dict(vars(module))) for name, module in modules.items()}


# What runs after the notebook: defined in a namespace of its own, whose
# builtins are a copy taken before the notebook ran, and given everything it
# uses as arguments, so that nothing the notebook changed (builtins, modules,
# this module's globals) changes how the tests run or what is reported.
CORE = r"""
def changes(saved, modules):
    changed = []
    for name, (module, attributes) in saved.items():
        if modules.get(name) is not module:
            changed.append("sys.modules[" + repr(name) + "]")
            modules[name] = module
        now = vars(module)
        for key, value in attributes.items():  # added names (submodules) do no harm
            if now.get(key, changed) is not value:
                changed.append(name + "." + key)
                setattr(module, key, value)
    return sorted(changed)


def encode(value):
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is str:
        out = []
        for ch in value:
            code = ord(ch)
            if code > 0xFFFF:
                ch, code = "?", 63
            out.append("\\u%04x" % code if code < 32 or ch in '"\\' or code > 126
                       else ch)
        return '"' + "".join(out) + '"'
    if type(value) is list:
        return "[" + ",".join(encode(v) for v in value) + "]"
    if type(value) is dict:
        return "{" + ",".join(encode(k) + ":" + encode(v) for k, v in value.items()) + "}"
    raise TypeError("cannot encode " + type(value).__name__)


def message_of(error):
    try:
        text = str(error)
    except BaseException:
        text = ""
    if type(text) is not str:
        text = ""
    name = type(error).__name__
    return (name + ": " + text[:2000]) if text else name


def finish(namespace, errors, cases, saved, modules, trusted, traced, write, exit, token):
    tampered = changes(saved, modules)
    report = {"cell_errors": errors, "tampered": tampered, "questions": {}}
    for question, codes in cases.items():
        outcome = []
        for examples in codes:
            if tampered or traced:
                what = ", ".join(tampered) or "a trace function"
                outcome.append([False, "AssertionError: the notebook changed " + what
                                + ", which grading does not allow"])
                continue
            globs = dict(namespace)
            globs.update(trusted)
            passed, message = True, ""
            for code in examples:
                try:
                    exec(code, globs)
                except BaseException as e:
                    passed, message = False, message_of(e)
                    break
            after = changes(saved, modules)
            if after:
                passed = False
                message = ("AssertionError: the answer changed " + ", ".join(after)
                           + " while it was tested")
            outcome.append([passed, message])
        report["questions"][question] = outcome
    line = (token + encode(report) + "\n").encode()
    while line:
        line = line[write(line):]
    exit(0)
"""


def code_ids(cases):
    """The ids of every code object of the compiled test cases, nested ones too."""
    ids, todo = set(), [c for codes in cases.values() for case in codes for c in case]
    while todo:
        code = todo.pop()
        ids.add(id(code))
        todo += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return frozenset(ids)


def compile_cases(tests):
    """Every test case as a list of code objects (one per doctest example),
    compiled before the notebook runs."""
    parser = doctest.DocTestParser()
    return {question: [[compile(e.source, f"<test {question} {n}>", "exec")
                        for e in parser.parse(case["code"]) if isinstance(e, doctest.Example)]
                       for n, case in enumerate(cases)]
            for question, cases in tests.items()}


def main():
    payload = json.loads(sys.stdin.read())
    sys.stdin.close()
    token, cells = payload.pop("token"), payload["cells"]
    cases = compile_cases(payload.pop("tests"))
    channel = os.dup(1)  # the result channel, before stdout becomes the log
    log = open(payload.get("log", os.devnull), "w")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log

    saved = snapshot()
    builtins_copy = dict(vars(saved["builtins"][0]))
    genuine_import = builtins_copy["__import__"]
    genuine = {name: module for name, (module, _) in saved.items()}

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.partition(".")[0]
        if level == 0 and name in genuine and (fromlist or top == name):
            return genuine[name]
        if level == 0 and top in genuine and not fromlist:
            return genuine[top]
        return genuine_import(name, globals, locals, fromlist, level)

    builtins_copy["__import__"] = guarded_import
    core = {"__builtins__": builtins_copy}
    exec(CORE, core)
    trusted = {"__builtins__": builtins_copy, "torch": genuine["torch"],
               "nn": genuine["torch.nn"], "F": genuine["torch.nn.functional"],
               "d2lmini": genuine["d2lmini"], "math": genuine["math"],
               "np": genuine["numpy"], "numpy": genuine["numpy"]}
    finish, write, exit, modules = core["finish"], os.write, os._exit, sys.modules
    sys.modules["otter"] = otter_stub()
    namespace = {"__name__": "__main__", "get_ipython": Shell}
    del payload
    install_hook(code_ids(cases))
    errors = run_cells(cells, namespace)
    traced = sys.gettrace() is not None or sys.getprofile() is not None
    finish(namespace, errors, cases, saved, modules, trusted, traced,
           lambda data: write(channel, data), exit, token)


if __name__ == "__main__":
    main()
