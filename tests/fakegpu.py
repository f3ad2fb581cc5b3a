"""A fake GPU on a CPU-only machine, to catch device mixing before a GPU does.

Under :func:`fake_gpu`, d2lmini's ``try_gpu`` (and every default that uses
it) picks ``cuda:0``, as on Colab with a GPU runtime; the default device
stays the CPU, as there. Every tensor is a ``FakeTensor`` of PyTorch's
``FakeTensorMode``: it has a shape, a dtype and a device but no values, so a
forward pass at 224x224 costs nothing, and an operation that mixes a CUDA
tensor with a CPU one raises ``FakeTensorDeviceMismatchError``, as the real
GPU would. (``torch.cuda.is_available()`` and ``device_count()`` are left
alone: PyTorch's own indexing and RNG code would then call the CUDA runtime.)

The data is read and prepared for real on the CPU (the quick-mode subset is
chosen by the labels' values, and so is ``class_subset``'s);
:class:`d2lmini.DeviceLoader`'s own code then moves it to the asked device,
where it turns fake. Quick mode trains for two epochs on at most 100 images
of each class (and a ``class_subset`` of more per class gets what there is).

A fake tensor has no values to read, so reading one (``.item()``,
``.tolist()``, ``bool()``, ``int()``, ``.numpy()``, ``torch.equal``) gives
placeholders (1.0, True), a deep copy is a clone, and ``d2lmini.claim`` is not asked (its conditions
are about values). Backward passes do not run on fake CUDA tensors (the
autograd engine wants a real CUDA context), so ``backward()`` of a fake CUDA
tensor is skipped: gradients stay None, and an optimizer step leaves such
parameters alone.
"""
import contextlib
import sys
import warnings
from unittest import mock

import numpy as np
import torch
from torch._subclasses.fake_tensor import FakeTensor, FakeTensorMode, unset_fake_temporarily

PLACEHOLDER = 1.0
GPU = torch.device("cuda:0")


def _placeholder(t):
    if t.dtype == torch.bool:
        return True
    if t.is_floating_point():
        return PLACEHOLDER
    return 1


def _unless_fake(original, fake):
    """The tensor method ``original``, but ``fake`` on a FakeTensor."""
    def method(self, *args, **kwargs):
        if isinstance(self, FakeTensor):
            return fake(self, *args, **kwargs)
        return original(self, *args, **kwargs)
    return method


def _copy(t, memo):
    """A deep copy of a FakeTensor: a clone (deep-copying its storage, as for
    real tensors, corrupts memory in PyTorch 2.14)."""
    return memo.setdefault(id(t), t.detach().clone().requires_grad_(t.requires_grad))


#: What a FakeTensor answers where a real one would read its values.
FAKE_READS = {
    "item": _placeholder,
    "tolist": lambda t: np.full(tuple(t.shape), _placeholder(t)).tolist(),
    "numpy": lambda t, *args, **kwargs: np.full(tuple(t.shape), _placeholder(t), np.float32),
    "__bool__": lambda t: True,
    "__int__": lambda t: int(_placeholder(t)),
    "__float__": lambda t: float(_placeholder(t)),
    "__format__": lambda t, spec: format(_placeholder(t), spec) if t.dim() == 0 else repr(t),
    "equal": lambda t, other: True,
    "allclose": lambda t, other, *args, **kwargs: True,
    "__deepcopy__": _copy,
}


def _swap_fake(swap_tensors):
    """``torch.utils.swap_tensors`` that moves a FakeTensor parameter in place.

    ``nn.Module.to`` swaps a FakeTensor parameter for its moved copy, which
    fails when anything holds a weak reference to it (FakeTensorMode does):
    this sets the parameter's data and device instead, so that the module and
    an optimizer built on it keep holding the same parameter, as they do for
    real tensors.
    """
    def swap(t1, t2):
        if not isinstance(t1, FakeTensor):
            return swap_tensors(t1, t2)
        t1.data = t2.data
        t1.fake_device = t2.fake_device
    return swap


def _values_equal(original):
    """torch.equal or allclose: True for fake tensors, whose values are unknown."""
    def compare(a, b, *args, **kwargs):
        if isinstance(a, FakeTensor) or isinstance(b, FakeTensor):
            return True
        return original(a, b, *args, **kwargs)
    return compare


def _on_device(real, device, mode):
    """A DeviceLoader on ``device`` with the data of the real CPU loader
    ``real``, which it keeps (``_real``) for what needs the values."""
    from d2lmini import DeviceLoader
    fake = mode.from_tensor  # the same tensor on the CPU, as a FakeTensor
    loader = DeviceLoader(fake(real.images), fake(real.labels), real.batch_size, real.shuffle,
                          real.resize, device)
    loader._real = real
    return loader


