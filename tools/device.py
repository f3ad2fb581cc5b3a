"""The full-mode run on a borrowed GPU machine, in three steps.

    python tools/device.py bundle            # here: wheels and data into .device/ (ignored)
    bash tools/device_run.sh OUT PART        # there: run PART, results into OUT
    python tools/device.py import DIR        # here: take the results in DIR into the checkout

The GPU machine has Python 3.12 with PyTorch, torchvision, matplotlib and
pytest, but no Jupyter stack, no network and no data. ``bundle`` downloads
Python 3.12 wheels of the notebook-execution stack (nbclient, nbformat,
ipykernel and what they need that the machine lacks) and copies the
Fashion-MNIST files, so that the working tree carries everything (under the
64 MiB that may travel). It checks that the wheels' requirements are closed:
each is in the bundle or among the packages the machine has.

``import`` unpacks the executed notebooks (``notebooks-*.tgz``) over
``chapters/``, copies the benchmark table to ``benchmarks/throughput.md``,
regenerates the Results page and checks every record.
"""
import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / ".device"
LIMIT = 64 * 2**20  # what may travel with the working tree, in bytes

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
    wheels, data = BUNDLE / "wheels", BUNDLE / "data"
    wheels.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    platforms = [a for p in PLATFORMS for a in ("--platform", p)]
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", "--python-version", "3.12", "--implementation",
                    "cp", *platforms, "-d", str(wheels), *WHEELS], check=True)
    sys.path.insert(0, str(ROOT))
    from d2lmini.datafiles import find_fashion_mnist, read_fashion_mnist
    paths = find_fashion_mnist()
    read_fashion_mnist()  # verified before it travels
    for path in paths.values():
        shutil.copy2(path, data / path.name)
    gaps = missing_requirements(sorted(wheels.glob("*.whl")))
    total = size_of(BUNDLE)
    print(f"{BUNDLE.relative_to(ROOT)}: {len(list(wheels.glob('*.whl')))} wheels "
          f"({size_of(wheels) / 2**20:.1f} MiB), data ({size_of(data) / 2**20:.1f} MiB), "
          f"{total / 2**20:.1f} MiB in all (at most {LIMIT / 2**20:.0f} MiB may travel)")
    if gaps:
        sys.exit(f"the wheels need packages that are neither bundled nor on the machine: {gaps}")
    if total > LIMIT:
        sys.exit("the bundle is too large to travel")


def cmd_import(args):
    source, root = Path(args.folder), Path(args.root)
    tarballs = sorted(source.glob("notebooks-*.tgz"))
    if not tarballs and not (source / "throughput.md").exists():
        sys.exit(f"{source} holds no notebooks-*.tgz and no throughput.md")
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
    sub.add_parser("bundle", help="wheels and data into .device/").set_defaults(func=cmd_bundle)
    imp = sub.add_parser("import", help="take a device run's results into the checkout")
    imp.add_argument("folder")
    imp.add_argument("--root", default=str(ROOT), help="the checkout (default: this one)")
    imp.set_defaults(func=cmd_import)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
