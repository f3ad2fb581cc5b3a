"""Tests of d2lmini.toys: test functions, toy trajectories, schedules, their plots."""
import math
import re

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from d2lmini import display as D
from d2lmini import optim as O
from d2lmini import toys as T
from d2lmini import traces as P


# ------------------------------------------------ trajectories

def test_gd_on_square_is_geometric():
    points = T.train_1d(T.square, 10.0, 10, O.SGD, lr=0.2)
    assert points.dtype == torch.float64 and points.shape == (11,)
    expected = 10 * 0.6 ** torch.arange(11, dtype=torch.float64)
    torch.testing.assert_close(points, expected, rtol=1e-14, atol=0)
    assert T.format_final(points) == "epoch 10, x: 0.060466"


def test_sgd_steps_with_the_sgd_update_rule():
    # d2lmini's SGD steps x - lr * g, rounded as sgd_update rounds
    # (torch.optim.SGD's fused x + (-lr) * g can differ in the last bit): the
    # trajectories of the chapters depend on it.
    points = T.train_2d(T.bowl, (-5.0, -2.0), 30, O.SGD, lr=0.1, noise=1.0)
    gen = torch.Generator().manual_seed(0)
    x = torch.tensor([-5.0, -2.0], dtype=torch.float64)
    expected = [x]
    for _ in range(30):
        g = torch.stack([2 * x[0], 4 * x[1]])  # exact, as autograd's
        g = g + 1.0 * torch.randn(2, generator=gen, dtype=torch.float64)
        x = O.sgd_update(x, g, 0.1)
        expected.append(x)
    assert torch.equal(points, torch.stack(expected))


def test_gd_on_bowl_and_analytic_gradient():
    points = T.train_2d(T.bowl, (-5, -2), 20, O.SGD, lr=0.1)
    t = torch.arange(21, dtype=torch.float64)
    torch.testing.assert_close(points[:, 0], -5 * 0.8 ** t, rtol=1e-13, atol=0)
    torch.testing.assert_close(points[:, 1], -2 * 0.6 ** t, rtol=1e-13, atol=0)
    analytic = T.train_2d(T.bowl, (-5, -2), 20, O.SGD, lr=0.1,
                          grad=lambda x1, x2: (2 * x1, 4 * x2))
    assert torch.equal(points, analytic)
    assert T.format_final(points) == "epoch 20, x1: -0.057646, x2: -0.000073"
    one = T.train_1d(T.square, 10.0, 10, O.SGD, lr=0.2)
    assert torch.equal(one, T.train_1d(T.square, 10.0, 10, O.SGD, lr=0.2, grad=lambda x: 2 * x))
    assert torch.equal(one, T.train_1d(T.square, 10.0, 10, O.SGD, lr=0.2,
                                       grad=lambda x: 2 * float(x)))


def test_train_toy_is_the_loop_of_both():
    points = T.train_toy(T.bowl, (-5.0, -2.0), 20, O.SGD, lr=0.1)
    assert torch.equal(points, T.train_2d(T.bowl, (-5.0, -2.0), 20, O.SGD, lr=0.1))
    assert torch.equal(T.train_toy(T.square, 10.0, 10, O.SGD, lr=0.2)[:, 0],
                       T.train_1d(T.square, 10.0, 10, O.SGD, lr=0.2))
    # any number of variables
    three = T.train_toy(lambda a, b, c: a ** 2 + b ** 2 + c ** 2, (1.0, 2.0, 3.0), 1, O.SGD,
                        lr=0.25)
    assert three[-1].tolist() == [0.5, 1.0, 1.5]


def test_the_start_is_not_changed():
    x0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)
    T.train_2d(T.bowl, x0, 5, O.SGD, lr=0.1)
    assert x0.tolist() == [-5.0, -2.0]


def test_gd_on_xcos_and_divergence():
    points = T.train_1d(T.xcos, 10.0, 10, O.SGD, lr=2.0)
    assert T.format_final(points) == "epoch 10, x: -1.528166"
    diverged = T.train_1d(T.square, 10.0, 10, O.SGD, lr=1.1)
    torch.testing.assert_close(diverged[-1], torch.tensor(10 * 1.2 ** 10, dtype=torch.float64))


def test_toy_trainer_with_optimizer_classes():
    a = T.train_2d(T.ill_conditioned_bowl, (-5, -2), 20, O.Momentum, lr=0.4, beta=0.5)
    assert T.format_final(a) == "epoch 20, x1: -0.062843, x2: 0.001202"
    # PyTorch's classes take the same form
    b = T.train_2d(T.ill_conditioned_bowl, (-5, -2), 20, torch.optim.SGD, lr=0.4, momentum=0.5)
    torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_noise_is_seeded():
    a = T.train_2d(T.bowl, (-5, -2), 20, O.SGD, lr=0.1, noise=1.0, seed=3)
    b = T.train_2d(T.bowl, (-5, -2), 20, O.SGD, lr=0.1, noise=1.0, seed=3)
    c = T.train_2d(T.bowl, (-5, -2), 20, O.SGD, lr=0.1, noise=1.0, seed=4)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(T.train_2d(T.bowl, (-5, -2), 20, O.SGD, lr=0.1, noise=0.0, seed=4),
                       T.train_2d(T.bowl, (-5, -2), 20, O.SGD, lr=0.1))


