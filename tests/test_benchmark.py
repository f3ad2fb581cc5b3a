"""The throughput benchmark runs end to end (a small configuration: it measures nothing)."""
import sys
import tempfile

import pytest
import torch
from torch import nn

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import train_throughput as bench  # noqa: E402


def test_small_benchmark_prints_a_row_per_model(capsys):
    rows = bench.main(["--small"])
    out = capsys.readouterr().out
    assert [r[0] for r in rows] == ["lenet_bn", "resnet18", "densenet"]
    for name, size, classic, ours, *_rest, flops, _cl, _amp in rows:
        assert classic > 0 and ours > 0 and flops > 0
        assert f"| {name} | {size}x{size} |" in out
    # ResNet-18 at 96x96 costs far more per example than LeNet at 28x28
    assert rows[1][6] > 100 * rows[0][6]


def test_time_to_accuracy_stops_at_the_target(monkeypatch, capsys):
    small = lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 10))  # noqa: E731
    monkeypatch.setitem(bench.MODELS, "resnet18", (small, 28, 0.5))
    seconds, epochs, acc = bench.time_to_accuracy(0.5, 3, 256, torch.device("cpu"), quick=True)
    assert seconds is not None and acc >= 0.5 and 1 <= epochs <= 3
    seconds, epochs, acc = bench.time_to_accuracy(1.01, 1, 256, torch.device("cpu"), quick=True)
    assert seconds is None and epochs == 1


def test_unknown_model_is_refused():
    with pytest.raises(SystemExit):
        bench.main(["--models", "vgg"])


def test_the_temporary_data_folder_is_removed(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    bench.main(["--small", "--models", "lenet_bn"])
    assert not list(tmp_path.glob("d2lmini-bench-*"))

    def crash(*args, **kwargs):
        raise RuntimeError("crashed while measuring")
    monkeypatch.setattr(bench, "measure_classic", crash)
    with pytest.raises(RuntimeError, match="crashed"):
        bench.main(["--small", "--models", "lenet_bn"])
    assert not list(tmp_path.glob("d2lmini-bench-*"))
