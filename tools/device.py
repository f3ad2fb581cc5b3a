"""The full-mode run on a GPU machine without network or Jupyter, in three steps.

    python tools/device.py bundle          # here: wheels and data into .device/ (ignored)
    python3 tools/device.py run OUT        # there: the GPU plan and the benchmark, into OUT
    python tools/device.py import DIR      # here: take the results in DIR into the checkout

    python tools/device.py plan            # here: what ``run`` will do, with time estimates

The GPU machine has Python 3.12 with PyTorch, torchvision, matplotlib and
pytest, but no Jupyter stack, no network and no data. ``bundle`` downloads
Python 3.12 wheels of the notebook-execution stack (nbclient, nbformat,
ipykernel and what they need that the machine lacks) and copies the
Fashion-MNIST files, so that the working tree carries everything (under the
64 MiB that may travel). It checks that the wheels' requirements are closed:
each is in the bundle or among the packages the machine has.

``run`` executes, in full mode, the notebooks that wait for a GPU run (no
record, or one made on a CPU at a smaller image size: ``records.gpu_plan``),
each under its own time limit, then the throughput benchmark with the time
that is left. After each notebook it rebuilds ``OUT/notebooks.tgz`` from all
that have finished, so a command killed at any moment returns them; finished
notebooks are also kept in ``/tmp/d2lmini-device`` and skipped by a second
``run`` on the same machine.

``import`` unpacks the executed notebooks (``notebooks*.tgz``) over
``chapters/``, copies the benchmark table to ``benchmarks/throughput.md``,
regenerates the Results page and checks every record.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / ".device"
LIMIT = 64 * 2**20  # what may travel with the working tree, in bytes
WORK = Path("/tmp/d2lmini-device")  # finished notebooks, kept between commands

#: The notebook-execution stack the machine lacks (pinned, so the bundle is
#: the same whenever it is made).
WHEELS = [
    "nbclient==0.10.2", "nbformat==5.10.4", "ipykernel==6.29.5", "jupyter_client==8.6.3",
    "jupyter_core==5.7.2", "traitlets==5.14.3", "pyzmq==26.2.0", "tornado==6.4.2",
    "comm==0.2.2", "debugpy==1.8.11", "ipython==8.31.0", "decorator==5.1.1",
    "jedi==0.19.2", "parso==0.8.4", "matplotlib-inline==0.1.7", "pexpect==4.9.0",
    "ptyprocess==0.7.0", "prompt_toolkit==3.0.48", "wcwidth==0.2.13",
    "stack_data==0.6.3", "executing==2.1.0", "asttokens==3.0.0", "pure_eval==0.2.3",
    "nest_asyncio==1.6.0", "platformdirs==4.3.6", "fastjsonschema==2.21.1",
    "jsonschema==4.23.0", "jsonschema-specifications==2024.10.1", "referencing==0.35.1",
    "rpds-py==0.22.3",
]

#: What the machine's Python already has (the device tool's package list),
#: as normalized names: requirements met by these need no wheel.
DEVICE_HAS = set("""
attrs certifi charset-normalizer filelock fsspec idna jinja2 markupsafe matplotlib numpy
packaging pillow pip psutil pygments pytest python-dateutil pyyaml requests setuptools six
sympy torch torchvision tqdm typing-extensions urllib3 wheel zipp pyparsing cycler
kiwisolver fonttools contourpy networkx mpmath
""".split())

PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "manylinux1_x86_64", "manylinux_2_5_x86_64"]

#: What each chapter that waits for a GPU trains in full mode, for the time
#: plan: (network, image side, minibatch, epochs, runs). tests/test_device.py
#: checks these against the chapters' training cells.
TRAINING = {
    "chapters/cnn/alexnet.ipynb": ("alexnet", 224, 128, 10, 1),
    "chapters/cnn/vgg.ipynb": ("vgg-11/4", 224, 128, 10, 1),
    "chapters/cnn/nin.ipynb": ("nin", 224, 128, 10, 3),  # three seeds
    "chapters/cnn/googlenet.ipynb": ("googlenet", 96, 128, 10, 1),
    "chapters/cnn/resnet.ipynb": ("resnet18", 96, 256, 10, 1),
    "chapters/cnn/densenet.ipynb": ("densenet", 96, 256, 10, 1),
}

#: The time model of an H100 (SXM, 989 dense bf16 TFLOP/s), deliberately
#: cautious: small convolutional networks reach a small fraction of the peak.
SUSTAINED_FLOPS = 150e12   # bf16 autocast, channels-last: about 15% of the peak
LAUNCH_SECONDS = 25e-6     # per layer and pass (forward, backward, update): eager launches
NOTEBOOK_SECONDS = 25.0    # kernel start, CUDA and cuDNN start-up, the other cells
BENCH_SECONDS = 150.0      # the benchmark: 3 networks x 2 pipelines x 2 epochs, and TTA
TRAIN_EXAMPLES, TEST_EXAMPLES = 60_000, 10_000
#: Device time a session may spend on the plan: 15 minutes less about 3 for
#: starting the machine. A plan longer than one command's budget takes two.
DEVICE_SECONDS = 720.0

def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(wheel):
    """The unconditional requirements of a wheel (and those for Linux/3.12)."""
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        text = z.read(meta).decode()
    out = []
    for line in text.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        spec, _, marker = line[len("Requires-Dist:"):].partition(";")
        if re.search(r"extra|win32|[Dd]arwin|Windows|pypy", marker):
            continue  # optional, or for another platform or implementation
        if re.search(r"python_version\s*<\s*['\"]3\.(1[0-2]|[0-9])['\"]", marker):
            continue  # only for Pythons older than the machine's 3.12
        out.append(normalize(re.split(r"[\s\[<>=!~(]", spec.strip(), maxsplit=1)[0]))
    return out


def missing_requirements(wheels):
    """Requirements of ``wheels`` met neither by the bundle nor by the machine."""
    have = {normalize(Path(w).name.split("-")[0]) for w in wheels} | DEVICE_HAS
    return sorted({r for w in wheels for r in requirements(w)} - have)


def size_of(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def cmd_bundle(args):
    bundle = Path(args.dir)
    wheels, data = bundle / "wheels", bundle / "data"
    wheels.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    platforms = [a for p in PLATFORMS for a in ("--platform", p)]
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", "--python-version", args.python_version,
                    "--implementation", "cp", *platforms, "-d", str(wheels), *WHEELS],
                   check=True)
    sys.path.insert(0, str(ROOT))
    from d2lmini.datafiles import find_fashion_mnist, read_fashion_mnist
    paths = find_fashion_mnist()
    read_fashion_mnist()  # verified before it travels
    for path in paths.values():
        shutil.copy2(path, data / path.name)
    gaps = missing_requirements(sorted(wheels.glob("*.whl")))
    total = size_of(bundle)
    print(f"{bundle}: {len(list(wheels.glob('*.whl')))} wheels "
          f"({size_of(wheels) / 2**20:.1f} MiB), data ({size_of(data) / 2**20:.1f} MiB), "
          f"{total / 2**20:.1f} MiB in all (at most {LIMIT / 2**20:.0f} MiB may travel)")
    if gaps:
        sys.exit(f"the wheels need packages that are neither bundled nor on the machine: {gaps}")
    if total > LIMIT:
        sys.exit("the bundle is too large to travel")


def network(name):
    import d2lmini
    if name == "vgg-11/4":
        return d2lmini.vgg(d2lmini.narrow_arch(d2lmini.VGG11, ratio=4))
    return getattr(d2lmini, name)()


def estimate(notebook):
    """Seconds that ``notebook`` should take on an H100, from the FLOPs of
    its training run (counted on the meta device) and a per-step launch cost."""
    if notebook not in TRAINING:
        return NOTEBOOK_SECONDS
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    name, side, batch, epochs, runs = TRAINING[notebook]
    net = network(name).to("meta")
    with FlopCounterMode(display=False) as counter:
        net(torch.zeros(1, 1, side, side, device="meta"))
    forward = counter.get_total_flops()  # per example
    layers = sum(1 for m in net.modules() if not list(m.children()))
    steps = -(-TRAIN_EXAMPLES // batch) + -(-TEST_EXAMPLES // batch)
    compute = (3 * TRAIN_EXAMPLES + TEST_EXAMPLES) * forward / SUSTAINED_FLOPS
    launches = steps * 3 * layers * LAUNCH_SECONDS
    return NOTEBOOK_SECONDS + runs * epochs * (compute + launches)


def ordered(plan):
    """The plan in the order of TRAINING (the book's), then the rest."""
    order = list(TRAINING)
    return sorted(plan, key=lambda nb: (order.index(nb) if nb in order else len(order), nb))


def cmd_plan(args):
    sys.path[:0] = [str(ROOT), str(ROOT / "tools")]
    import records
    plan = ordered(args.notebooks or records.gpu_plan(ROOT))
    total = 0.0
    print("| notebook | trains | estimate on an H100 |\n|---|---|---|")
    for nb in plan:
        seconds = estimate(nb)
        total += seconds
        what = "-"
        if nb in TRAINING:
            name, side, batch, epochs, runs = TRAINING[nb]
            what = f"{name} at {side}x{side}, batch {batch}, {epochs} epochs"
            what += f", {runs} runs" if runs > 1 else ""
        print(f"| {nb} | {what} | {seconds:.0f} s |")
    print(f"| benchmark | 3 networks, 2 pipelines; ResNet-18 to 0.92 | {BENCH_SECONDS:.0f} s |")
    total += BENCH_SECONDS
    print(f"\nin all {total:.0f} s, against a budget of {args.budget:.0f} s a command", end="")
    if total > args.budget:
        print("; two commands: run the same command again, with --no-bench if the first "
              "finished the benchmark (it resumes)", end="")
    print(f"; {DEVICE_SECONDS:.0f} s of device time at most")
    return 0 if total <= min(DEVICE_SECONDS, 2 * args.budget) else 1


def log(out, line):
    print(line, flush=True)
    with open(Path(out) / "device.log", "a") as f:
        f.write(line + "\n")


def limited(command, seconds, out, env):
    """Run ``command`` (its output into the log) for at most ``seconds``, in a
    process group of its own, so that the Jupyter kernel it starts goes too.
    Returns its exit status, or None when it was stopped at the limit. (The
    group stays in this session: whatever ends the command's session, such as
    the device tool at its time limit, ends the notebook too.)"""
    with open(Path(out) / "device.log", "a") as f:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=f,
                                   stderr=subprocess.STDOUT, process_group=0)
        try:
            return process.wait(timeout=max(seconds, 1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return None


def pack(out, work):
    """``OUT/notebooks.tgz``: every finished notebook, replaced in one step."""
    finished = sorted(p.relative_to(work).as_posix() for p in (work / "chapters").rglob("*.ipynb"))
    if finished:
        partial = Path(out) / ".notebooks.tgz"
        with tarfile.open(partial, "w:gz") as tar:
            for name in finished:
                tar.add(work / name, arcname=name)
        os.replace(partial, Path(out) / "notebooks.tgz")
    return finished


def prepare():
    """The environment of the run: the bundle's wheels on the path, its data."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", D2LMINI_MODE="full")
    site = Path("/tmp/d2lmini-site")
    wheels = sorted((BUNDLE / "wheels").glob("*.whl"))
    if wheels:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps",
                        "--no-compile", "--no-cache-dir", "--upgrade", "--target", str(site),
                        *map(str, wheels)], check=True)
        env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
        sys.path.insert(0, str(site))
    else:
        env["PYTHONPATH"] = str(ROOT)
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as error:
        sys.exit(f"{error.name} is missing and .device/wheels holds no wheels: run "
                 "`make device-bundle` here and carry .device with the command")
    if (BUNDLE / "data").is_dir():
        env["D2LMINI_DATA"] = str(BUNDLE / "data")
    found = subprocess.run([sys.executable, "-m", "d2lmini.data", "--no-download"], cwd=ROOT,
                           env=env, capture_output=True, text=True)
    if found.returncode != 0:
        sys.exit("no Fashion-MNIST here: carry .device (made by `make device-bundle`)\n"
                 + found.stdout[-1000:] + found.stderr[-1000:])
    return env


def cmd_run(args):
    t0 = time.monotonic()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = prepare()
    sys.path[:0] = [str(ROOT), str(ROOT / "tools")]  # d2lmini (for the estimates), records
    import records
    work = Path(args.work)
    plan = ordered(args.notebooks or records.gpu_plan(ROOT))
    left = lambda: args.budget - (time.monotonic() - t0)  # noqa: E731
    log(out, f"plan: {len(plan)} notebooks, then the benchmark; budget {args.budget:.0f} s")
    nbtool = [sys.executable, str(ROOT / "tools" / "nbtool.py"), "execute-full", "--resume",
              "--out", str(work)] + (["--dry-run"] if args.dry_run else [])
    failed = []
    for nb in plan:
        guess = estimate(nb)
        limit = min(args.notebook_limit or 2 * guess + 60,
                    left() - (0 if args.no_bench else BENCH_SECONDS))
        if limit < min(guess, args.notebook_limit or guess):
            log(out, f"{nb}: skipped, {left():.0f} s left, {guess:.0f} s needed")
            failed.append(nb)
            continue
        start = time.monotonic()
        status = limited(nbtool + [nb], limit, out, env)
        seconds = time.monotonic() - start
        verdict = {0: "done", None: f"STOPPED at its limit of {limit:.0f} s"}.get(
            status, f"FAILED (exit {status})")
        log(out, f"{nb}: {verdict} in {seconds:.0f} s (estimate {guess:.0f} s)")
        if status != 0:
            failed.append(nb)
        pack(out, work)
    if not args.no_bench:
        bench = [sys.executable, str(ROOT / "benchmarks" / "train_throughput.py"),
                 "--out", str(out / "throughput.md"), *args.bench_flags.split()]
        status = limited(bench, left(), out, env)
        log(out, f"benchmark: {'done' if status == 0 else 'stopped or failed'}")
        failed += [] if status == 0 else ["benchmark"]
    log(out, f"finished in {time.monotonic() - t0:.0f} s; "
        + (f"not done: {', '.join(failed)}" if failed else "all done"))
    return 1 if failed else 0


def cmd_import(args):
    source, root = Path(args.folder), Path(args.root)
    tarballs = sorted(source.glob("notebooks*.tgz"))
    if not tarballs and not (source / "throughput.md").exists():
        sys.exit(f"{source} holds no notebooks.tgz and no throughput.md")
    for tarball in tarballs:
        with tarfile.open(tarball) as tar:
            names = [m for m in tar.getmembers() if m.isfile()]
            bad = [m.name for m in names if not re.fullmatch(r"chapters/[\w/.-]+\.ipynb", m.name)]
            if bad:
                sys.exit(f"{tarball.name}: unexpected members {bad}")
            for member in names:
                tar.extract(member, root)
                print(f"imported {member.name}")
    if (source / "throughput.md").exists():
        shutil.copy2(source / "throughput.md", root / "benchmarks" / "throughput.md")
        print("imported benchmarks/throughput.md")
    nbtool = [sys.executable, str(root / "tools" / "nbtool.py")]
    subprocess.run(nbtool + ["results"], check=True)
    return subprocess.run(nbtool + ["check"]).returncode


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    bundle = sub.add_parser("bundle", help="wheels and data into .device/")
    bundle.add_argument("--dir", default=str(BUNDLE), help="where (default: .device)")
    bundle.add_argument("--python-version", default="3.12", help="of the GPU machine")
    bundle.set_defaults(func=cmd_bundle)
    for name, helps in (("plan", "what `run` will do, with time estimates"),
                        ("run", "on the GPU machine: the plan and the benchmark, into OUT")):
        cmd = sub.add_parser(name, help=helps)
        if name == "run":
            cmd.add_argument("out", help="where the results go ($OUT)")
            cmd.add_argument("--work", default=str(WORK), help="finished notebooks, kept")
            cmd.add_argument("--dry-run", action="store_true",
                             help="quick mode, to try the path on a CPU (never importable)")
            cmd.add_argument("--no-bench", action="store_true")
            cmd.add_argument("--bench-flags", default="", help="for train_throughput.py")
            cmd.add_argument("--notebook-limit", type=float, default=None,
                             help="seconds per notebook (default: twice its estimate + 60)")
        cmd.add_argument("notebooks", nargs="*", help="instead of the GPU plan")
        cmd.add_argument("--budget", type=float, default=480.0,
                         help="seconds the whole command may take (default: 8 minutes)")
        cmd.set_defaults(func=cmd_plan if name == "plan" else cmd_run)
    imp = sub.add_parser("import", help="take a device run's results into the checkout")
    imp.add_argument("folder")
    imp.add_argument("--root", default=str(ROOT), help="the checkout (default: this one)")
    imp.set_defaults(func=cmd_import)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
