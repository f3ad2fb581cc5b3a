"""Device mixing, caught on a CPU: every network, loader, augmentation,
fine-tuning helper and chapter run on a fake GPU (see tests/fakegpu.py)."""
import functools
from pathlib import Path

import nbformat
import pytest
import torch
from IPython.core.inputtransformer2 import TransformerManager
from torch import nn

import d2lmini
from conftest import ROOT
from fakegpu import GPU, fake_gpu

NETWORKS = {
    "lenet": (d2lmini.lenet, 28),
    "lenet_bn (from scratch)": (d2lmini.lenet_bn, 28),
    "lenet_bn (nn.BatchNorm2d)": (functools.partial(d2lmini.lenet_bn, scratch=False), 28),
    "alexnet": (d2lmini.alexnet, 224),
    "vgg-11": (lambda: d2lmini.vgg(d2lmini.VGG11), 224),
    "vgg-11, narrow": (lambda: d2lmini.vgg(d2lmini.narrow_arch(d2lmini.VGG11, 4)), 224),
    "nin": (d2lmini.nin, 224),
    "googlenet": (d2lmini.googlenet, 96),
    "resnet18": (d2lmini.resnet18, 96),
    "densenet": (d2lmini.densenet, 96),
}


def mismatch():
    """What a CPU tensor meeting a CUDA one raises under the fake GPU."""
    return pytest.raises(RuntimeError, match="device")


def test_the_fake_gpu_catches_mixing():
    with fake_gpu():
        x = torch.zeros(3, device=GPU)
        assert (x + 1).device == GPU
        with mismatch():
            x + torch.ones(3)                 # a CPU tensor meets a CUDA one
        with mismatch():
            nn.Linear(3, 2)(x[None])          # a CPU module gets CUDA data


@pytest.mark.parametrize("name", NETWORKS)
def test_every_network_runs_where_it_was_moved(name):
    make, size = NETWORKS[name]
    with fake_gpu():
        net = make()
        channels_last, amp = d2lmini.gpu.place_net(net, GPU)
        X = d2lmini.gpu.to_device(torch.zeros(2, 1, size, size), GPU, channels_last)
        with d2lmini.gpu.autocast(GPU, amp):
            Y = net(X)
        assert Y.shape == (2, 10) and Y.device == GPU
        with mismatch():
            net(torch.zeros(2, 1, size, size))  # the data left on the CPU


def test_loaders_serve_batches_on_the_gpu():
    with fake_gpu():
        train_iter, test_iter = d2lmini.load_fashion_mnist(64, resize=32)
        for data in (train_iter, test_iter):
            assert data.device == GPU
            X, y = next(iter(data))
            assert X.device == y.device == GPU
            assert X.shape == (64, 1, 32, 32) and X.dtype == torch.float32
        cpu_iter = d2lmini.load_fashion_mnist(64, device="cpu")[1]
        assert next(iter(cpu_iter))[0].device.type == "cpu"


@pytest.mark.parametrize("augment", [
    d2lmini.hflip, d2lmini.random_resized_crop, d2lmini.brightness_contrast,
    d2lmini.compose(d2lmini.hflip, d2lmini.random_resized_crop)])
def test_augmentations_stay_on_the_gpu(augment):
    with fake_gpu():
        train_iter, _ = d2lmini.load_fashion_mnist(16)
        for X, y in d2lmini.Augmented(train_iter, augment):
            assert X.device == GPU and X.shape == (16, 1, 28, 28)
            break


def test_fine_tuning_helpers_follow_the_net():
    with fake_gpu():
        train_iter, _ = d2lmini.load_fashion_mnist(32)
        subset = d2lmini.class_subset(train_iter, [0, 6], per_class=20)
        assert subset.device == GPU and subset.num_examples == 40
        net = d2lmini.lenet_bn(scratch=False).to(GPU)
        head = d2lmini.replace_head(net, 2)
        assert head.weight.device == GPU
        d2lmini.freeze_body(net)
        opt = torch.optim.SGD(d2lmini.param_groups(net, 0.01), lr=0.01)
        assert sum(len(g["params"]) for g in opt.param_groups) == 2
        X, _ = next(iter(subset))
        assert net(X).shape == (32, 2)
        assert d2lmini.imagenet_input(X).device == GPU


