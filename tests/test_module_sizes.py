"""Each module does one job, and is short enough to read in one sitting."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMITS = {"d2lmini": 300, "tools": 400}


@pytest.mark.parametrize("folder, limit", LIMITS.items())
def test_no_module_is_longer_than_its_limit(folder, limit):
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files
    long = {str(f.relative_to(ROOT)): n for f in files
            if (n := len(f.read_text(encoding="utf-8").splitlines())) > limit}
    assert not long, f"over {limit} lines: {long}"