def _loading_for_real(load, mode):
    """``load_fashion_mnist`` that prepares the data for real on the CPU (the
    quick-mode subset is picked by the labels' values), then hands it to new
    DeviceLoaders on the asked device."""
    def load_fashion_mnist(batch_size, resize=None, root=None, device=None, **kwargs):
        with unset_fake_temporarily():
            loaders = load(batch_size, resize, root, device="cpu", **kwargs)
        device = GPU if device is None else torch.device(device)
        return tuple(_on_device(real, device, mode) for real in loaders)
    return load_fashion_mnist


def _subset_for_real(class_subset, mode):
    """``class_subset`` that picks the examples by their real labels."""
    def subset(data_iter, classes, *args, **kwargs):
        with unset_fake_temporarily():
            per_class = kwargs.get("per_class")
            if per_class is not None:  # the small quick data has fewer
                labels = data_iter._real.labels
                have = min(int((labels == c).sum()) for c in classes)
                kwargs["per_class"] = min(per_class, have)
            real = class_subset(data_iter._real, classes, *args, **kwargs)
        return _on_device(real, data_iter.device, mode)
    return subset


def _small(set_sizes):
    """``set_sizes`` that keeps quick mode at one epoch on a few images: on fake
    tensors a training step computes nothing, yet its every operation is
    checked, and the question is where tensors go, not what they learn."""
    def small(*args, **kwargs):
        sizes = set_sizes(*args, **kwargs)
        sizes.quick_per_class = min(sizes.quick_per_class, 100)
        sizes.quick_test_per_class = min(sizes.quick_test_per_class, 20)
        sizes.quick_epochs = 2  # two, for the chapters that compare epochs
        return sizes
    return small


def _everywhere(name, replacement):
    """Patches of ``name`` in the package and in every d2lmini module that
    imported it (``from .data import load_fashion_mnist``)."""
    import d2lmini
    original = getattr(d2lmini, name)
    modules = [d2lmini] + [m for key, m in sorted(sys.modules.items())
                           if key.startswith("d2lmini.") and getattr(m, name, None) is original]
    return [mock.patch.object(m, name, replacement) for m in modules]


@contextlib.contextmanager
def fake_gpu(capability=(9, 0), name="Fake GPU (FakeTensorMode)"):
    """Run the block as if one CUDA GPU were present (see the module's docstring)."""
    import d2lmini.curves  # noqa: F401 (imported, so that its names are patched too)
    import d2lmini.data
    import d2lmini.finetune
    import d2lmini.mode
    mode = FakeTensorMode(allow_non_fake_inputs=True)
    load = _loading_for_real(d2lmini.data.load_fashion_mnist, mode)
    subset = _subset_for_real(d2lmini.finetune.class_subset, mode)
    small = _small(d2lmini.mode.set_sizes)
    backward = torch.Tensor.backward

    def skip_cuda_backward(t, *args, **kwargs):
        if t.device.type != "cuda":
            return backward(t, *args, **kwargs)

    patches = [
        *(mock.patch.object(torch.Tensor, method,
                            _unless_fake(getattr(torch.Tensor, method), fake))
          for method, fake in FAKE_READS.items()),
        mock.patch.object(torch.Tensor, "backward", _unless_fake(backward, skip_cuda_backward)),
        mock.patch.object(torch, "equal", _values_equal(torch.equal)),
        mock.patch.object(torch, "allclose", _values_equal(torch.allclose)),
        mock.patch.object(torch.utils, "swap_tensors", _swap_fake(torch.utils.swap_tensors)),
        mock.patch.object(torch.cuda, "get_device_name", lambda device=None: name),
        mock.patch.object(torch.cuda, "get_device_capability", lambda device=None: capability),
        mock.patch.object(torch.cuda, "synchronize", lambda device=None: None),
        # d2lmini's choice of device and data, wherever it was imported
        *_everywhere("try_gpu", lambda i=0: GPU),
        *_everywhere("load_fashion_mnist", load),
        *_everywhere("class_subset", subset),
        *_everywhere("set_sizes", small),
        *_everywhere("claim", lambda condition, message: None),
    ]
    sizes = dict(vars(d2lmini.mode.SIZES))
    with contextlib.ExitStack() as stack:
        stack.callback(vars(d2lmini.mode.SIZES).update, sizes)
        small()  # the sizes in force, made small
        for patch in patches:
            stack.enter_context(patch)
        # autocast("cuda") asks the real CUDA whether it is there, and says it
        # is off; the bfloat16 decision is d2lmini's, tested where it is made
        stack.enter_context(warnings.catch_warnings())
        warnings.filterwarnings("ignore", "CUDA is not available", UserWarning)
        stack.enter_context(mode)
        yield
