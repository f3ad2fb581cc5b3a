"""Local Jupyter the way ``chapters/how-to-run.md`` says: the commands of its
"In local Jupyter" block, and one chapter opened in a real JupyterLab.

The block's ``pip install`` line is installed (all but ``-e .``: d2lmini, and
with it PyTorch, is not needed to write the plain edition or to open a
notebook, and no cell runs here) into a virtual environment of this test's
own, made once under the pytest cache. The block's ``tools/colab.py`` line runs
with it, in an isolated Jupyter data folder, and its ``jupyter lab`` line
starts the server, which headless Chromium asks for a chapter with exercises,
solutions, citations, glued numbers, a link to another chapter and stored
figures. What a student reads there must hold no raw MyST, show the exercises
as headings with each solution folded (its code cell too, as the book folds
it), and show the stored figures. A
screenshot goes to ``_build/colab-screenshots/local-jupyter.png``.
"""
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from explorers import chromium  # noqa: E402

HOW_TO_RUN = ROOT / "chapters" / "how-to-run.md"
CHAPTER = "chapters/optimization/adam.ipynb"
SHOT = ROOT / "_build" / "colab-screenshots" / "local-jupyter.png"
#: What the book's MyST looks like when Jupyter shows it raw.
RAW = ("{exercise", "{solution", "{cite", "{glue", "{numref", "{doc", ":::", "```{")


def commands():
    """The shell commands of the fenced block under "In local Jupyter"."""
    text = HOW_TO_RUN.read_text()
    section = re.search(r"^## In local Jupyter\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, f"{HOW_TO_RUN.name} has no 'In local Jupyter' section"
    block = re.search(r"^```(?:bash|sh|console)?\n(.*?)^```", section.group(1), re.M | re.S)
    assert block, "the 'In local Jupyter' section has no fenced block of commands"
    return [part.strip() for line in block.group(1).splitlines()
            for part in line.split("#")[0].split("&&") if part.strip()]


def command(starts):
    """The words of the one command that starts with one of ``starts``."""
    found = [shlex.split(c) for c in commands()
             if any(c.split()[:len(s.split())] == s.split() for s in starts)]
    assert len(found) == 1, f"expected one {starts[0]!r} command in {commands()}"
    return found[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab_venv(request):
    """A virtual environment with what the block's ``pip install`` line installs."""
    words = command(["pip install", "python -m pip install", "python3 -m pip install"])
    args = words[words.index("install") + 1:]
    assert "-e" in args and args[args.index("-e") + 1] == ".", (
        f"the pip line must install the course's package (-e .): {words}")
    packages = sorted(a for i, a in enumerate(args)
                      if not a.startswith("-") and args[i - 1] != "-e")
    cache = getattr(request.config, "cache", None)
    venv = (Path(cache.mkdir("local-jupyter")) if cache else
            ROOT / ".pytest_cache" / "d" / "local-jupyter") / "venv"
    marker = venv / ".installed"
    if not marker.exists() or marker.read_text() != " ".join(packages):
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        *packages], check=True)
        marker.write_text(" ".join(packages))
    return venv


