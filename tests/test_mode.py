import random

import numpy as np
import pytest
import torch

import d2lmini
from d2lmini import checks, mode, seed


@pytest.mark.parametrize("cuda, expected", [(True, "full"), (False, "quick")])
def test_mode_defaults_to_full_on_gpu_and_quick_elsewhere(monkeypatch, cuda, expected):
    monkeypatch.delenv("D2LMINI_MODE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert d2lmini.get_mode() == expected
    assert d2lmini.is_quick() == (expected == "quick")


@pytest.mark.parametrize("value, expected", [("full", "full"), ("quick", "quick"),
                                             (" Quick ", "quick"), ("FULL", "full")])
def test_mode_from_environment(monkeypatch, value, expected):
    monkeypatch.setenv("D2LMINI_MODE", value)
    assert d2lmini.get_mode() == expected


def test_unknown_mode_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "fast")
    with pytest.raises(ValueError, match=r"full, quick.*'fast'"):
        d2lmini.get_mode()


def test_try_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    assert d2lmini.try_gpu() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert d2lmini.try_gpu() == torch.device("cuda:0")
    assert d2lmini.try_gpu(1) == torch.device("cuda:1")
    assert d2lmini.try_gpu(2) == torch.device("cpu")
    for bad in (-1, 1.0, "0", True):
        with pytest.raises(ValueError, match="non-negative int"):
            d2lmini.try_gpu(bad)


def test_seed_everything_repeats_every_generator():
    def draw():
        return random.random(), np.random.rand(), torch.rand(3).tolist()
    d2lmini.seed_everything(123)
    first = draw()
    d2lmini.seed_everything(123)
    assert draw() == first
    d2lmini.seed_everything(124)
    assert draw() != first


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None, True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="non-negative int"):
        seed.seed_everything(bad)


def test_say_once(capsys):
    mode.say_once("hello")
    mode.say_once("hello")
    mode.say_once("world")
    assert capsys.readouterr().out == "hello\nworld\n"


def test_numpy_integers_and_floats_are_numbers():
    import numpy as np
    assert checks.check_positive_int("n", np.int64(64)) == 64
    assert type(checks.check_positive_int("n", np.int32(3))) is int
    assert checks.check_positive_number("lr", np.float32(0.5)) == 0.5
    for bad in (True, np.bool_(True), 0, -1, 2.0):
        with pytest.raises(ValueError, match="positive int"):
            checks.check_positive_int("n", bad)
    for bad in (0.0, -0.1, float("nan"), float("inf"), True, "0.1"):
        with pytest.raises(ValueError, match="finite number > 0"):
            checks.check_positive_number("lr", bad)
    assert seed.seed_everything(np.int64(3)) == 3


def test_full_mode_on_the_cpu_warns_at_large_sizes(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "full")
    with pytest.warns(RuntimeWarning, match="take hours"):
        mode.warn_if_slow("cpu", (96, 96))
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    mode._said.clear()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mode.warn_if_slow("cpu", (96, 96))       # quick mode: fine
        monkeypatch.setenv("D2LMINI_MODE", "full")
        mode.warn_if_slow("cpu", (28, 28))       # small images: fine
        mode.warn_if_slow("cpu", None)
        mode.warn_if_slow("cuda:0", (224, 224))  # a GPU: fine


def test_set_sizes_changes_only_what_it_is_given():
    before = dict(vars(mode.SIZES))
    sizes = d2lmini.set_sizes(quick_epochs=5, cpu_size=32)
    assert sizes is mode.SIZES and sizes.quick_epochs == 5 and sizes.cpu_size == 32
    assert sizes.quick_per_class == before["quick_per_class"]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="quick_epochs must be a positive int"):
            d2lmini.set_sizes(quick_epochs=bad)


def test_shrink_keeps_the_aspect_and_the_small_sizes():
    assert mode.shrink((96, 96), 32) == (32, 32)
    assert mode.shrink((96, 48), 32) == (32, 16)
    assert mode.shrink((28, 28), 32) == (28, 28)
    assert mode.shrink(None, 32) is None
    assert mode.shrink((224, 224), None) == (224, 224)


def test_quick_epochs_come_from_the_sizes(monkeypatch, capsys):
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    d2lmini.set_sizes(quick_epochs=4)
    assert mode.cap_epochs(10) == 4
    assert "4 of 10 epochs" in capsys.readouterr().out
    assert mode.cap_epochs(3) == 3
    monkeypatch.setenv("D2LMINI_MODE", "full")
    assert mode.cap_epochs(10) == 10
