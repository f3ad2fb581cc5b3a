"""He initialization keeps the scale of activations through deep ReLU stacks;
quick mode shrinks the minibatch size only where a chapter asks."""
import torch
from torch import nn

import d2lmini


def relu_stack(depth, width=256):
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*layers)


def mean_square_out(net, width=256):
    torch.manual_seed(0)
    with torch.no_grad():
        return net(torch.randn(4096, width)).pow(2).mean().item()


def test_weights_have_variance_two_over_fan_in_and_zero_biases():
    torch.manual_seed(0)
    conv = nn.Conv2d(64, 128, kernel_size=3)
    conv.apply(d2lmini.init_he)
    fan_in = 64 * 3 * 3
    assert abs(conv.weight.var().item() * fan_in / 2 - 1) < 0.02
    assert torch.count_nonzero(conv.bias) == 0


def test_he_keeps_the_signal_where_xavier_halves_it_per_layer():
    # E[x^2] of the input is 1; after each ReLU it is Var(pre-activation) / 2.
    he, xavier = relu_stack(20), relu_stack(20)
    torch.manual_seed(1)
    he.apply(d2lmini.init_he)
    for m in xavier:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    assert 0.25 < mean_square_out(he) < 2.0
    assert mean_square_out(xavier) < 1e-4      # about 2**-20 of the input's


def test_layers_without_weights_or_bias_are_left_alone():
    norm = nn.BatchNorm2d(4)
    norm.apply(d2lmini.init_he)
    assert torch.equal(norm.weight, torch.ones(4))
    no_bias = nn.Linear(8, 8, bias=False)
    no_bias.apply(d2lmini.init_he)
    assert no_bias.bias is None


def test_minibatch_size_shrinks_in_quick_mode_only_and_says_so(monkeypatch, capsys):
    monkeypatch.setenv("D2LMINI_MODE", "full")
    assert d2lmini.minibatch_size(128, quick=32) == 128
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    assert d2lmini.minibatch_size(128, quick=32) == 32
    assert "minibatches of 32 instead of 128" in capsys.readouterr().out


def test_minibatch_size_wants_positive_ints():
    import pytest
    with pytest.raises(ValueError, match="quick"):
        d2lmini.minibatch_size(128, quick=0)