def test_numpy_scalars_in_toy_trainers():
    plain = T.train_2d(T.bowl, (-5.0, -2.0), 10, O.SGD, lr=0.25, noise=0.5)
    numpy = T.train_2d(T.bowl, np.array([-5.0, -2.0]), np.int64(10), O.SGD,
                       lr=np.float64(0.25), noise=np.float32(0.5))
    assert torch.equal(plain, numpy)
    momentum = T.train_1d(T.square, np.float32(3.0), np.int32(5), O.Momentum,
                          lr=np.float32(0.25), beta=np.float64(0.5))
    assert torch.equal(momentum, T.train_1d(T.square, 3.0, 5, O.Momentum,
                                            lr=float(np.float32(0.25)), beta=0.5))
    assert torch.equal(T.newton_1d(T.square, np.float64(3.0), np.int64(2), lr=np.float32(0.5)),
                       T.newton_1d(T.square, 3.0, 2, lr=0.5))
    schedule = T.piecewise_lr([np.int64(1)], [np.float32(0.25), np.float64(0.125)])
    points = T.train_1d(T.square, 8.0, 3, O.SGD, lr=1.0, lr_schedule=schedule)
    assert points.tolist() == [8, 4, 3, 2.25]


def test_lr_schedule_in_toy_trainer():
    # On x^2 a step multiplies x by 1 - 2 lr: by 1/2 at lr 0.25, by 3/4 at lr 0.125.
    points = T.train_1d(T.square, 8.0, 3, O.SGD, lr=1.0,
                        lr_schedule=T.piecewise_lr([1], [0.25, 0.125]))
    assert points.tolist() == [8.0, 4.0, 3.0, 2.25]
    decayed = T.train_1d(T.square, 8.0, 3, O.SGD, lr=1.0,
                         lr_schedule=T.exponential_lr(0.25, 0.5))
    expected = [8.0]
    for t in range(3):
        expected.append(expected[-1] * (1 - 2 * 0.25 * math.exp(-0.5 * t)))
    torch.testing.assert_close(decayed, torch.tensor(expected, dtype=torch.float64))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0.0, -0.1, None, "0.1"])
def test_a_schedule_that_returns_a_bad_learning_rate_raises(bad):
    def schedule(t):
        return 0.1 if t < 3 else bad
    with pytest.raises(ValueError, match=rf"lr_schedule\(3\) must be a finite number > 0, "
                                         rf"got {re.escape(repr(bad))}"):
        T.train_2d(T.bowl, (1.0, 1.0), 10, O.SGD, lr=0.1, lr_schedule=schedule)


def test_a_schedule_that_is_no_function_raises():
    with pytest.raises(TypeError, match="lr_schedule must be a function of the step t, got 0.1"):
        T.train_1d(T.square, 1.0, 5, O.SGD, lr=0.1, lr_schedule=0.1)


def test_a_decaying_schedule_that_turns_negative_raises():
    def linear(t):  # 0.1, 0.05, 0, -0.05: wrong from step 2 on
        return 0.1 - 0.05 * t
    with pytest.raises(ValueError, match=r"lr_schedule\(2\).*got 0.0"):
        T.train_1d(T.square, 1.0, 5, O.SGD, lr=0.1, lr_schedule=linear)


def test_newton_1d():
    assert T.format_final(T.newton_1d(T.scaled_cosh, 10.0, 10)) == "epoch 10, x: 0.000000"
    # On a quadratic one step suffices; with lr 0.5 the distance halves each step.
    torch.testing.assert_close(T.newton_1d(T.square, 3.0, 2, lr=0.5),
                               torch.tensor([3.0, 1.5, 0.75], dtype=torch.float64))


def test_format_final():
    assert T.format_final(torch.tensor([1.0, -1e-9], dtype=torch.float64)) == "epoch 1, x: 0.000000"
    assert T.format_final(torch.tensor([[0.0, 0.0], [-0.1234564, 0.6543216]])) == \
        "epoch 1, x1: -0.123456, x2: 0.654322"
    with pytest.raises(ValueError, match="expected a trajectory"):
        T.format_final(torch.zeros(2, 2, 2))


def test_test_functions():
    assert T.square(3.0).item() == 9.0 and T.cubic(-2.0).item() == -8.0
    assert T.xcos(2.0, c=math.pi).item() == pytest.approx(2.0)
    assert T.scaled_cosh(0.0).item() == 1.0
    assert T.bowl(1.0, 1.0).item() == 3.0
    assert T.ill_conditioned_bowl(1.0, 1.0).item() == pytest.approx(2.1)
    assert T.saddle(1.0, 2.0).item() == -3.0


