"""Answers that delegate to d2lmini's implementation of what the question asks.

One per question with ``forbid`` in its master: each would pass the question's
tests (it is d2lmini's own code doing the work), but the question asks for the
student's code, so it must score zero (see tests/assignments/test_assignments.py).
"""

DELEGATING = {
    "adadelta-q-first-step": """
import torch
import d2lmini
def adadelta_first_step(g, rho=0.9, eps=1e-5):
    zero = torch.zeros((), dtype=torch.float64)
    g = torch.tensor(float(g), dtype=torch.float64)
    x = d2lmini.adadelta_update(zero, g, zero, zero, rho, eps)[0]
    return abs(x.item())
""",
    "adadelta-q-update": """
from d2lmini import adadelta_update
def adadelta_step(x, g, s, delta, rho=0.9, eps=1e-5):
    return adadelta_update(x, g, s, delta, rho, eps)
""",
    "adam-q-update": """
import d2lmini
def adam_step(x, g, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return d2lmini.adam_update(x, g, v, s, t, lr, beta1, beta2, eps)
""",
    "alexnet-q-side": """
import torch
import d2lmini
def alexnet_side(image_size):
    features = d2lmini.alexnet().eval()[:13]
    try:
        return features(torch.zeros(1, 1, image_size, image_size)).shape[-1]
    except RuntimeError:
        return 0
""",
    "convolutions-q-corr2d": """
import torch
import d2lmini
def corr2d_padded(X, K, padding=0, stride=1):
    P = torch.nn.functional.pad(X, (padding,) * 4)
    return d2lmini.corr2d(P, K)[::stride, ::stride]
""",
    "convolutions-q-stack": """
import d2lmini
def stack_output_size(n, layers):
    for k, p, s in layers:
        n = d2lmini.conv_output_size(n, k, p, s)
    return n
""",
    "densenet-q-channels": """
import torch
import d2lmini
def densenet_channels(growth_rate=32, arch=(4, 4, 4, 4)):
    net, out, X = d2lmini.densenet(growth_rate=growth_rate, arch=arch), [], torch.zeros(1, 1, 96, 96)
    for layer in net:
        X = layer(X)
        if isinstance(layer, d2lmini.DenseBlock):
            out.append(X.shape[1])
    return out
""",
    "densenet-q-params": """
import d2lmini
def densenet_params(growth_rate=32, arch=(4, 4, 4, 4), num_classes=10):
    net = d2lmini.densenet(growth_rate=growth_rate, arch=arch, num_classes=num_classes)
    return sum(p.numel() for p in net.parameters())
""",
    "gd-q-newton": """
import d2lmini
def newton_step(x, g, H, lr=1.0):
    return d2lmini.newton_update(x, g, H, lr)
""",
    "googlenet-q-params": """
import d2lmini
def inception_params(in_channels, c1, c2, c3, c4):
    block = d2lmini.Inception(in_channels, c1, c2, c3, c4)
    return sum(p.numel() for p in block.parameters())
""",
    "nin-q-block-params": """
from d2lmini import nin_block
def nin_block_params(in_channels, out_channels, kernel_size):
    blk = nin_block(in_channels, out_channels, kernel_size, 1, 0)
    return sum(p.numel() for p in blk.parameters())
""",
    "preliminaries-q-accuracy": """
import d2lmini
def count_correct(y_hat, y):
    return int(d2lmini.accuracy(y_hat, y))
""",
    "resnet-q-params": """
import d2lmini
def residual_params(in_channels, out_channels, use_1x1conv):
    block = d2lmini.Residual(in_channels, out_channels, use_1x1conv=use_1x1conv)
    return sum(p.numel() for p in block.parameters())
""",
    "resnet-q-size": """
import torch
import d2lmini
def resnet18_feature_size(n):
    net = d2lmini.resnet18(in_channels=1).eval()
    X = torch.zeros(1, 1, n, n)
    for layer in net[:-2]:
        X = layer(X)
    return X.shape[-1]
""",
    "resnet-q-bottleneck": """
import d2lmini
class Bottleneck(d2lmini.Residual):
    def __init__(self, in_channels, mid_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, use_1x1conv=True, strides=stride)
""",
    "rmsprop-q-startup": """
import torch
import d2lmini
def rmsprop_step_length(lr, gamma, t):
    x, s = torch.tensor(0.0), torch.tensor(0.0)
    for _ in range(t):
        new, s = d2lmini.rmsprop_update(x, torch.tensor(1.0), s, lr, gamma, eps=0)
        step, x = (x - new).item(), new
    return step
""",
    "sgd-q-piecewise": """
import d2lmini
def piecewise_constant(boundaries, values):
    return d2lmini.piecewise_lr(boundaries, values)
""",
    "vgg-q-params": """
import d2lmini
def vgg_params(arch):
    return sum(p.numel() for p in d2lmini.vgg(arch).parameters())
""",
}
