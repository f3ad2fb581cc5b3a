"""Batch normalization from scratch, checked against PyTorch's built-in.

Two conventions differ between d2lmini and PyTorch, and the tests map them:

* our ``momentum`` weights the old moving average, PyTorch's weights the new
  value: ours 0.9 is PyTorch's 0.1;
* PyTorch updates ``running_var`` with the *unbiased* batch variance (divisor
  m - 1), we update ``moving_var`` with the *biased* one (divisor m), the one
  both implementations normalize with. Starting from the same moving variance
  v0 and feeding batches of the same size m for k steps, both are a weighted
  sum of v0 and the batch variances, so
  ``ours = w0 * v0 + (m - 1) / m * (pytorch - w0 * v0)``, with
  ``w0 = momentum ** k``. The tests check this identity and, independently,
  the update formula written out step by step with ``torch.var(unbiased=False)``.
"""
import pytest
import torch
from torch import nn
from torch.nn import functional as F

import d2lmini
from d2lmini import BatchNorm, batch_norm

TOL = 1e-5


def _max_diff(a, b):
    return (a - b).abs().max().item()


def _params(c, shape):
    g = torch.Generator().manual_seed(c)
    gamma = torch.rand(shape, generator=g) + 0.5
    beta = torch.randn(shape, generator=g)
    mean = torch.randn(shape, generator=g)
    var = torch.rand(shape, generator=g) + 0.5
    return gamma, beta, mean, var


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 6, 7)])
def test_training_mode_matches_functional_batch_norm(shape):
    torch.manual_seed(0)
    X = torch.randn(shape) * 3 + 2
    c = shape[1]
    stat = (1, c) if len(shape) == 2 else (1, c, 1, 1)
    gamma, beta, mean, var = _params(c, stat)
    Y, new_mean, new_var = batch_norm(X, gamma, beta, mean, var, eps=1e-5, momentum=0.9)
    run_mean, run_var = mean.flatten().clone(), var.flatten().clone()
    ref = F.batch_norm(X, run_mean, run_var, gamma.flatten(), beta.flatten(), training=True,
                       momentum=0.1, eps=1e-5)
    assert Y.shape == X.shape
    assert _max_diff(Y, ref) < TOL
    assert new_mean.shape == mean.shape and new_var.shape == var.shape
    # Mean: the same update once momentum is mapped (ours 0.9 = PyTorch's 0.1).
    assert _max_diff(new_mean.flatten(), run_mean) < TOL
    # The output really is standardized per channel, then scaled and shifted.
    dims = (0,) if len(shape) == 2 else (0, 2, 3)
    Z = (Y - beta) / gamma
    assert Z.mean(dim=dims).abs().max().item() < TOL
    assert (Z.var(dim=dims, unbiased=False) - 1).abs().max().item() < 1e-3


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 6, 7)])
def test_prediction_mode_matches_functional_batch_norm(shape):
    torch.manual_seed(1)
    X = torch.randn(shape)
    c = shape[1]
    stat = (1, c) if len(shape) == 2 else (1, c, 1, 1)
    gamma, beta, mean, var = _params(c, stat)
    with torch.no_grad():  # prediction mode, chosen by the grad mode as in D2L
        Y, new_mean, new_var = batch_norm(X, gamma, beta, mean, var, eps=1e-5, momentum=0.9)
    ref = F.batch_norm(X, mean.flatten(), var.flatten(), gamma.flatten(), beta.flatten(),
                       training=False, eps=1e-5)
    assert _max_diff(Y, ref) < TOL
    assert torch.equal(new_mean, mean) and torch.equal(new_var, var)  # unchanged
    # The explicit flag wins over the grad mode.
    Y2, _, _ = batch_norm(X, gamma, beta, mean, var, 1e-5, 0.9, training=False)
    assert _max_diff(Y2, ref) < TOL
    # The prediction of one example does not depend on the rest of the batch.
    Y1, _, _ = batch_norm(X[:1], gamma, beta, mean, var, 1e-5, 0.9, training=False)
    assert _max_diff(Y1, ref[:1]) < TOL


