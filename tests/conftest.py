"""Shared fixtures: the real Fashion-MNIST files, and an isolated search path."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import d2lmini.datafiles as datafiles  # noqa: E402
from d2lmini import mode as runtime  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_notices():
    """Every test sees the once-per-process notices (quick mode) afresh, and the
    default sizes."""
    runtime._said.clear()
    saved = dict(vars(runtime.SIZES))
    yield
    vars(runtime.SIZES).update(saved)


@pytest.fixture(scope="session")
def real_files():
    """Paths of the four verified Fashion-MNIST files found on this machine."""
    return datafiles.find_fashion_mnist(download=False)


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No $D2LMINI_DATA, an empty cache, no Debian folder, unreachable mirrors."""
    monkeypatch.delenv("D2LMINI_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(datafiles, "DEBIAN_DIR", tmp_path / "debian")
    monkeypatch.setattr(datafiles, "MIRRORS", ((tmp_path / "no-mirror").as_uri() + "/",))
    datafiles._cache.clear()
    yield tmp_path
    datafiles._cache.clear()


def link_files(real_files, directory, keys=None):
    """Make ``directory`` hold (symbolic links to) the real files."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, path in real_files.items():
        if keys is None or key in keys:
            target = directory / path.name
            if not target.exists():
                os.symlink(path, target)
    return directory
