"""The sandbox each submission is graded in: bubblewrap, no daemon needed.

:func:`run` starts ``tools/grade_runner.py`` inside a bubblewrap sandbox
(Debian's ``bubblewrap``) with

* a read-only view of the system (``/usr``), the Python installation, the
  project's virtual environment and the ``d2lmini`` package, and nothing
  else of the machine: not the project (its masters hold the reference
  solutions), not the built autograders and answer keys, not the other
  submissions, not the instructor's home;
* a scratch home and ``/tmp`` on size-limited tmpfs, which vanish with it;
* no network (a network namespace of its own, with only loopback), its own
  process, IPC and user namespaces, no capabilities;
* limits on wall time (the whole sandbox is killed), memory (the data
  segment), file size and open files.

The submission and its tests travel on standard input (nothing of them is on
the sandbox's disk); the results come back on standard output. With
``trusted=True`` the same runner is started without the sandbox, for an
instructor who grades submissions they trust on a machine without
bubblewrap.
"""
import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).resolve().with_name("grade_runner.py")
#: Files of /etc that programs in the sandbox read (the rest of /etc stays out).
ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "fonts", "localtime", "passwd",
       "group", "nsswitch.conf"]
#: The most a submission's output may bring back (the rest is dropped).
MAX_OUTPUT = 4 * 2**20


NO_SANDBOX = ("grading runs each submission in a bubblewrap sandbox, and bwrap is "
              "missing or does not work here: install it (Debian: apt-get install "
              "bubblewrap), or pass --trusted if you trust every submission (they then "
              "run with your rights, on your files)")


class NoSandbox(RuntimeError):
    """Grading needs bubblewrap, or the explicit word that submissions are trusted."""


def bubblewrap():
    """The path of a working ``bwrap``, or None."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-all", "true"],
                           capture_output=True)
    return bwrap if probe.returncode == 0 else None


def sandbox_command(bwrap, python, scratch_mb):
    """The bwrap command line that runs the runner with ``python``."""
    prefix = Path(sys.base_prefix).resolve()
    venv = Path(sys.prefix).resolve()
    size = str(scratch_mb * 2**20)
    cmd = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
           "--cap-drop", "ALL", "--clearenv",
           "--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            cmd += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            cmd += ["--ro-bind", str(target), str(target)]
    for name in ETC:
        cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--size", size, "--tmpfs", "/tmp",
            "--size", size, "--tmpfs", "/home/student",
            "--ro-bind", str(prefix), str(prefix)]
    if venv != prefix:
        cmd += ["--ro-bind", str(venv), str(venv)]
    package = ROOT / "d2lmini"
    cmd += ["--ro-bind", str(package), str(package),
            "--ro-bind", str(RUNNER), "/grader/grade_runner.py",
            "--chdir", "/home/student"]
    for key, value in runner_env("/home/student").items():
        cmd += ["--setenv", key, value]
    return cmd + [python, "-I", "/grader/grade_runner.py"]


def runner_env(home):
    return {"HOME": home, "PATH": "/usr/bin:/bin", "D2LMINI_MODE": "quick",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib", "OMP_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}


def limits(memory_mb):
    """Set in the child before it starts: memory, file size, files, no core dumps."""
    def apply():
        data = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (data, data))
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 2**20, 256 * 2**20))
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def read_capped(stream, chunks):
    """Read ``stream`` to its end, keeping at most MAX_OUTPUT bytes."""
    kept = 0
    while True:
        chunk = stream.read(65536)
        if not chunk:
            return
        if kept < MAX_OUTPUT:
            chunks.append(chunk[:MAX_OUTPUT - kept])
            kept += len(chunk)


def run(payload, timeout=300, memory_mb=4096, scratch_mb=256, trusted=False, bwrap=None):
    """Run the runner on ``payload`` (bytes); return ``(stdout bytes, problem)``,
    where problem is None or what stopped it ("timed out after 300 s")."""
    python = str(Path(sys.prefix) / "bin" / "python")
    if trusted:
        home = Path(os.environ.get("TMPDIR", "/tmp"))
        cmd, env = [python, "-I", str(RUNNER)], runner_env(str(home))
    else:
        bwrap = bwrap or bubblewrap()
        if bwrap is None:
            raise NoSandbox(NO_SANDBOX)
        cmd, env = sandbox_command(bwrap, python, scratch_mb), {}
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, start_new_session=True,
                            preexec_fn=limits(memory_mb))
    chunks = []
    reader = threading.Thread(target=read_capped, args=(proc.stdout, chunks), daemon=True)
    reader.start()
    try:
        proc.stdin.write(payload)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    problem = None
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        problem = f"timed out after {timeout:g} s"
    finally:
        if proc.poll() is None or problem:
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass
            proc.wait()
    reader.join(timeout=10)
    if problem is None and proc.returncode != 0:
        problem = (f"the grading process ended with signal {-proc.returncode}"
                   if proc.returncode < 0 else
                   f"the grading process ended with status {proc.returncode}")
        if proc.returncode in (-9, 137):
            problem += " (killed: out of memory?)"
    return b"".join(chunks), problem
