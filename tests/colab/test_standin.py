"""The plain edition where students run it: a Colab stand-in, and screenshots.

A fresh virtual environment (``.venv-colab``, made once) holds only what Colab
brings: torch, torchvision, matplotlib, numpy and ipykernel. A plain notebook
is copied alone into an empty folder; its setup cell installs d2lmini from a
wheel of this checkout, standing in for the pinned source; the data comes
from the user cache; the notebook runs end to end in quick mode.
Each plain notebook is also rendered by nbconvert's HTML exporter (close to
what Jupyter shows) and photographed in headless Chromium into
``_build/colab-screenshots/``.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402
import nbtool  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from explorers import check_explorers, chromium, offline  # noqa: E402

STANDIN = ROOT / ".venv-colab"
SHOTS = ROOT / "_build" / "colab-screenshots"
TORCH_SPEC = [s.strip("'\"") for s in os.environ.get("TORCH_SPEC", "torch torchvision").split()]
CHAPTERS = ["chapters/optimization/gd.ipynb", "chapters/cnn/batch-norm.ipynb"]


@pytest.fixture(scope="session")
def standin():
    python = STANDIN / "bin" / "python"
    if not (STANDIN / ".installed").exists():
        shutil.rmtree(STANDIN, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(STANDIN)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *TORCH_SPEC,
                        "matplotlib", "numpy", "ipykernel"], check=True)
        (STANDIN / ".installed").touch()
    # d2lmini must come from the setup cell, every time
    subprocess.run([str(python), "-m", "pip", "uninstall", "--quiet", "-y", "d2lmini"],
                   capture_output=True)
    return python


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(out), str(ROOT)], check=True)
    return next(out.glob("d2lmini-*.whl"))


@pytest.fixture
def data_cache(tmp_path, real_files):  # real_files: tests/conftest.py
    cache = tmp_path / "cache"
    folder = cache / "d2lmini" / "fashion-mnist"
    folder.mkdir(parents=True)
    for path in real_files.values():
        shutil.copy2(path, folder / path.name)
    return cache


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_plain_notebook_runs_alone_on_a_fresh_environment(standin, wheel, data_cache,
                                                             tmp_path, chapter):
    from nbclient import NotebookClient
    alone = tmp_path / "alone"
    alone.mkdir()
    built = colab.build(tmp_path / "edition", requirement=f"d2lmini @ {wheel.as_uri()}",
                        paths=[ROOT / chapter])[0]
    notebook = alone / built.name
    shutil.copy2(built, notebook)
    kernels = tmp_path / "jupyter" / "kernels" / "standin"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(standin), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Colab stand-in", "language": "python"}))
    env = {k: v for k, v in os.environ.items()
           if k not in ("D2LMINI_DATA", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(JUPYTER_PATH=str(tmp_path / "jupyter"), XDG_CACHE_HOME=str(data_cache),
               D2LMINI_MODE="quick", HOME=str(tmp_path))
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="standin",
                            resources={"metadata": {"path": str(alone)}})
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this environment
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    texts = "".join(out.get("text", "") for c in nb.cells if c.cell_type == "code"
                    for out in c.outputs)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in cells)  # every cell ran, none failed
    if "cnn" in chapter:
        assert "quick mode" in texts  # the data came from the cache, subset announced
    shown = subprocess.run([str(standin), "-m", "pip", "show", "d2lmini"],
                           capture_output=True, text=True).stdout
    assert f"Version: {colab.d2lmini_version()}" in shown
    assert str(STANDIN) in shown  # installed into the stand-in by the setup cell
    nbformat.write(nb, tmp_path / "executed.ipynb")
    page = screenshot(tmp_path / "executed.ipynb", "executed-" + Path(chapter).stem)
    figures = [out["data"] for c in cells for out in c.outputs
               if "d2l-explorer" in out.get("data", {}).get("text/html", "")]
    made = sum("explore(" in c.source for c in cells)
    assert len(figures) == made and all("image/png" in f for f in figures)
    if made:  # the interactive figures work where the plain edition runs
        driver = chromium()
        try:
            offline(driver)
            driver.get(page.as_uri())
            assert check_explorers(driver) == made
        finally:
            driver.quit()


def screenshot(notebook, name):
    """nbconvert's HTML of ``notebook``, photographed in headless Chromium."""
    from nbconvert import HTMLExporter
    html, _ = HTMLExporter().from_filename(str(notebook))
    page = notebook.with_suffix(".html")
    page.write_text(html)
    SHOTS.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("chromium is missing: install Debian's chromium package")
    target = SHOTS / f"{name}.png"
    subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    f"--user-data-dir={notebook.parent / 'chromium'}",
                    "--window-size=1100,6000", f"--screenshot={target}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert target.stat().st_size > 10_000
    return page


@pytest.mark.parametrize("path", nbtool.notebooks(), ids=lambda p: p.stem)
def test_screenshot_of_every_plain_notebook(tmp_path, path):
    built = colab.build(tmp_path, paths=[path])[0]
    html_text = nbformat.read(built, as_version=4)
    assert html_text.cells
    screenshot(built, path.stem)
