"""Wrong inputs that used to pass silently are refused, with a message that
names what was expected and what was given."""
import pytest
import torch
from torch import nn

import d2lmini
from d2lmini.evaluation import accuracy


def images(n=6):
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8)


@pytest.mark.parametrize("bad", [-1, 12, -100])
def test_labels_outside_the_classes_are_refused_by_the_loader(bad):
    labels = torch.tensor([0, 1, 2, bad, 4, 5])
    with pytest.raises(ValueError, match=rf"\[0, 10\), got {bad}"):
        d2lmini.DeviceLoader(images(), labels, 2, num_classes=10)


def test_negative_labels_are_refused_without_num_classes():
    with pytest.raises(ValueError, match=r"-100 is cross-entropy's 'ignore' value"):
        d2lmini.DeviceLoader(images(), torch.tensor([0, 1, 2, -100, 4, 5]), 2)
    loader = d2lmini.DeviceLoader(images(), torch.tensor([0, 1, 2, 12, 4, 5]), 2)
    assert loader.num_classes is None  # any class number >= 0, until a net says how many


def test_labels_beyond_the_nets_outputs_are_refused_before_training():
    loader = d2lmini.DeviceLoader(images(), torch.tensor([0, 1, 2, 12, 4, 5]), 2)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    with pytest.raises(ValueError, match=r"net with 10 outputs\) must be class numbers in "
                                         r"\[0, 10\), got 12"):
        d2lmini.train_classifier(net, loader, loader, 1, lr=0.1, plot=False)


def test_fashion_mnist_loaders_know_their_ten_classes(monkeypatch):
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    train_iter, test_iter = d2lmini.load_fashion_mnist(64, device="cpu")
    assert train_iter.num_classes == test_iter.num_classes == 10


def test_float_images_are_refused_by_the_step_that_divides_by_255():
    loader = d2lmini.DeviceLoader(images(), torch.arange(6), 2)
    scaled = images().float() / 255
    with pytest.raises(TypeError, match="uint8 .* scaled twice"):
        loader.transform(scaled)
    with pytest.raises(TypeError, match="uint8"):
        d2lmini.DeviceLoader(scaled, torch.arange(6), 2)


def test_float_predictions_are_refused_by_accuracy():
    y = torch.tensor([1, 2, 3, 4, 5, 6])
    with pytest.raises(TypeError, match="integer labels"):
        accuracy(torch.tensor([0.9, 1.9, 2.9, 3.9, 4.9, 5.9]), y)
    assert accuracy(torch.tensor([1, 2, 0, 4, 5, 6]), y).item() == 5
