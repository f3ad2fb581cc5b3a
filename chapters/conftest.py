"""pytest plugin for `pytest --nbval-lax chapters/`: report each notebook's time."""
from collections import defaultdict

_seconds = defaultdict(float)


def pytest_runtest_logreport(report):
    _seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _seconds:
        return
    terminalreporter.section("seconds per notebook (all cells, this mode)")
    for notebook, seconds in sorted(_seconds.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{seconds:7.1f}  {notebook}")
    terminalreporter.write_line(f"{sum(_seconds.values()):7.1f}  in all")