@pytest.mark.parametrize("capability, bf16", [((7, 5), False), ((8, 0), True), ((9, 0), True)])
def test_training_and_evaluation_on_the_gpu(capability, bf16):
    """bfloat16 autocast only where the GPU computes in it natively: a T4
    (Colab's default GPU, compute capability 7.5) trains in float32."""
    with fake_gpu(capability=capability):
        train_iter, test_iter = d2lmini.load_fashion_mnist(128)
        net = d2lmini.lenet_bn(scratch=False)
        assert d2lmini.gpu.speedups(net, GPU) == (True, bf16)
        history = d2lmini.train_classifier(net, train_iter, test_iter, 1, lr=0.1,
                                           plot=False)
        assert history.device == "cuda:0"
        assert next(net.parameters()).device == GPU
        d2lmini.evaluate_accuracy(net, test_iter)
        d2lmini.evaluate_loss(net, test_iter, nn.CrossEntropyLoss())


@pytest.mark.parametrize("optimizer, hyper", [(d2lmini.SGD, {"lr": 0.1}),
                                              (d2lmini.Adam, {"lr": 0.01}),
                                              (d2lmini.AdaDelta, {})])
def test_loss_curves_train_on_the_gpu(optimizer, hyper, monkeypatch):
    """The optimization chapters' one GPU path (their other cells are toy
    problems on the CPU, whose values a fake tensor cannot stand in for)."""
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    with fake_gpu():
        curve = d2lmini.train_loss_curve(optimizer, 100, num_epochs=1, evals_per_epoch=2,
                                         **hyper)
    assert curve.epochs == [0.0, 0.5, 1.0]


def chapter_cells(path):
    nb = nbformat.read(path, as_version=4)
    transform = TransformerManager().transform_cell  # IPython syntax (%pip) to Python
    return [(i, transform(c.source)) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def run_chapter(cells, name):
    namespace = {"__name__": "__main__", "display": lambda *args, **kwargs: None}
    for i, source in cells:
        exec(compile(source, f"{name}, cell {i}", "exec"), namespace)


#: The chapters whose networks train on the GPU: every cell, on the fake GPU,
#: in quick mode (whose code paths are those of full mode). The preliminaries
#: and the optimization chapters compute on toy tensors whose values matter
#: to the code that follows (a mask, a ratio), which placeholders cannot stand
#: in for; their GPU paths (train_classifier, train_loss_curve) are above.
GPU_CHAPTERS = sorted(p.relative_to(ROOT).as_posix() for p in
                      [*(ROOT / "chapters" / "cnn").glob("*.ipynb"),
                       *(ROOT / "chapters" / "vision").glob("*.ipynb")])


@pytest.mark.parametrize("chapter", GPU_CHAPTERS)
def test_every_cell_of_the_chapter_runs_on_a_gpu(chapter, monkeypatch, capsys):
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    monkeypatch.chdir(ROOT / Path(chapter).parent)
    with fake_gpu():
        run_chapter(chapter_cells(ROOT / chapter), chapter)


def test_the_fake_gpu_finds_the_alexnet_bug_that_it_was_made_for(monkeypatch, capsys):
    """The relu_scales cell as it was: the batch loaded on the default device
    (the GPU), the networks left on the CPU."""
    monkeypatch.setenv("D2LMINI_MODE", "quick")
    cells = chapter_cells(ROOT / "chapters" / "cnn" / "alexnet.ipynb")
    i, source = next((i, s) for i, s in cells if "def relu_scales" in s)
    fixed = "    net = d2lmini.alexnet().apply(init).to(X.device)  # where the data is\n"
    assert fixed in source
    old = source.replace(fixed, "    net = d2lmini.alexnet().apply(init)\n")
    setup = [(j, s) for j, s in cells if j < i]
    with fake_gpu():
        run_chapter(setup + [(i, source)], "alexnet")
        with mismatch():
            run_chapter(setup + [(i, old)], "alexnet as it was")


def test_reads_of_fake_tensors_give_placeholders_not_errors():
    with fake_gpu():
        x = torch.zeros(2, 3, device=GPU)
        assert x.sum().item() == 1.0 and x.tolist() == [[1.0] * 3] * 2
        assert f"{x.sum():.2f}" == "1.00" and bool(x.any())
    assert torch.zeros(2).sum().item() == 0.0  # real tensors are untouched afterwards
