"""Fine-tuning helpers (d2lmini.finetune): the output layer swapped, frozen,
and given its own learning rate; class subsets; and the torchvision
ResNet-18 path, offline, with a state dict this test makes itself."""
import pytest
import torch
import torchvision
from torch import nn

import d2lmini
from d2lmini import (class_subset, freeze_body, head_of, imagenet_input, param_groups,
                     replace_head)


def small_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 6 * 6, 7))


def test_replace_head_in_a_sequential_keeps_the_body():
    torch.manual_seed(0)
    net = small_net()
    body = [p.detach().clone() for p in list(net.parameters())[:-2]]
    head = replace_head(net, 3)
    assert head is net[-1] and head is head_of(net)
    assert (head.in_features, head.out_features) == (144, 3)
    assert net(torch.rand(2, 1, 8, 8)).shape == (2, 3)
    assert all(torch.equal(a, b) for a, b in zip(body, list(net.parameters())[:-2]))
    assert torch.count_nonzero(head.bias) == 0


def test_replace_head_in_lenet_bn_and_bad_nets():
    net = d2lmini.lenet_bn(scratch=False)
    replace_head(net, 5)
    assert net(torch.rand(4, 1, 28, 28)).shape == (4, 5)
    with pytest.raises(TypeError, match="nn.Linear"):
        replace_head(nn.Sequential(nn.Linear(3, 3), nn.ReLU()), 2)
    with pytest.raises(ValueError, match="num_classes"):
        replace_head(small_net(), 0)


def test_param_groups_scale_the_head_and_skip_frozen():
    net = small_net()
    groups = param_groups(net, 0.01)
    assert [g["lr"] for g in groups] == [0.01, pytest.approx(0.1)]
    assert [sum(p.numel() for p in g["params"]) for g in groups] == [4 * 9 + 4, 144 * 7 + 7]
    freeze_body(net)
    assert [p.requires_grad for p in net.parameters()] == [False, False, True, True]
    groups = param_groups(net, 0.01, head_scale=1)
    assert len(groups) == 1 and groups[0]["params"] == list(net[-1].parameters())
    freeze_body(net, frozen=False)
    assert all(p.requires_grad for p in net.parameters())
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got -1"):
        param_groups(net, -1)
    with pytest.raises(ValueError, match="head_scale must be a finite number > 0, got 0"):
        param_groups(net, 0.1, head_scale=0)


def test_frozen_body_does_not_move_in_training():
    torch.manual_seed(0)
    net = freeze_body(small_net())
    before = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.SGD(param_groups(net, 0.1), lr=0.1)
    loss = nn.functional.cross_entropy(net(torch.rand(8, 1, 8, 8)), torch.arange(8) % 7)
    loss.backward()
    opt.step()
    after = list(net.parameters())
    assert torch.equal(before[0], after[0]) and torch.equal(before[1], after[1])
    assert not torch.equal(before[2], after[2])


def test_class_subset_renumbers_and_balances():
    images = torch.arange(60, dtype=torch.uint8).reshape(60, 1, 1).expand(60, 2, 2).clone()
    labels = torch.arange(60) % 10
    loader = d2lmini.DeviceLoader(images, labels, batch_size=7, shuffle=True, device="cpu")
    sub = class_subset(loader, [7, 2], per_class=4)
    assert sub.num_examples == 8 and sub.batch_size == 7 and sub.shuffle
    assert sorted(sub.labels.tolist()) == [0] * 4 + [1] * 4
    for img, y in zip(sub.images, sub.labels):   # old label 7 -> 0, 2 -> 1
        assert int(img[0, 0]) % 10 == (7, 2)[int(y)]
    assert class_subset(loader, [3]).num_examples == 6
    with pytest.raises(ValueError, match="classes"):
        class_subset(loader, [3, 3])
    with pytest.raises(ValueError, match="classes"):
        class_subset(loader, [11])
    with pytest.raises(ValueError, match="only"):
        class_subset(loader, [1], per_class=7)
    with pytest.raises(ValueError, match="per_class must be a positive int, got 0"):
        class_subset(loader, [1], per_class=0)
    with pytest.raises(ValueError, match=r"distinct labels present in the data \[0, 1, .*got 3"):
        class_subset(loader, 3)
    with pytest.raises(ValueError, match="classes"):
        class_subset(loader, [])
    with pytest.raises(TypeError, match="DeviceLoader, got a torch.uint8 tensor"):
        class_subset(images, [1])
    assert class_subset(loader, range(3)).num_examples == 18


def test_class_subset_knows_its_classes():
    """The relabelled subset holds labels 0 to len(classes) - 1 only."""
    images = torch.zeros(30, 2, 2, dtype=torch.uint8)
    loader = d2lmini.DeviceLoader(images, torch.arange(30) % 10, batch_size=4, device="cpu")
    sub = class_subset(loader, [9, 4, 0])
    assert sub.num_classes == 3 and sorted(set(sub.labels.tolist())) == [0, 1, 2]
    assert class_subset(loader, [5], batch_size=2, shuffle=True).batch_size == 2


def test_imagenet_input():
    X = torch.rand(2, 1, 5, 5)
    Y = imagenet_input(X)
    assert Y.shape == (2, 3, 5, 5)
    assert torch.allclose(Y[:, 1], (X[:, 0] - 0.456) / 0.224)


def test_imagenet_input_refuses_images_outside_0_1():
    """Bytes 0-255 held as floats would give inputs up to about 1136."""
    with pytest.raises(ValueError, match=r"imagenet_input expects float images with values in "
                                         r"\[0, 1\], got values from 0 to 255"):
        imagenet_input(torch.linspace(0, 255, 50).reshape(2, 1, 5, 5))
    with pytest.raises(ValueError, match="got values from -1"):
        imagenet_input(torch.full((1, 1, 2, 2), -1.0))
    with pytest.raises(TypeError, match="imagenet_input expects float images"):
        imagenet_input(torch.zeros(1, 1, 2, 2, dtype=torch.uint8))


def test_torchvision_resnet18_fine_tunes_offline(tmp_path):
    """The chapter's ImageNet path, without the download: save a ResNet-18's
    state dict, load it into a fresh one, replace .fc, take one step."""
    torch.manual_seed(0)
    source = torchvision.models.resnet18(weights=None)
    torch.save(source.state_dict(), tmp_path / "resnet18.pt")
    net = torchvision.models.resnet18(weights=None)
    net.load_state_dict(torch.load(tmp_path / "resnet18.pt", weights_only=True))
    head = replace_head(net, 5)
    assert net.fc is head and (head.in_features, head.out_features) == (512, 5)
    copied = net.conv1.weight.detach().clone()
    assert torch.equal(copied, source.conv1.weight)
    groups = param_groups(net, 0.01)
    assert groups[1]["lr"] == pytest.approx(0.1) and groups[1]["params"] == list(head.parameters())
    opt = torch.optim.SGD(groups, lr=0.01)
    X = imagenet_input(torch.rand(4, 1, 32, 32))
    loss = nn.functional.cross_entropy(net(X), torch.tensor([0, 1, 2, 4]))
    loss.backward()
    opt.step()
    assert net(X).shape == (4, 5)
    assert not torch.equal(net.conv1.weight, copied)   # the body is fine-tuned too
