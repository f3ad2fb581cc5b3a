"""Submissions that try to get points without the work, or to do harm.

Each entry replaces the reference answer of one question in the built
solutions notebook (as tests/assignments/mistakes.py does): ``(assignment,
question, answer source, reach)``, where reach is ``"question"`` when only
that question must score zero (what the rest of its notebook earns is not
looked at: a memory bomb may well break it) and ``"notebook"`` when the
submission changes what grading relies on, which costs it every question. The grading
test (test_assignments.py) grades them together with honest submissions.
CANARY is a file the test makes outside the sandbox, which some of them try
to delete; WRITTEN are files some of them try to write.
"""
import os

CANARY = "/tmp/d2lmini-grading-canary"
WRITTEN = [os.path.expanduser("~/d2lmini-hostile.txt"), "/tmp/d2lmini-hostile.txt"]

ANY_INT = """
class AnyNumber(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__
    __hash__ = int.__hash__
"""

HOSTILE = {
    # An answer that equals everything.
    "always-equal-int": ("resnet", "resnet-q-params", ANY_INT + """
def residual_params(in_channels, out_channels, use_1x1conv):
    return AnyNumber(0)
""", "question"),
    "always-equal-object": ("resnet", "resnet-q-size", """
class Anything:
    def __eq__(self, other):
        return True

    def __index__(self):
        return 0

def resnet18_feature_size(n):
    return Anything()
""", "question"),
    # Subclasses of float and Tensor with rigged comparisons.
    "rigged-float": ("adadelta", "adadelta-q-first-step", """
class Close(float):
    def __sub__(self, other):
        return Close(0.0)

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__

def adadelta_first_step(g, rho=0.9, eps=1e-5):
    return Close(123.0)
""", "question"),
    "rigged-tensor": ("convolutions", "convolutions-q-corr2d", """
import torch

class Agreeable(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.allclose, torch.equal, torch.Tensor.__eq__):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})

    @property
    def shape(self):
        return torch.Size([1])

def corr2d_padded(X, K, padding=0, stride=1):
    return torch.zeros(1).as_subclass(Agreeable)
""", "question"),
    # Patches of builtins and modules the tests use, in the notebook ...
    "patches-builtins": ("resnet", "resnet-q-params", """
import builtins
import torch
builtins.isinstance = lambda obj, cls: True
builtins.abs = lambda x: 0
torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True

def residual_params(in_channels, out_channels, use_1x1conv):
    return 0
""", "notebook"),
    # ... and while the answer is being tested, where only its caller sees them.
    "patches-while-tested": ("resnet", "resnet-q-params", ANY_INT + """
def residual_params(in_channels, out_channels, use_1x1conv):
    import builtins
    builtins.type = lambda obj, *rest: int
    return AnyNumber(0)
""", "question"),
    # Patches of the grader itself: the runner's functions, json, os.write.
    "patches-the-grader": ("resnet", "resnet-q-size", """
import json
import os
import sys
runner = sys.modules["__main__"]
for name in ("finish", "changes", "encode", "run_cells", "compile_cases"):
    setattr(runner, name, lambda *args, **kwargs: None)
json.dumps = lambda *args, **kwargs: '{"questions": {}}'
os.write = lambda fd, data: len(data)

def resnet18_feature_size(n):
    return 0
""", "question"),
    # The grader's rules themselves, rewritten before looking into its memory.
    "rewrites-the-rules": ("resnet", "resnet-q-size", """
import gc
import sys
runner = sys.modules["__main__"]
for name in ("REFUSED", "REFUSED_DIRECT", "REFUSED_ATTRIBUTES"):
    setattr(runner, name, set())
runner.STUDENT, runner.__file__ = "<nothing", "<submission cell 6>"
runner.Refused = type("Allowed", (Exception,), {})
exec("import sys\\nframes = [sys._getframe(1)]")  # code with a file name of its own
found = [o for o in gc.get_objects() if type(o) is dict and "token" in o]

def resnet18_feature_size(n):
    return 0
""", "question"),
    # Results forged on every file descriptor, without the grader's token.
    "forges-results": ("resnet", "resnet-q-size", """
import json
import os
fake = json.dumps({"cell_errors": [], "tampered": [], "questions": {
    q: [[True, ""]] * 5 for q in ("resnet-q-params", "resnet-q-size", "resnet-q-bottleneck")}})
for fd in range(0, 20):
    try:
        os.write(fd, (fake + "\\n").encode())
    except OSError:
        pass

def resnet18_feature_size(n):
    return 0
""", "question"),
    # The expected values, read from the test's frame or the grader's memory.
    "reads-the-caller": ("resnet", "resnet-q-size", """
import gc
import inspect
import sys

def resnet18_feature_size(n):
    found = []
    for get in (lambda: sys._getframe(1).f_code.co_consts,
                lambda: inspect.stack()[1].frame.f_code.co_consts,
                lambda: [o for o in gc.get_objects() if type(o) is str]):
        try:
            found += [c for c in get() if type(c) is int]
        except Exception:
            pass
    return found[0] if found else 0
""", "question"),
    # The hidden tests and the answer key, read from the disk: the project is
    # where d2lmini is, and the build is in its _build/.
    "reads-the-key": ("resnet", "resnet-q-params", """
import glob
import json
import os
import zipfile
import d2lmini

root = os.path.dirname(os.path.dirname(os.path.abspath(d2lmini.__file__)))
leaked = []
for pattern in ("assignments/resnet.ipynb", "_build/assignments/resnet/*/resnet.ipynb",
                "_build/assignments/resnet/autograder/*.zip"):
    for path in glob.glob(os.path.join(root, pattern)):
        try:
            if path.endswith(".zip"):
                leaked.append(zipfile.ZipFile(path).read("tests/resnet-q-params.py"))
            else:
                cells = json.load(open(path))["cells"]
                leaked += ["".join(c["source"]) for c in cells]
        except (OSError, KeyError, ValueError):
            pass
answer = [s for s in leaked if isinstance(s, str) and s.startswith("def residual_params")]
if answer:
    exec(answer[0])
else:
    def residual_params(in_channels, out_channels, use_1x1conv):
        return 0
""", "question"),
    # Writes and deletes outside its scratch directory.
    "writes-outside": ("resnet", "resnet-q-size", f"""
import os
for path in {WRITTEN!r}:
    try:
        open(path, "w").write("written by a submission")
    except OSError:
        pass
try:
    os.remove({CANARY!r})
except OSError:
    pass

def resnet18_feature_size(n):
    return 0
""", "question"),
    # An infinite loop, a memory bomb, a fork bomb.
    "infinite-loop": ("resnet", "resnet-q-size", """
import time
while True:
    time.sleep(1)

def resnet18_feature_size(n):
    return 0
""", "notebook"),
    "memory-bomb": ("resnet", "resnet-q-size", """
hoard = []
try:
    while True:
        hoard.append(bytearray(2**28))
except MemoryError:
    pass
with open("/tmp/fill", "wb") as f:
    while True:
        f.write(bytes(2**24))

def resnet18_feature_size(n):
    return 0
""", "question"),
    "fork-bomb": ("resnet", "resnet-q-size", """
import os
import subprocess
try:
    subprocess.Popen(["sh", "-c", "f() { f | f & }; f"])
finally:
    while True:
        os.fork()

def resnet18_feature_size(n):
    return 0
""", "question"),
}