@pytest.mark.parametrize("shape", [(16, 4), (6, 3, 5, 5)])
def test_moving_statistics_after_several_steps_match_pytorch(shape):
    torch.manual_seed(2)
    c, steps, momentum = shape[1], 5, 0.9
    m = shape[0] if len(shape) == 2 else shape[0] * shape[2] * shape[3]
    stat = (1, c) if len(shape) == 2 else (1, c, 1, 1)
    gamma, beta = torch.ones(stat), torch.zeros(stat)
    mean, var = torch.zeros(stat), torch.ones(stat)
    pt_mean, pt_var = torch.zeros(c), torch.ones(c)
    by_hand_mean, by_hand_var = torch.zeros(c), torch.ones(c)
    dims = (0,) if len(shape) == 2 else (0, 2, 3)
    for step in range(steps):
        X = torch.randn(shape) * (step + 1) + step
        _, mean, var = batch_norm(X, gamma, beta, mean, var, 1e-5, momentum)
        F.batch_norm(X, pt_mean, pt_var, training=True, momentum=1 - momentum, eps=1e-5)
        by_hand_mean = momentum * by_hand_mean + (1 - momentum) * X.mean(dim=dims)
        by_hand_var = momentum * by_hand_var + (1 - momentum) * X.var(dim=dims, unbiased=False)
    # Means: identical once PyTorch's momentum is set to 1 - ours.
    assert _max_diff(mean.flatten(), pt_mean) < TOL
    # Variances: PyTorch accumulates unbiased batch variances; map them to biased ones.
    w0 = momentum ** steps  # weight left on the initial moving variance (1)
    mapped = w0 + (m - 1) / m * (pt_var - w0)
    assert _max_diff(var.flatten(), mapped) < TOL
    assert _max_diff(var.flatten(), pt_var) > 1e-3  # the mapping is not a no-op
    # And the update formula, written out.
    assert _max_diff(mean.flatten(), by_hand_mean) < TOL
    assert _max_diff(var.flatten(), by_hand_var) < TOL


def test_gradients_match_functional_batch_norm():
    torch.manual_seed(3)
    X = torch.randn(4, 3, 5, 5, requires_grad=True)
    gamma = torch.rand(1, 3, 1, 1, requires_grad=True)
    beta = torch.randn(1, 3, 1, 1, requires_grad=True)
    Y, _, _ = batch_norm(X, gamma, beta, torch.zeros(1, 3, 1, 1), torch.ones(1, 3, 1, 1),
                         1e-5, 0.9)
    w = torch.randn_like(Y)
    grads = torch.autograd.grad((Y * w).sum(), (X, gamma, beta))
    X2 = X.detach().clone().requires_grad_()
    g2 = gamma.detach().flatten().clone().requires_grad_()
    b2 = beta.detach().flatten().clone().requires_grad_()
    Y2 = F.batch_norm(X2, None, None, g2, b2, training=True, eps=1e-5)
    ref = torch.autograd.grad((Y2 * w).sum(), (X2, g2, b2))
    for g, r in zip(grads, ref):
        assert _max_diff(g.flatten(), r.flatten()) < 1e-4


def test_single_example_is_fine_in_prediction_mode():
    ones, zeros = torch.ones(1, 3), torch.zeros(1, 3)
    Y, _, _ = batch_norm(torch.randn(1, 3), ones, zeros, zeros, ones, 1e-5, 0.9,
                         training=False)
    assert Y.shape == (1, 3)


def test_module_parameters_and_buffers():
    bn = BatchNorm(6, num_dims=4)
    assert {n for n, _ in bn.named_parameters()} == {"gamma", "beta"}
    assert {n for n, _ in bn.named_buffers()} == {"moving_mean", "moving_var"}
    assert bn.gamma.shape == (1, 6, 1, 1)
    assert torch.equal(bn.gamma, torch.ones(1, 6, 1, 1))
    assert torch.equal(bn.beta, torch.zeros(1, 6, 1, 1))
    assert torch.equal(bn.moving_mean, torch.zeros(1, 6, 1, 1))
    assert torch.equal(bn.moving_var, torch.ones(1, 6, 1, 1))
    assert set(bn.state_dict()) == {"gamma", "beta", "moving_mean", "moving_var"}
    assert BatchNorm(7, num_dims=2).moving_var.shape == (1, 7)


