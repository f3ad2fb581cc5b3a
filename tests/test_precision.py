"""bfloat16 on the CPU (d2lmini.precision): only in full mode, only on a CPU
that has the instructions, float32 scores, and a run record that says so."""
import nbformat
import pytest
import torch
from torch import nn

import d2lmini
import records
from d2lmini import precision


def small_cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(4, 3))


@pytest.mark.parametrize("avx512_bf16, amx, expected",
                         [(True, False, True), (False, True, True), (False, False, False)])
def test_the_cpu_is_asked_not_guessed(monkeypatch, avx512_bf16, amx, expected):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert precision.cpu_has_bf16() is expected


def test_a_torch_without_the_probes_counts_as_no_bf16(monkeypatch):
    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported")
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported")
    assert precision.cpu_has_bf16() is False


@pytest.mark.parametrize("mode, native, wrapped", [("full", True, True), ("full", False, False),
                                                   ("quick", True, False)])
def test_bf16_only_in_full_mode_on_a_cpu_that_has_it(monkeypatch, mode, native, wrapped):
    monkeypatch.setenv("D2LMINI_MODE", mode)
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: native)
    net = small_cnn()
    out = d2lmini.bf16_on_cpu(net)
    assert isinstance(out, precision.BFloat16OnCPU) is wrapped
    assert (out is net) is not wrapped


def test_the_wrapped_net_computes_in_bf16_and_returns_float32(monkeypatch):
    monkeypatch.setattr(precision, "_ran_bf16", False)
    net = small_cnn()
    X = torch.rand(8, 1, 12, 12)
    with torch.no_grad():
        expected = net(X)
    assert precision.precision_used() == "float32"
    fast = precision.BFloat16OnCPU(net)
    Y = fast(X)
    assert Y.dtype == torch.float32
    assert precision.precision_used() == "bfloat16"
    # bfloat16 keeps 8 bits of mantissa: close to float32, but not equal
    assert torch.allclose(Y, expected, rtol=0.05, atol=0.02)
    assert not torch.equal(Y, expected)
    Y.sum().backward()
    for p in net.parameters():  # the weights and their gradients stay float32
        assert p.dtype == torch.float32 and p.grad.dtype == torch.float32
    assert net[0].weight.is_contiguous(memory_format=torch.channels_last)


def test_training_through_the_wrapper_learns(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "full")
    torch.manual_seed(0)
    X = torch.rand(64, 12, 12)
    y = (X.mean(dim=(1, 2)) > X.mean()).long()  # brightness decides the class
    loader = d2lmini.DeviceLoader((X * 255).to(torch.uint8), y, 16, shuffle=True,
                                  device="cpu", num_classes=3)
    net = precision.BFloat16OnCPU(small_cnn())
    history = d2lmini.train_classifier(net, loader, loader, num_epochs=8, lr=0.5,
                                       plot=False)
    assert history.train_loss[-1] < history.train_loss[0]


def run_probe(capsys):
    exec(records.probe_cell(), {})
    cell = nbformat.v4.new_code_cell(
        outputs=[nbformat.v4.new_output("stream", name="stdout",
                                        text=capsys.readouterr().out)])
    return records.read_probe(cell)


def test_the_run_record_says_which_precision_ran_on_the_cpu(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(precision, "_ran_bf16", False)
    assert run_probe(capsys)["precision"] == "float32"
    precision.BFloat16OnCPU(small_cnn())(torch.rand(2, 1, 8, 8))
    assert run_probe(capsys)["precision"] == "bfloat16"


def test_the_page_and_the_results_name_the_precision():
    meta = {"device": "cpu (2 threads)", "date": "2026-12-07", "seconds": 10.0,
            "torch": "2.14.1", "image_sizes": [{"asked": "224x224", "used": "67x67"}]}
    assert "in bfloat16" not in records.describe(meta)  # older records: float32
    meta["precision"] = "bfloat16"
    text = records.describe(meta)
    assert "full-mode run on cpu (2 threads) in bfloat16 on 2026-12-07" in text
    assert "224x224, needs a GPU" in text
    assert records.device(meta) == "cpu (2 threads) in bfloat16"
