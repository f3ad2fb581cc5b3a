"""The GPU machine's one-command path, exercised end to end on the CPU."""
import importlib.metadata
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

import nbformat
import pytest

from conftest import ROOT

import d2lmini.datafiles as datafiles
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


def tiny_notebook(path, code):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"),
                nbformat.v4.new_code_cell("import d2lmini"), nbformat.v4.new_code_cell(code)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path.relative_to(path.parents[2]).as_posix()


def device_run(repo, out, *args, python=sys.executable, env=None):
    env = dict(env or os.environ)
    env.pop("D2LMINI_MODE", None)
    return subprocess.Popen([python, "tools/device.py", "run", str(out), *args, "--work",
                             str(out.parent / "work")], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def tarball_names(path):
    with tarfile.open(path) as tar:
        return sorted(m.name for m in tar.getmembers() if m.isfile())


def test_device_run_and_import_end_to_end_on_the_cpu(tmp_path):
    repo = copy_checkout(tmp_path / "repo")
    out = tmp_path / "out"
    nb = "chapters/optimization/gd.ipynb"
    unrecorded = nbformat.read(repo / nb, as_version=4)
    del unrecorded.metadata["d2lmini"]  # as if its code had changed
    nbformat.write(unrecorded, repo / nb)
    run = device_run(repo, out, nb, "--bench-flags", "--small --models lenet_bn")
    log = run.communicate(timeout=900)[0]
    assert run.returncode == 0, log[-3000:]
    assert sorted(p.name for p in out.iterdir()) == ["device.log", "notebooks.tgz",
                                                     "throughput.md"]
    assert tarball_names(out / "notebooks.tgz") == [nb]
    table = (out / "throughput.md").read_text()
    assert "| lenet_bn | 28x28 |" in table and "Time to" in table
    assert f"{nb}: done in" in (out / "device.log").read_text()

    before = (repo / nb).read_bytes()
    imported = subprocess.run([sys.executable, str(repo / "tools" / "device.py"), "import",
                               str(out), "--root", str(repo)],
                              capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert (repo / nb).read_bytes() != before
    record = nbformat.read(repo / nb, as_version=4).metadata["d2lmini"]
    assert record["mode"] == "full" and record["device"].startswith("cpu")
    assert "| lenet_bn | 28x28 |" in (repo / "results.md").read_text()

    again = device_run(repo, out, nb, "--no-bench")  # the same machine, a second command
    log = again.communicate(timeout=300)[0]
    assert again.returncode == 0, log[-3000:]
    assert "already recorded at its own size" in (out / "device.log").read_text()


def test_a_run_killed_after_two_notebooks_returns_both(tmp_path):
    repo = copy_checkout(tmp_path / "repo")
    out = tmp_path / "out"
    names = [tiny_notebook(repo / "chapters" / "tiny" / f"tiny{i}.ipynb", code)
             for i, code in enumerate(["print(1 + 1)", "print(2 + 2)",
                                       "import time\ntime.sleep(600)"], start=1)]
    run = device_run(repo, out, *names, "--no-bench")
    log = out / "device.log"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().count(": done in") == 2:
            break
        time.sleep(0.5)
    while time.monotonic() < deadline and not processes_in(repo / "chapters" / "tiny"):
        time.sleep(0.5)  # the third notebook's kernel has started
    kill_session(run.pid)  # the command's time is up: everything it started ends
    run.communicate()
    assert tarball_names(out / "notebooks.tgz") == names[:2]
    assert not list(out.glob(".notebooks*"))  # no half-written archive
    assert not processes_in(repo / "chapters" / "tiny")


def kill_session(sid):
    """SIGKILL every process of session ``sid``, as a machine's time limit does."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # (state, ppid, pgrp, session, ...)
            try:
                os.kill(int(stat.parent.name), signal.SIGKILL)
            except ProcessLookupError:
                pass
    time.sleep(1)


def test_a_dry_run_again_skips_what_it_finished(tmp_path):
    repo = copy_checkout(tmp_path / "repo")
    out = tmp_path / "out"
    name = tiny_notebook(repo / "chapters" / "tiny" / "dry.ipynb", "print(d2lmini.get_mode())")
    for _ in range(2):
        run = device_run(repo, out, name, "--no-bench", "--dry-run")
        log = run.communicate(timeout=300)[0]
        assert run.returncode == 0, log[-3000:]
    text = (out / "device.log").read_text()
    assert text.count(f"{name}: done in") == 2
    assert f"{name}: already recorded" in text
    executed = nbformat.read(tmp_path / "work" / name, as_version=4)
    assert executed.metadata["d2lmini"]["mode"] == "quick"  # never importable


def test_a_notebook_over_its_limit_is_stopped_and_the_others_still_run(tmp_path):
    repo = copy_checkout(tmp_path / "repo")
    out = tmp_path / "out"
    names = [tiny_notebook(repo / "chapters" / "tiny" / f"t{i}.ipynb", code)
             for i, code in enumerate(["import time\ntime.sleep(600)", "print(3)"], start=1)]
    run = device_run(repo, out, *names, "--no-bench", "--notebook-limit", "15")
    log = run.communicate(timeout=300)[0]
    assert run.returncode == 1, log
    text = (out / "device.log").read_text()
    assert f"{names[0]}: STOPPED at its limit of 15 s" in text
    assert tarball_names(out / "notebooks.tgz") == [names[1]]
    assert not processes_in(repo / "chapters" / "tiny")  # the stopped kernel went too


def processes_in(folder):
    """The processes whose working directory is ``folder``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if Path(os.readlink(proc / "cwd")) == folder:
                found.append(proc.name)
        except OSError:
            pass
    return found


def test_without_the_bundle_it_stops_at_once_and_says_what_to_carry(tmp_path):
    repo = copy_checkout(tmp_path / "repo")
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    run = device_run(repo, tmp_path / "out", python=str(bare / "bin" / "python"))
    log = run.communicate(timeout=120)[0]
    assert run.returncode != 0 and "carry .device" in log, log


def link_device_packages(venv):
    """Give ``venv`` what the GPU machine's Python has (torch, torchvision,
    matplotlib, ...: DEVICE_HAS and the CUDA libraries), linked from this one."""
    farm = venv / "device-packages"
    farm.mkdir()
    allowed = device.DEVICE_HAS
    for dist in importlib.metadata.distributions():
        name = device.normalize(dist.metadata["Name"])
        if name in allowed or name.startswith(("nvidia-", "cuda-", "triton")):
            for top in {f.parts[0] for f in dist.files or []} - {"..", "bin"}:
                source = Path(dist.locate_file(top))
                if source.exists() and not (farm / top).exists():
                    (farm / top).symlink_to(source)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "device-packages.pth").write_text(str(farm) + "\n")


def test_the_bundle_installs_offline_into_a_bare_python_and_runs_a_notebook(tmp_path):
    """As on the GPU machine: a fresh Python with only torch, torchvision,
    matplotlib and their like; the wheels installed with --no-index; the data
    from .device/data alone."""
    repo = copy_checkout(tmp_path / "repo")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    made = subprocess.run([sys.executable, str(repo / "tools" / "device.py"), "bundle",
                           "--dir", str(repo / ".device"), "--python-version", version],
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    assert sorted(p.name for p in (repo / ".device" / "data").iterdir()) == sorted(
        p.name for p in datafiles.find_fashion_mnist(download=False).values())
    venv = tmp_path / "device-python"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    link_device_packages(venv)
    python = str(venv / "bin" / "python")
    lacks = subprocess.run([python, "-c", "import nbclient"], capture_output=True)
    assert lacks.returncode != 0  # the Jupyter stack comes from the bundle alone
    plan = subprocess.run([python, "tools/device.py", "plan", *device.TRAINING], cwd=repo,
                          capture_output=True, text=True, timeout=300)
    assert plan.returncode == 0 and "resnet18 at 96x96" in plan.stdout, plan.stderr[-3000:]
    name = tiny_notebook(repo / "chapters" / "tiny" / "data.ipynb",
                         "train_iter, test_iter = d2lmini.load_fashion_mnist(1000)\n"
                         "print(len(train_iter), len(test_iter))\n"
                         "print(d2lmini.find_fashion_mnist()['train_images'].parent)")
    env_home = tmp_path / "home"  # no user cache to find the data in
    run = device_run(repo, tmp_path / "out", name, "--no-bench", python=python,
                     env=dict(os.environ, HOME=str(env_home), XDG_CACHE_HOME=str(env_home)))
    log = run.communicate(timeout=600)[0]
    assert run.returncode == 0, log[-3000:]
    assert tarball_names(tmp_path / "out" / "notebooks.tgz") == [name]
    executed = nbformat.read(tmp_path / "work" / name, as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == f"60 10\n{repo / '.device' / 'data'}\n"
    # a chapter of the plan: its estimate is made there too (then it is stopped at once)
    run = device_run(repo, tmp_path / "out", "chapters/cnn/resnet.ipynb", "--no-bench",
                     "--notebook-limit", "1", python=python)
    log = run.communicate(timeout=300)[0]
    assert "chapters/cnn/resnet.ipynb: STOPPED at its limit of 1 s" in log, log[-3000:]


def test_import_refuses_a_tarball_that_writes_elsewhere(tmp_path):
    import tarfile
    evil = tmp_path / "evil.ipynb"
    evil.write_text("{}")
    with tarfile.open(tmp_path / "notebooks-x.tgz", "w:gz") as tar:
        tar.add(evil, arcname="../outside.ipynb")
    with pytest.raises(SystemExit, match="unexpected members"):
        device.main(["import", str(tmp_path), "--root", str(tmp_path / "repo")])


def test_the_gpu_plan_is_the_chapters_that_wait_for_one():
    import records
    plan = records.gpu_plan(ROOT)
    # ResNet and DenseNet have CPU records at a smaller size: a GPU run replaces them
    assert {"chapters/cnn/resnet.ipynb", "chapters/cnn/densenet.ipynb"} <= set(plan)
    for nb in ("chapters/cnn/batch-norm.ipynb", "chapters/optimization/adam.ipynb"):
        assert nb not in plan  # recorded on a CPU at their own size
    assert set(plan) <= set(device.TRAINING)  # every planned notebook has its estimate


@pytest.mark.parametrize("notebook", sorted(device.TRAINING))
def test_the_time_plan_knows_what_each_chapter_trains(notebook):
    """TRAINING (network, side, minibatch, epochs, runs) matches the training cell."""
    name, side, batch, epochs, runs = device.TRAINING[notebook]
    nb = nbformat.read(ROOT / notebook, as_version=4)
    cell = next(c.source for c in nb.cells
                if c.cell_type == "code" and "train_classifier(" in c.source)
    assert f"resize={side})" in cell and f"num_epochs={epochs}," in cell
    assert f"minibatch_size({batch}," in cell or f"load_fashion_mnist({batch}," in cell
    made = {"vgg-11/4": "vgg(small_arch)"}.get(name, f"{name}()")
    assert made in cell
    assert (f"for seed in range({runs}):" in cell) == (runs > 1)
    assert 10 < device.estimate(notebook) < 60 + 60 * runs


def test_the_plan_fits_in_the_device_time(capsys):
    """The whole plan fits in a session's device time, each notebook in one
    command of 8 minutes next to the benchmark; where the plan is longer than
    one command, it says how to finish it."""
    assert device.main(["plan", *device.TRAINING]) == 0
    out = capsys.readouterr().out
    total = float(re.search(r"in all (\d+) s", out).group(1))
    assert total <= device.DEVICE_SECONDS
    assert ("two commands" in out) == (total > 480)
    for nb in device.TRAINING:
        assert device.estimate(nb) + device.BENCH_SECONDS <= 480
    assert device.main(["plan", "--budget", "100", *device.TRAINING]) == 1
