"""GPU speed-ups, in one place and each switchable: channels-last memory and
bfloat16 autocast (the throughput benchmark also tries ``torch.compile``).

On the CPU every speed-up is off by default, so CPU results do not change.
"""
import torch
from torch import nn

__all__ = ["native_bf16", "speedups", "place_net", "to_device", "autocast"]


def native_bf16(device):
    """True on GPUs that compute in bfloat16 natively: compute capability 8.0
    and up (A100, L4, H100). A T4 or V100 only emulates it (cuDNN has no
    bfloat16 convolutions there), although ``torch.cuda.is_bf16_supported()``
    says True on them."""
    return torch.cuda.get_device_capability(device) >= (8, 0)


def speedups(net, device, channels_last=None, amp=None):
    """Decide the GPU speed-ups: ``(channels_last, amp)``.

    * ``channels_last``: store images and convolution weights as (N, H, W, C),
      the layout GPU tensor cores work in. Default: on CUDA for nets with
      convolutions.
    * ``amp``: run the forward pass under bfloat16 autocast (matrix products
      in bfloat16, sums and the loss in float32). Default: on CUDA devices that
      compute in bfloat16 natively (compute capability 8.0 and up: A100, L4,
      H100); not on those that only emulate it (T4, V100).

    ``None`` means "the default"; on the CPU both are off, so CPU results do
    not change.
    """
    device = torch.device(device)
    on_cuda = device.type == "cuda"
    if channels_last is None:
        channels_last = on_cuda and any(isinstance(m, nn.Conv2d) for m in net.modules())
    if amp is None:
        amp = on_cuda and native_bf16(device)
    return bool(channels_last), bool(amp)


def place_net(net, device, channels_last=None, amp=None):
    """Decide the speed-ups (:func:`speedups`) and move ``net`` to ``device``
    in the memory layout they call for. Returns ``(channels_last, amp)``."""
    channels_last, amp = speedups(net, device, channels_last, amp)
    net.to(device, memory_format=torch.channels_last if channels_last else torch.preserve_format)
    return channels_last, amp


def to_device(X, device, channels_last=False):
    """Move a batch to ``device``, as (N, H, W, C) in memory if ``channels_last``."""
    if channels_last and X.dim() == 4:
        return X.to(device, memory_format=torch.channels_last)
    return X.to(device)


def autocast(device, enabled):
    """bfloat16 autocast on ``device`` when ``enabled``, else nothing."""
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=enabled)