@pytest.fixture
def lab(lab_venv, tmp_path):
    """The block's colab.py and ``jupyter lab`` commands, run; yields the URL of
    the chapter in the running JupyterLab. The server is shut down after."""
    words = command(["python tools/colab.py", "python3 tools/colab.py"])
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH")}
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        env[name] = str(tmp_path / name.lower())  # its own trust database, no user config
    env["PATH"] = f"{lab_venv / 'bin'}{os.pathsep}{env['PATH']}"
    settings = tmp_path / "lab-settings"
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    # Render every cell at once (not only those in view), ask for no news.
    for plugin, values in (("notebook-extension/tracker", {"windowingMode": "none"}),
                           ("apputils-extension/notification", {"fetchNews": "false"})):
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    made = subprocess.run([str(lab_venv / "bin" / "python"), *words[1:]], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert made.returncode == 0, f"{' '.join(words)} failed:\n{made.stderr}"

    words = command(["jupyter lab", "jupyter-lab"])
    folder = next(w for w in words[2 if words[0] == "jupyter" else 1:]
                  if not w.startswith("-"))
    chapter = ROOT / folder / Path(CHAPTER).relative_to("chapters")
    assert chapter.exists(), f"{folder} has no {Path(CHAPTER).relative_to('chapters')}"
    port, token = free_port(), secrets.token_hex(16)
    flags = ["--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:
        flags.append("--allow-root")
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([str(lab_venv / "bin" / words[0]), *words[1:], *flags],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer in 60 s:\n"
                        + (tmp_path / "server.log").read_text())
        relative = chapter.relative_to(ROOT / folder).as_posix()
        yield f"{base}/lab/tree/{relative}?token={token}", chapter
    finally:
        try:
            urllib.request.urlopen(urllib.request.Request(
                f"{base}/api/shutdown", method="POST",
                headers={"Authorization": f"token {token}"}), timeout=10)
            server.wait(timeout=20)
        except Exception:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        log.close()


def role_targets(source):
    """Citation keys, glued names and linked pages of the chapter's Markdown
    that look like identifiers (what a renderer that drops only the braces shows)."""
    text = "\n".join(c.source for c in source.cells if c.cell_type == "markdown")
    targets = set()
    for role, target in re.findall(r"\{([a-z]+(?::[a-z]+)?)\}`([^`]+)`", text):
        if role.startswith("cite"):
            targets.update(k.strip() for k in target.split(","))
        elif role.startswith("glue"):
            targets.add(target.split(":")[0])
        elif "<" not in target:
            targets.add(target)
    return sorted(t for t in targets if re.search(r"[-/\d]", t))


def test_a_chapter_reads_cleanly_in_local_jupyter(lab):
    url, plain = lab
    source = nbformat.read(ROOT / CHAPTER, as_version=4)
    nb = nbformat.read(plain, as_version=4)
    markdown = sum(c.cell_type == "markdown" for c in nb.cells)
    solutions = sum(len(re.findall(r"^`{3,4}\{solution\}", c.source, re.M))
                    for c in source.cells if c.cell_type == "markdown")
    figures = sum("image/svg+xml" in out.get("data", {}) for c in nb.cells  # not folded
                  if "hide-cell" not in c.metadata.get("tags", []) for out in c.get("outputs", []))
    assert solutions >= 2 and figures >= 1
    driver = chromium()
    driver.set_window_size(1100, 1400)
    try:
        driver.get(url)
        rendered = ".jp-MarkdownCell .jp-RenderedMarkdown"
        deadline = time.time() + 60
        while time.time() < deadline:
            done = driver.execute_script(
                "return [document.querySelectorAll(arguments[0]).length,"
                " document.querySelectorAll('.jp-Cell .jp-OutputArea-output').length]",
                rendered)
            if done[0] >= markdown and done[1]:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab rendered {done[0]} of {markdown} Markdown cells in 60 s")
        time.sleep(1)  # typesetting and the figures' scripts
        text = driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])]"
            ".map(e => e.textContent).join('\\n')", rendered)
        raw = [(m, text[max(0, text.index(m) - 60):text.index(m) + 60])
               for m in RAW if m in text]
        assert not raw, f"raw MyST in the rendered Markdown: {raw}"
        left = [t for t in role_targets(source)
                if re.search(rf"(?<![\w/-]){re.escape(t)}(?![\w-])", text)]
        assert not left, f"references shown as their raw targets: {left}"

        details = driver.find_elements("css selector", ".jp-MarkdownCell details")
        assert len(details) == solutions, f"{len(details)} folded blocks, {solutions} solutions"
        for block in details:
            assert not block.get_property("open"), "a solution is open"
            assert driver.execute_script(
                "const d = arguments[0]; return d.querySelector('summary').checkVisibility()"
                " && [...d.children].filter(c => c.tagName !== 'SUMMARY')"
                ".every(c => !c.checkVisibility()) && d.textContent.length > 80", block), (
                "a solution is not folded behind its summary")

        folded = [("hide-cell" in tags, "hide-input" in tags) for tags in
                  (c.metadata.get("tags", []) for c in nb.cells)]
        assert any(cell for cell, _ in folded)
        shown = driver.execute_script(
            "return [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(c =>"
            " [!!c.querySelector('.jp-InputArea')?.checkVisibility(),"
            "  !!c.querySelector('.jp-OutputArea')?.checkVisibility()])")
        assert len(shown) == len(nb.cells)
        wrong = [i for i, ((cell, code), (source, outputs)) in enumerate(zip(folded, shown))
                 if (cell or code) and source or cell and outputs]
        assert not wrong, f"cells the book folds are open in Jupyter: {wrong}"

        headings = [h for h in driver.find_elements("css selector", ".jp-MarkdownCell h3")
                    if re.match(r"Exercise 1\b", h.text.strip())]
        assert headings and headings[0].is_displayed(), "no visible 'Exercise 1' heading"

        shown = driver.execute_script(
            "return [document.querySelectorAll('.jp-RenderedSVG').length,"
            " [...document.querySelectorAll('.jp-OutputArea-output')]"
            ".filter(o => o.textContent.includes('display.SVG object')).length]")
        assert shown == [figures, 0], (
            f"{shown[0]} of {figures} stored figures shown, {shown[1]} as text: "
            "is the notebook trusted?")

        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", headings[0])
        time.sleep(0.5)
        SHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOT))
    finally:
        driver.quit()
