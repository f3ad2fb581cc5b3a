"""The GPU machine's one-command path, exercised end to end on the CPU."""
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from conftest import ROOT

import device  # tools/device.py


def fake_wheel(folder, name, requires):
    path = folder / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}-1.0.dist-info/METADATA",
                   "Name: x\n" + "".join(f"Requires-Dist: {r}\n" for r in requires))
    return path


def test_the_bundle_must_be_closed(tmp_path):
    wheels = [fake_wheel(tmp_path, "nbclient", ["nbformat>=5", "jupyter-client (>=6)",
                                                "sphinx; extra == 'docs'"]),
              fake_wheel(tmp_path, "nbformat", ["fastjsonschema>=2.15", "traitlets>=5.1"]),
              fake_wheel(tmp_path, "ipykernel", ["appnope; platform_system == 'Darwin'",
                                                 "psutil", "comm>=0.1.1"])]
    # psutil is on the machine; appnope is for macOS; sphinx only for an extra
    assert device.missing_requirements(wheels) == ["comm", "fastjsonschema",
                                                   "jupyter-client", "traitlets"]


def copy_checkout(target):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\n")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def test_device_run_and_import_end_to_end_on_the_cpu(tmp_path):
    repo = copy_checkout(tmp_path / "repo")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHON=sys.executable, BENCH_FLAGS="--small --models lenet_bn")
    env.pop("D2LMINI_MODE", None)
    nb = "chapters/optimization/gd.ipynb"
    for part in ([nb], ["bench"]):
        run = subprocess.run(["bash", "tools/device_run.sh", str(out), *part], cwd=repo,
                             env=env, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == [
        "bench.log", "notebooks-some.tgz", "some.log", "throughput.md"]
    assert "| lenet_bn | 28x28 |" in (out / "throughput.md").read_text()

    before = (repo / nb).read_bytes()
    imported = subprocess.run([sys.executable, str(repo / "tools" / "device.py"), "import",
                               str(out), "--root", str(repo)],
                              capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert (repo / nb).read_bytes() != before
    record = nbformat.read(repo / nb, as_version=4).metadata["d2lmini"]
    assert record["mode"] == "full" and record["device"].startswith("cpu")
    results = (repo / "results.md").read_text()
    assert "1 of 14 notebooks recorded" in results or "notebooks recorded" in results
    assert "| lenet_bn | 28x28 |" in results  # the benchmark table is on the Results page


def test_import_refuses_a_tarball_that_writes_elsewhere(tmp_path):
    import tarfile
    evil = tmp_path / "evil.ipynb"
    evil.write_text("{}")
    with tarfile.open(tmp_path / "notebooks-x.tgz", "w:gz") as tar:
        tar.add(evil, arcname="../outside.ipynb")
    with pytest.raises(SystemExit, match="unexpected members"):
        device.main(["import", str(tmp_path), "--root", str(tmp_path / "repo")])
