"""The throughput benchmark runs end to end (a small configuration: it measures nothing)."""
import sys
import tempfile

import pytest
import torch
from torch import nn

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import train_throughput as bench  # noqa: E402


def test_small_benchmark_prints_a_row_per_model(capsys, tmp_path):
    out_file = tmp_path / "throughput.md"
    rows = bench.main(["--small", "--out", str(out_file)])
    out = capsys.readouterr().out
    assert [r["name"] for r in rows] == ["lenet_bn", "resnet18", "densenet"]
    for r in rows:
        assert min(r["wall"]) > 0 and min(r["d2l"]) > 0 and min(r["ours"]) > 0
        assert r["flops"] > 0
        assert f"| {r['name']} | {r['size']}x{r['size']} |" in out
        # d2l's measure leaves out the wait for data, so it is never slower
        assert r["d2l"][0] >= r["wall"][0]
    # ResNet-18 at 96x96 costs far more per example than LeNet at 28x28
    assert rows[1]["flops"] > 100 * rows[0]["flops"]
    for setting in ("device: cpu", "CPU cores:", "TF32:", "batch size 8",
                    "DataLoader with 0 workers", "pin_memory False", "torch "):
        assert setting in out
    written = out_file.read_text()
    assert written.startswith("Settings:") and "| lenet_bn | 28x28 |" in written
    assert "n/a" in written  # no bf16 on the CPU: no "% of peak"
    assert "Time to 0.5 test accuracy (ResNet-18 at 96x96" in written  # the TTA row


def test_a_run_stopped_halfway_keeps_the_rows_it_measured(monkeypatch, tmp_path, capsys):
    out_file = tmp_path / "throughput.md"
    measure = bench.measure_classic
    calls = []

    def crash_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("stopped at the command's time limit")
        return measure(*args, **kwargs)
    monkeypatch.setattr(bench, "measure_classic", crash_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        bench.main(["--small", "--models", "lenet_bn,densenet", "--out", str(out_file)])
    written = out_file.read_text()
    assert "| lenet_bn | 28x28 |" in written and "densenet" not in written


def test_the_classic_side_is_labelled_tf32_where_cudnn_uses_it():
    assert bench.classic_precision(torch.device("cpu")) == "float32"
    saved = torch.backends.cuda.matmul.allow_tf32
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        with torch.backends.cudnn.flags(allow_tf32=True):
            label = bench.classic_precision(torch.device("cuda:0"))
    finally:
        torch.backends.cuda.matmul.allow_tf32 = saved
    assert "convolutions in TF32" in label and "matrix products in float32" in label


@pytest.mark.parametrize("name, tflops", [
    ("NVIDIA H100 80GB HBM3", 989), ("NVIDIA H100 PCIe", 756), ("NVIDIA H100 NVL", 835),
    ("NVIDIA H200", 989), ("NVIDIA A100-SXM4-80GB", 312), ("NVIDIA L4", 121),
    ("NVIDIA L40", 181), ("NVIDIA L40S", 362), ("Tesla T4", None)])
def test_peak_is_picked_by_exact_model(monkeypatch, name, tflops):
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    peak = bench.peak_flops(torch.device("cuda:0"), None)
    assert peak == (None if tflops is None else tflops * 1e12)


def test_percent_of_peak_only_where_bf16_ran():
    row = dict(name="resnet18", size=96, wall=[100.0], d2l=[120.0], ours=[1000.0],
               mem_a="1 GiB", mem_b="1 GiB", flops=2e9, channels_last=True, amp=False)
    assert "| n/a |" in bench.results_table([row], 989e12)
    row["amp"] = True
    assert "| 0.2% |" in bench.results_table([row], 989e12)  # 1000 x 2 GFLOP of 989 TFLOP/s


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