# ------------------------------------------------ schedules

def test_schedules():
    assert T.constant_lr(0.3)(100) == 0.3
    e = T.exponential_lr(1.0, 0.1)
    assert e(0) == 1.0 and e(10) == pytest.approx(math.exp(-1))
    p = T.polynomial_lr(2.0, alpha=0.5, beta=1.0)
    assert p(0) == 2.0 and p(3) == pytest.approx(1.0)
    w = T.piecewise_lr([10, 20], [1.0, 0.1, 0.01])
    assert [w(0), w(9), w(10), w(19), w(20), w(1000)] == [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]


# ------------------------------------------------ bad input

def test_bad_toy_and_schedule_input_raises():
    with pytest.raises(ValueError, match="num_steps"):
        T.train_1d(T.square, 1.0, -1, O.SGD, lr=0.1)
    with pytest.raises(ValueError, match="num_steps"):
        T.train_1d(T.square, 1.0, 2.0, O.SGD, lr=0.1)
    with pytest.raises(ValueError, match="num_steps"):
        T.newton_1d(T.square, 1.0, -1)
    with pytest.raises(ValueError, match="x0 must hold 2"):
        T.train_2d(T.bowl, 1.0, 3, O.SGD, lr=0.1)
    with pytest.raises(ValueError, match="x0 must hold 1"):
        T.train_1d(T.square, (1.0, 2.0), 3, O.SGD, lr=0.1)
    with pytest.raises(TypeError, match="optimizer must be an optimizer class.*got 'fast'"):
        T.train_1d(T.square, 1.0, 3, "fast")
    # one form: a learning rate alone, or a function that builds an optimizer, is refused
    with pytest.raises(TypeError, match=r"optimizer must be .*got the number 0.1 .*"
                                        r"d2lmini.SGD, lr=0.1\)"):
        T.train_1d(T.square, 1.0, 3, 0.1)
    with pytest.raises(TypeError, match="optimizer must be .*got the function <lambda>"):
        T.train_2d(T.bowl, (1.0, 1.0), 3, lambda p: O.SGD(p, 0.1))
    with pytest.raises(TypeError, match="unexpected keyword argument 'beta'"):
        T.train_1d(T.square, 1.0, 3, O.SGD, lr=0.1, beta=0.5)
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got -0.1"):
        T.train_1d(T.square, 1.0, 3, O.SGD, lr=-0.1)
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got 0"):
        T.train_2d(T.bowl, (1.0, 1.0), 3, O.SGD, lr=0)
    with pytest.raises(ValueError, match="lr must be"):
        T.newton_1d(T.square, 1.0, 3, lr=0)
    with pytest.raises(ValueError, match="noise"):
        T.train_1d(T.square, 1.0, 3, O.SGD, lr=0.1, noise=-1)
    with pytest.raises(ValueError, match="noise"):
        T.train_1d(T.square, 1.0, 3, O.SGD, lr=0.1, noise=float("nan"))


@pytest.mark.parametrize("make,match", [
    (lambda: T.piecewise_lr([1, 2], [0.1]), "one more value"),
    (lambda: T.piecewise_lr([2, 1], [0.1, 0.1, 0.1]), "increasing"),
    (lambda: T.piecewise_lr([1], [0.1, -0.1]), "each value must be .*got -0.1"),
    (lambda: T.constant_lr(0), "lr must be"),
    (lambda: T.exponential_lr(0.1, -1), "decay"),
    (lambda: T.exponential_lr(float("nan"), 0.1), "lr0"),
    (lambda: T.polynomial_lr(-0.1), "lr0"),
    (lambda: T.exponential_lr(0.1, float("inf")), r"decay must be a number in \[0, inf\), got inf"),
    (lambda: T.polynomial_lr(0.1, alpha=-0.5), r"alpha must be a number in \[0, inf\), got -0.5"),
    (lambda: T.polynomial_lr(0.1, beta=float("nan")), "beta must be .*got nan"),
])
def test_bad_schedules_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ------------------------------------------------ plots

def test_plots_return_figures():
    points = T.train_1d(T.square, 10.0, 5, O.SGD, lr=0.2)
    assert isinstance(P.plot_trace_1d(T.square, points), Figure)
    points2 = T.train_2d(T.bowl, (-5, -2), 5, O.SGD, lr=0.1)
    assert isinstance(P.plot_trace_2d(T.bowl, points2), Figure)
    assert isinstance(P.plot_trace_2d(T.saddle, xlim=(-1, 1), ylim=(-1, 1)), Figure)
    fig, axes = D.new_figure(nrows=1, ncols=2)
    assert P.plot_trace_1d(T.square, points, ax=axes[0]) is fig
    with pytest.raises(ValueError, match="trajectory of shape"):
        P.plot_trace_2d(T.bowl, points)