@pytest.mark.parametrize("num_dims", [2, 4])
def test_module_matches_torch_batchnorm_in_train_and_eval(num_dims):
    torch.manual_seed(4)
    c = 3
    ours = BatchNorm(c, num_dims)
    ref = nn.BatchNorm1d(c) if num_dims == 2 else nn.BatchNorm2d(c)  # momentum 0.1 = ours 0.9
    with torch.no_grad():
        gamma, beta = torch.rand(c) + 0.5, torch.randn(c)
        ours.gamma.copy_(gamma.reshape(ours.gamma.shape))
        ours.beta.copy_(beta.reshape(ours.beta.shape))
        ref.weight.copy_(gamma)
        ref.bias.copy_(beta)
    shape = (10, c) if num_dims == 2 else (5, c, 4, 4)
    m = shape[0] if num_dims == 2 else 5 * 16
    steps = 4
    for step in range(steps):
        X = torch.randn(shape) * 2 + step
        assert _max_diff(ours(X), ref(X)) < TOL
    assert _max_diff(ours.moving_mean.flatten(), ref.running_mean) < TOL
    w0 = 0.9 ** steps
    assert _max_diff(ours.moving_var.flatten(), w0 + (m - 1) / m * (ref.running_var - w0)) < TOL
    # Evaluation mode uses the moving statistics and leaves them alone; since
    # the moving variances differ (biased vs unbiased), give both the same ones.
    with torch.no_grad():
        ref.running_var.copy_(ours.moving_var.flatten())
    ours.eval(), ref.eval()
    before = ours.moving_mean.clone(), ours.moving_var.clone()
    X = torch.randn(shape)
    assert _max_diff(ours(X), ref(X)) < TOL
    assert torch.equal(ours.moving_mean, before[0]) and torch.equal(ours.moving_var, before[1])
    # The mode follows .train()/.eval(), not the grad mode.
    with torch.no_grad():
        ours.train()
        ours(X)
    assert not torch.equal(ours.moving_mean, before[0])
    ours.eval()
    Y_eval = ours(X)  # grad mode is on here, and still the moving statistics are used
    expected = (X - ours.moving_mean) / torch.sqrt(ours.moving_var + 1e-5) * ours.gamma + ours.beta
    assert _max_diff(Y_eval, expected) < TOL


def test_module_trains_gamma_and_beta():
    bn = BatchNorm(3, num_dims=4)
    X = torch.randn(4, 3, 5, 5)
    (bn(X) * torch.arange(3.0).reshape(1, 3, 1, 1)).sum().backward()
    assert bn.gamma.grad is not None and bn.beta.grad is not None
    assert bn.moving_mean.grad is None and not bn.moving_mean.requires_grad


def test_module_buffers_follow_to_and_state_dict():
    bn = BatchNorm(4, num_dims=2)
    bn(torch.randn(8, 4) + 3)
    double = bn.to(torch.float64)
    assert double.moving_mean.dtype == torch.float64 and double.gamma.dtype == torch.float64
    Y = double(torch.randn(8, 4, dtype=torch.float64))  # buffers moved along: no dtype clash
    assert Y.dtype == torch.float64
    bn = bn.to(torch.float32)
    state = bn.state_dict()
    assert torch.equal(state["moving_mean"], bn.moving_mean)
    fresh = BatchNorm(4, num_dims=2)
    fresh.load_state_dict(state)
    assert torch.equal(fresh.moving_mean, bn.moving_mean)
    assert torch.equal(fresh.moving_var, bn.moving_var)
    fresh.eval(), bn.eval()
    X = torch.randn(3, 4)
    assert torch.equal(fresh(X), bn(X))
    meta = BatchNorm(4, num_dims=2).to("meta")
    assert meta.moving_mean.device.type == "meta" and meta.moving_var.device.type == "meta"
    if torch.cuda.is_available():  # pragma: no cover (CPU CI)
        gpu = bn.to("cuda")
        assert gpu.moving_var.is_cuda
        gpu(X.cuda())


def test_module_rejects_bad_arguments_at_its_first_batch():
    # checked in forward, with the input: the constructor shows the idea alone
    with pytest.raises(ValueError, match="num_dims must be 2 .* or 4 .* got 3"):
        BatchNorm(3, num_dims=3)(torch.randn(4, 3, 2))
    with pytest.raises(ValueError, match="eps must be > 0, got -1"):
        BatchNorm(3, num_dims=2, eps=-1)(torch.randn(4, 3))
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\], got -0.1"):
        BatchNorm(3, num_dims=2, momentum=-0.1)(torch.randn(4, 3))


def test_module_rejects_inputs_that_would_give_silently_wrong_results():
    bn = BatchNorm(3, num_dims=4)
    with pytest.raises(ValueError, match=r"\(m, 3, height, width\)"):
        bn(torch.randn(4, 3))
    with pytest.raises(ValueError, match=r"\(m, 3, height, width\)"):
        bn(torch.randn(4, 5, 2, 2))
    # One value per channel: the batch variance is 0 and every output would be beta.
    with pytest.raises(ValueError, match="more than one value"):
        bn(torch.randn(1, 3, 1, 1))
    # A 2-D module fed a 4-D batch whose width equals num_features would broadcast.
    bn2 = BatchNorm(3, num_dims=2).eval()
    with pytest.raises(ValueError, match=r"\(m, 3\)"):
        bn2(torch.randn(2, 4, 5, 3))
    bn.eval()
    assert bn(torch.randn(1, 3, 1, 1)).shape == (1, 3, 1, 1)


def test_exported():
    assert d2lmini.batch_norm is batch_norm and d2lmini.BatchNorm is BatchNorm
