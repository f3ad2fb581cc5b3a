"""Plausible wrong answers to every autograded question, each with what it gets wrong.

``MISTAKES[question]`` is a list of ``(label, source)`` pairs: the label says
what the answer gets wrong, the source replaces the reference solution's cell
in the solutions notebook. Each answer is wrong for some valid input that the
question describes, and the question's hidden tests must notice: graded by
the real grader, every one scores zero on its question, while the other
questions of its notebook keep their points (see test_mistakes_score_zero in
tests/assignments/test_assignments.py, which grades mistake k of every
question of an assignment in one notebook). To add one, append a pair to its
question's list; when it earns points, strengthen the question's hidden tests
in assignments/<chapter>.ipynb until it scores zero.
"""

MISTAKES = {
    "adadelta-q-first-step": [
        ("drops eps from the denominator (the chapter's approximation)", """
import math
def adadelta_first_step(g, rho=0.9, eps=1e-5):
    return math.sqrt(eps / (1 - rho))
"""),
        ("returns the signed step, not its length", """
import math
def adadelta_first_step(g, rho=0.9, eps=1e-5):
    s = (1 - rho) * g * g
    return math.sqrt(eps / (s + eps)) * g
"""),
        ("forgets the factor 1 - rho in s", """
import math
def adadelta_first_step(g, rho=0.9, eps=1e-5):
    s = g * g
    return math.sqrt(eps / (s + eps)) * abs(g)
"""),
    ],
    "adadelta-q-update": [
        ("rescales the gradient with the new delta instead of the previous one", """
import torch
def adadelta_step(x, g, s, delta, rho=0.9, eps=1e-5):
    s = rho * s + (1 - rho) * g * g
    delta = rho * delta + (1 - rho) * g * g
    g_scaled = torch.sqrt((delta + eps) / (s + eps)) * g
    return x - g_scaled, s, delta
"""),
        ("updates s, delta and x in place, changing the caller's tensors", """
import torch
def adadelta_step(x, g, s, delta, rho=0.9, eps=1e-5):
    s.mul_(rho).add_((1 - rho) * g * g)
    g_scaled = torch.sqrt((delta + eps) / (s + eps)) * g
    delta.mul_(rho).add_((1 - rho) * g_scaled * g_scaled)
    x.sub_(g_scaled)
    return x, s, delta
"""),
        ("leaves eps out of the numerator, so that nothing ever moves", """
import torch
def adadelta_step(x, g, s, delta, rho=0.9, eps=1e-5):
    s = rho * s + (1 - rho) * g * g
    g_scaled = torch.sqrt(delta / (s + eps)) * g
    delta = rho * delta + (1 - rho) * g_scaled * g_scaled
    return x - g_scaled, s, delta
"""),
    ],
    "adagrad-q-torch-eps": [
        ("eps inside the square root, as in d2lmini.adagrad_update", """
import torch
def adagrad_update_outside(x, g, s, lr, eps=1e-10):
    s = s + g * g
    return x - lr * g / torch.sqrt(s + eps), s
"""),
        ("adds to s in place, changing the caller's tensor", """
import torch
def adagrad_update_outside(x, g, s, lr, eps=1e-10):
    s += g * g
    return x - lr * g / (torch.sqrt(s) + eps), s
"""),
        ("steps with the old s, before adding the new gradient", """
import torch
def adagrad_update_outside(x, g, s, lr, eps=1e-10):
    x = x - lr * g / (torch.sqrt(s) + eps)
    return x, s + g * g
"""),
    ],
    "adagrad-q-precondition": [
        ("divides by the diagonal instead of its square root on each side", """
import torch
def preconditioned_condition_number(Q):
    d = 1 / Q.diagonal()
    eigenvalues = torch.linalg.eigvalsh(d[:, None] * Q * d[None, :])
    return (eigenvalues[-1] / eigenvalues[0]).item()
"""),
        ("the condition number of Q itself, not preconditioned", """
import torch
def preconditioned_condition_number(Q):
    eigenvalues = torch.linalg.eigvalsh(Q)
    return (eigenvalues[-1] / eigenvalues[0]).item()
"""),
        ("returns a 0-d tensor, not a float", """
import torch
def preconditioned_condition_number(Q):
    d = Q.diagonal().rsqrt()
    eigenvalues = torch.linalg.eigvalsh(d[:, None] * Q * d[None, :])
    return eigenvalues[-1] / eigenvalues[0]
"""),
    ],
    "adam-q-bias": [
        ("corrects s with beta1 instead of beta2", """
def bias_corrected_moments(grads, beta1=0.9, beta2=0.999):
    v = s = 0.0
    for g in grads.tolist():
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
    T = len(grads)
    return v / (1 - beta1**T), s / (1 - beta1**T)
"""),
        ("returns the raw averages, without bias correction", """
def bias_corrected_moments(grads, beta1=0.9, beta2=0.999):
    v = s = 0.0
    for g in grads.tolist():
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
    return v, s
"""),
        ("returns 0-d tensors, not floats", """
def bias_corrected_moments(grads, beta1=0.9, beta2=0.999):
    v = s = 0.0
    for g in grads:
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
    T = len(grads)
    return v / (1 - beta1**T), s / (1 - beta2**T)
"""),
    ],
    "adam-q-update": [
        ("eps inside the square root", """
import torch
def adam_step(x, g, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    v = beta1 * v + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    v_hat = v / (1 - beta1**t)
    s_hat = s / (1 - beta2**t)
    return x - lr * v_hat / torch.sqrt(s_hat + eps), v, s
"""),
        ("no bias correction", """
import torch
def adam_step(x, g, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    v = beta1 * v + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    return x - lr * v / (torch.sqrt(s) + eps), v, s
"""),
        ("updates v and s in place, changing the caller's tensors", """
import torch
def adam_step(x, g, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    v.mul_(beta1).add_((1 - beta1) * g)
    s.mul_(beta2).add_((1 - beta2) * g * g)
    v_hat = v / (1 - beta1**t)
    s_hat = s / (1 - beta2**t)
    return x - lr * v_hat / (torch.sqrt(s_hat) + eps), v, s
"""),
    ],
    "alexnet-q-side": [
        ("forgets the padding of the first convolution", """
def alexnet_side(image_size):
    n = (image_size - 11) // 4 + 1
    for _ in range(3):
        if n < 3:
            return 0
        n = (n - 3) // 2 + 1
    return n
"""),
        ("rounds each size up instead of down", """
import math
def alexnet_side(image_size):
    n = math.ceil((image_size + 2 - 11) / 4) + 1
    for _ in range(3):
        if n < 3:
            return 0
        n = math.ceil((n - 3) / 2) + 1
    return n
"""),
    ],
    "alexnet-q-dropout": [
        ("keeps each element with probability p (and checks p with assert, no ValueError)", """
import torch
def dropout(X, p):
    assert 0 <= p <= 1
    mask = (torch.rand(X.shape) < p).float()
    return mask * X / p
"""),
        ("divides the kept elements by p instead of 1 - p (and never checks p)", """
import torch
def dropout(X, p):
    mask = (torch.rand(X.shape) > p).float()
    return mask * X / p
"""),
    ],
    "augmentation-q-flip": [
        ("flips top to bottom (dim -2) instead of left to right", """
import torch
def flip_where(X, mask):
    return torch.where(mask[:, None, None, None], X.flip(-2), X)
"""),
        ("swaps the branches of torch.where: flips where the mask is false", """
import torch
def flip_where(X, mask):
    return torch.where(mask[:, None, None, None], X, X.flip(-1))
"""),
        ("the mask of shape (b,) broadcasts against the width, not the batch", """
import torch
def flip_where(X, mask):
    return torch.where(mask, X.flip(-1), X)
"""),
    ],
    "augmentation-q-contrast": [
        ("forgets to clip the result to [0, 1]", """
def adjust_contrast(X, factors):
    b = factors.reshape(-1, 1, 1, 1)
    mean = X.mean(dim=(1, 2, 3), keepdim=True)
    return b * X + (1 - b) * mean
"""),
        ("clips only below 0", """
def adjust_contrast(X, factors):
    b = factors.reshape(-1, 1, 1, 1)
    mean = X.mean(dim=(1, 2, 3), keepdim=True)
    return (b * X + (1 - b) * mean).clamp(min=0)
"""),
        ("the mean of the whole batch instead of each image", """
def adjust_contrast(X, factors):
    b = factors.reshape(-1, 1, 1, 1)
    return (b * X + (1 - b) * X.mean()).clamp(0, 1)
"""),
    ],
    "batch-norm-q-layernorm": [
        ("the unbiased variance", """
import torch
def layer_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=1, keepdim=True)
    var = X.var(dim=1, keepdim=True)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta
"""),
        ("normalizes each feature over the batch, as batch normalization does", """
import torch
def layer_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=0, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=0, keepdim=True)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta
"""),
        ("the row means without keepdim broadcast against the features", """
import torch
def layer_norm(X, gamma, beta, eps=1e-5):
    mean = X.mean(dim=1)
    var = ((X - mean) ** 2).mean(dim=1)
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta
"""),
    ],
    "batch-norm-q-moving": [
        ("truncates the closed form with int() instead of rounding up (and never checks fraction)",
         """
import math
def updates_needed(fraction, momentum=0.9):
    return int(math.log(1 - fraction) / math.log(momentum))
"""),
        ("solves momentum**t <= fraction, the part left instead of the part reached "
         "(and never checks fraction)", """
import math
def updates_needed(fraction, momentum=0.9):
    return math.ceil(math.log(fraction) / math.log(momentum))
"""),
    ],
    "batch-norm-q-fold": [
        ("forgets eps", """
import torch
def fold_batch_norm(W, b, gamma, beta, moving_mean, moving_var, eps=1e-5):
    scale = gamma / torch.sqrt(moving_var)
    return W * scale[:, None], scale * (b - moving_mean) + beta
"""),
        ("eps outside the square root", """
import torch
def fold_batch_norm(W, b, gamma, beta, moving_mean, moving_var, eps=1e-5):
    scale = gamma / (torch.sqrt(moving_var) + eps)
    return W * scale[:, None], scale * (b - moving_mean) + beta
"""),
        ("divides by the variance instead of the standard deviation", """
import torch
def fold_batch_norm(W, b, gamma, beta, moving_mean, moving_var, eps=1e-5):
    scale = gamma / (moving_var + eps)
    return W * scale[:, None], scale * (b - moving_mean) + beta
"""),
    ],
    "convexity-q-jensen": [
        ("f at the unweighted mean of the points", """
import torch
def jensen_gap(f, xs, weights):
    if (weights < 0).any() or abs(weights.sum().item() - 1) > 1e-9:
        raise ValueError("bad weights")
    return ((weights * f(xs)).sum() - f(xs.mean())).item()
"""),
        ("the gap with the wrong sign", """
import torch
def jensen_gap(f, xs, weights):
    if (weights < 0).any() or abs(weights.sum().item() - 1) > 1e-9:
        raise ValueError("bad weights")
    return (f((weights * xs).sum()) - (weights * f(xs)).sum()).item()
"""),
        ("returns a 0-d tensor, not a float", """
import torch
def jensen_gap(f, xs, weights):
    if (weights < 0).any() or abs(weights.sum().item() - 1) > 1e-9:
        raise ValueError("bad weights")
    return (weights * f(xs)).sum() - f((weights * xs).sum())
"""),
    ],
    "convexity-q-clip": [
        ("clips each tensor by its own norm", """
import torch
def clip_gradients(grads, theta):
    out = []
    for g in grads:
        norm = torch.sqrt((g * g).sum()).item()
        out.append(g * min(1.0, theta / norm) if norm > 0 else g.clone())
    return out
"""),
        ("scales the tensors in place, changing the caller's gradients", """
import torch
def clip_gradients(grads, theta):
    norm = torch.sqrt(sum((g * g).sum() for g in grads)).item()
    scale = min(1.0, theta / norm) if norm > 0 else 1.0
    return [g.mul_(scale) for g in grads]
"""),
        ("forgets the zero gradient: divides by a zero norm", """
import torch
def clip_gradients(grads, theta):
    norm = torch.sqrt(sum((g * g).sum() for g in grads)).item()
    return [g * min(1.0, theta / norm) for g in grads]
"""),
    ],
    "convolutions-q-corr2d": [
        ("moves the window one position at a time, whatever the stride", """
import torch
def corr2d_padded(X, K, padding=0, stride=1):
    k_h, k_w = K.shape
    P = torch.nn.functional.pad(X, (padding, padding, padding, padding))
    Y = torch.zeros((P.shape[0] - k_h) // stride + 1, (P.shape[1] - k_w) // stride + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (P[i:i + k_h, j:j + k_w] * K).sum()
    return Y
"""),
        ("pads at the top and left only", """
import torch
def corr2d_padded(X, K, padding=0, stride=1):
    k_h, k_w = K.shape
    n_h, n_w = X.shape
    P = torch.zeros(n_h + padding, n_w + padding, dtype=X.dtype)
    P[padding:, padding:] = X
    Y = torch.zeros((P.shape[0] - k_h) // stride + 1, (P.shape[1] - k_w) // stride + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            r, c = i * stride, j * stride
            Y[i, j] = (P[r:r + k_h, c:c + k_w] * K).sum()
    return Y
"""),
    ],
    "convolutions-q-stack": [
        ("forgets to divide by the stride", """
def stack_output_size(n, layers):
    for k, p, s in layers:
        if n + 2 * p < k:
            raise ValueError(f"a window of {k} does not fit in {n} + 2 * {p}")
        n = n + 2 * p - k + 1
    return n
"""),
        ("rounds each size up instead of down", """
import math
def stack_output_size(n, layers):
    for k, p, s in layers:
        if n + 2 * p < k:
            raise ValueError(f"a window of {k} does not fit in {n} + 2 * {p}")
        n = math.ceil((n + 2 * p - k) / s) + 1
    return n
"""),
    ],
    "convolutions-q-receptive": [
        ("multiplies the jump by the stride before adding the window", """
def receptive_field(layers):
    r, j = 1, 1
    for k, s in layers:
        j *= s
        r += (k - 1) * j
    return r
"""),
        ("ignores the strides: adds k - 1 per layer", """
def receptive_field(layers):
    return 1 + sum(k - 1 for k, s in layers)
"""),
    ],
    "densenet-q-channels": [
        ("a transition block after the last dense block too", """
def densenet_channels(growth_rate=32, arch=(4, 4, 4, 4)):
    channels, out = 64, []
    for n in arch:
        channels += n * growth_rate
        out.append(channels)
        channels //= 2
        out.append(channels)
    return out
"""),
        ("halves with / (a float) instead of rounding down", """
def densenet_channels(growth_rate=32, arch=(4, 4, 4, 4)):
    channels, out = 64, []
    for i, n in enumerate(arch):
        channels += n * growth_rate
        out.append(channels)
        if i != len(arch) - 1:
            channels /= 2
            out.append(channels)
    return out
"""),
        ("lists only the channels after the dense blocks", """
def densenet_channels(growth_rate=32, arch=(4, 4, 4, 4)):
    channels, out = 64, []
    for i, n in enumerate(arch):
        channels += n * growth_rate
        out.append(channels)
        if i != len(arch) - 1:
            channels //= 2
    return out
"""),
    ],
    "densenet-q-params": [
        ("forgets the batch-normalization parameters", """
def densenet_params(growth_rate=32, arch=(4, 4, 4, 4), num_classes=10):
    k, c = growth_rate, 64
    total = 49 * 64 + 64
    for i, n in enumerate(arch):
        for j in range(n):
            total += 9 * (c + j * k) * k + k
        c += n * k
        if i != len(arch) - 1:
            total += c * (c // 2) + c // 2
            c //= 2
    return total + c * num_classes + num_classes
"""),
        ("convolutions without bias", """
def densenet_params(growth_rate=32, arch=(4, 4, 4, 4), num_classes=10):
    k, c = growth_rate, 64
    total = 49 * 64 + 2 * 64
    for i, n in enumerate(arch):
        for j in range(n):
            total += 2 * (c + j * k) + 9 * (c + j * k) * k
        c += n * k
        if i != len(arch) - 1:
            total += 2 * c + c * (c // 2)
            c //= 2
    return total + 2 * c + c * num_classes + num_classes
"""),
        ("convolution block i sees c + (i + 1) k channels, one growth too many", """
def densenet_params(growth_rate=32, arch=(4, 4, 4, 4), num_classes=10):
    k, c = growth_rate, 64
    total = 49 * 64 + 64 + 2 * 64
    for i, n in enumerate(arch):
        for j in range(1, n + 1):
            total += 2 * (c + j * k) + 9 * (c + j * k) * k + k
        c += n * k
        if i != len(arch) - 1:
            total += 2 * c + c * (c // 2) + c // 2
            c //= 2
    return total + 2 * c + c * num_classes + num_classes
"""),
    ],
    "fine-tuning-q-layerwise": [
        ("gives every layer a group, also those without parameters", """
def layerwise_groups(net, lr, decay):
    n = len(net)
    return [{"params": list(layer.parameters()), "lr": lr * decay ** (n - 1 - i)}
            for i, layer in enumerate(net)]
"""),
        ("off by one: the last layer gets lr * decay", """
def layerwise_groups(net, lr, decay):
    layers = [layer for layer in net if list(layer.parameters())]
    n = len(layers)
    return [{"params": list(layer.parameters()), "lr": lr * decay ** (n - i)}
            for i, layer in enumerate(layers)]
"""),
    ],
    "fine-tuning-q-features": [
        ("runs the whole network, the output layer included", """
import torch
def features(net, X):
    was_training = net.training
    net.eval()
    with torch.no_grad():
        X = net(X)
    net.train(was_training)
    return X
"""),
        ("slices the network and runs it as it is: no evaluation mode, no torch.no_grad", """
import torch
def features(net, X):
    return torch.nn.Sequential(*list(net)[:-1])(X)
"""),
    ],
    "gd-q-newton": [
        ("multiplies by H instead of solving H delta = g", """
import torch
def newton_step(x, g, H, lr=1.0):
    return x - lr * H @ g
"""),
        ("divides by the diagonal of H only", """
import torch
def newton_step(x, g, H, lr=1.0):
    return x - lr * g / H.diagonal()
"""),
        ("updates x in place, changing the caller's tensor", """
import torch
def newton_step(x, g, H, lr=1.0):
    x -= lr * torch.linalg.solve(H, g)
    return x
"""),
    ],
    "gd-q-best-lr": [
        ("1 / lambda_max, the largest safe rate without overshooting", """
def best_constant_lr(eigenvalues):
    if any(lam <= 0 for lam in eigenvalues):
        raise ValueError("eigenvalues must be positive")
    lmin, lmax = min(eigenvalues), max(eigenvalues)
    return 1 / lmax, 1 - lmin / lmax
"""),
        ("takes the first and last eigenvalues as the extremes (assumes them sorted)", """
def best_constant_lr(eigenvalues):
    if any(lam <= 0 for lam in eigenvalues):
        raise ValueError("eigenvalues must be positive")
    lmin, lmax = eigenvalues[0], eigenvalues[-1]
    return 2 / (lmin + lmax), (lmax - lmin) / (lmax + lmin)
"""),
    ],
    "googlenet-q-params": [
        ("forgets the biases", """
def inception_params(in_channels, c1, c2, c3, c4):
    return (in_channels * c1 + in_channels * c2[0] + 9 * c2[0] * c2[1]
            + in_channels * c3[0] + 25 * c3[0] * c3[1] + in_channels * c4)
"""),
        ("the 5 x 5 convolution of path 3 counted as 3 x 3 (copied from path 2)", """
def inception_params(in_channels, c1, c2, c3, c4):
    def conv(k, a, b):
        return k * k * a * b + b
    return (conv(1, in_channels, c1)
            + conv(1, in_channels, c2[0]) + conv(3, c2[0], c2[1])
            + conv(1, in_channels, c3[0]) + conv(3, c3[0], c3[1])
            + conv(1, in_channels, c4))
"""),
    ],
    "googlenet-q-saved": [
        ("forgets the cost of the 1 x 1 reduction", """
def madds_saved(h, w, c_in, c_out, k, r):
    return h * w * k * k * c_in * c_out - h * w * k * k * r * c_out
"""),
        ("counts k * k multiply-adds for the 1 x 1 convolution too", """
def madds_saved(h, w, c_in, c_out, k, r):
    direct = h * w * k * k * c_in * c_out
    reduced = h * w * k * k * (c_in * r + r * c_out)
    return direct - reduced
"""),
    ],
    "minibatch-sgd-q-blocks": [
        ("forgets the last, narrower block", """
import torch
def matmul_in_blocks(B, C, width):
    if not isinstance(width, int) or width <= 0:
        raise ValueError(f"width must be a positive int, got {width!r}")
    A = torch.zeros(B.shape[0], C.shape[1], dtype=B.dtype)
    for j in range(0, C.shape[1] - width + 1, width):
        A[:, j:j + width] = torch.mm(B, C[:, j:j + width])
    return A
"""),
        ("the result in float32 (torch.zeros without the dtype of B)", """
import torch
def matmul_in_blocks(B, C, width):
    if not isinstance(width, int) or width <= 0:
        raise ValueError(f"width must be a positive int, got {width!r}")
    A = torch.zeros(B.shape[0], C.shape[1])
    for j in range(0, C.shape[1], width):
        A[:, j:j + width] = torch.mm(B, C[:, j:j + width])
    return A
"""),
    ],
    "minibatch-sgd-q-epoch": [
        ("drops the last, smaller minibatch", """
import torch
def epoch_batches(n, batch_size, generator):
    perm = torch.randperm(n, generator=generator)
    return [perm[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]
"""),
        ("ignores the generator: the same seed gives other batches", """
import torch
def epoch_batches(n, batch_size, generator):
    return list(torch.randperm(n).split(batch_size))
"""),
    ],
    "minibatch-sgd-q-variance": [
        ("the unbiased variance of the values", """
def minibatch_variance(values, b, replace):
    n = values.numel()
    sigma2 = values.var().item()
    if replace:
        return sigma2 / b
    return sigma2 / b * (n - b) / (n - 1)
"""),
        ("the correction (n - b) / n instead of (n - b) / (n - 1)", """
def minibatch_variance(values, b, replace):
    n = values.numel()
    sigma2 = values.var(unbiased=False).item()
    if replace:
        return sigma2 / b
    return sigma2 / b * (n - b) / n
"""),
    ],
    "momentum-q-nesterov": [
        ("steps with the old velocity", """
def nesterov_update(x, g, v, lr, beta=0.9):
    x = x - lr * (g + beta * v)
    return x, beta * v + g
"""),
        ("updates v in place, changing the caller's tensor", """
def nesterov_update(x, g, v, lr, beta=0.9):
    v.mul_(beta).add_(g)
    return x - lr * (g + beta * v), v
"""),
        ("the classic momentum step x - lr * v", """
def nesterov_update(x, g, v, lr, beta=0.9):
    v = beta * v + g
    return x - lr * v, v
"""),
    ],
    "momentum-q-rate": [
        ("the modulus of one root only, the one with + sqrt", """
import cmath
def momentum_rate(beta, lr, lam):
    trace = 1 + beta - lr * lam
    return abs((trace + cmath.sqrt(trace * trace - 4 * beta)) / 2)
"""),
        ("the square root of the absolute discriminant, as if the roots were real", """
import math
def momentum_rate(beta, lr, lam):
    trace = 1 + beta - lr * lam
    root = math.sqrt(abs(trace * trace - 4 * beta))
    return max(abs((trace + root) / 2), abs((trace - root) / 2))
"""),
    ],
    "nin-q-pixel-linear": [
        ("reshapes to (c_in, n h w) without moving the channels first", """
def pixel_linear(X, W, b):
    n, c_in, h, w = X.shape
    Y = W @ X.reshape(c_in, n * h * w) + b.reshape(-1, 1)
    return Y.reshape(-1, n, h, w).permute(1, 0, 2, 3)
"""),
        ("the bias of shape (c_out,) broadcasts against the pixels", """
def pixel_linear(X, W, b):
    n, c_in, h, w = X.shape
    Y = W @ X.permute(1, 0, 2, 3).reshape(c_in, n * h * w) + b
    return Y.reshape(-1, n, h, w).permute(1, 0, 2, 3)
"""),
        ("reshapes the result to (n, c_out, h, w) without moving the channels back", """
def pixel_linear(X, W, b):
    n, c_in, h, w = X.shape
    Y = W @ X.permute(1, 0, 2, 3).reshape(c_in, n * h * w) + b.reshape(-1, 1)
    return Y.reshape(n, -1, h, w)
"""),
    ],
    "nin-q-side": [
        ("pads the first convolution by 1, as in AlexNet", """
def nin_side(image_size):
    def out(n, k, s, p=0):
        return (n + 2 * p - k) // s + 1 if n + 2 * p >= k else 0
    n = out(image_size, 11, 4, 1)
    for _ in range(3):
        n = out(n, 3, 2)
    return n
"""),
        ("forgets the + 1 of the size formula", """
def nin_side(image_size):
    def out(n, k, s):
        return (n - k) // s if n >= k else 0
    n = out(image_size, 11, 4)
    for _ in range(3):
        n = out(n, 3, 2)
    return n
"""),
    ],
    "nin-q-block-params": [
        ("forgets the biases", """
def nin_block_params(in_channels, out_channels, kernel_size):
    return kernel_size ** 2 * in_channels * out_channels + 2 * out_channels * out_channels
"""),
        ("the 1 x 1 convolutions from in_channels", """
def nin_block_params(in_channels, out_channels, kernel_size):
    first = kernel_size ** 2 * in_channels * out_channels + out_channels
    return first + 2 * (in_channels * out_channels + out_channels)
"""),
        ("counts one 1 x 1 convolution instead of two", """
def nin_block_params(in_channels, out_channels, kernel_size):
    first = kernel_size ** 2 * in_channels * out_channels + out_channels
    return first + out_channels * out_channels + out_channels
"""),
    ],
    "optimization-intro-q-hessian": [
        ("torch.linalg.eigvals: complex and unsorted", """
import torch
def hessian_eigenvalues(f, point):
    x = torch.tensor(point, dtype=torch.float64)
    return torch.linalg.eigvals(torch.autograd.functional.hessian(f, x))
"""),
        ("the point in float32 (torch.tensor(point) without a dtype)", """
import torch
def hessian_eigenvalues(f, point):
    H = torch.autograd.functional.hessian(f, torch.tensor(point))
    return torch.linalg.eigvalsh(H)
"""),
        ("the diagonal of the Hessian instead of its eigenvalues", """
import torch
def hessian_eigenvalues(f, point):
    x = torch.tensor(point, dtype=torch.float64)
    return torch.autograd.functional.hessian(f, x).diagonal()
"""),
    ],
    "optimization-intro-q-escape": [
        ("stops at |y| >= 1 instead of |y| > 1", """
def escape_steps(y0, lr):
    if y0 == 0:
        return None
    y, t = abs(y0), 0
    while y < 1:
        y, t = (1 + 2 * lr) * y, t + 1
    return t
"""),
        ("the closed form ceil(log(1 / |y0|) / log(1 + 2 lr)), off at |y| = 1", """
import math
def escape_steps(y0, lr):
    if y0 == 0:
        return None
    return max(0, math.ceil(math.log(1 / abs(y0)) / math.log(1 + 2 * lr)))
"""),
        ("multiplies by 1 + lr, forgetting the 2 of the gradient", """
def escape_steps(y0, lr):
    if y0 == 0:
        return None
    y, t = abs(y0), 0
    while y <= 1:
        y, t = (1 + lr) * y, t + 1
    return t
"""),
    ],
    "preliminaries-q-logsoftmax": [
        ("the naive log of the softmax, without subtracting the maximum", """
import torch
def log_softmax(o):
    e = torch.exp(o)
    return torch.log(e / e.sum(dim=1, keepdim=True))
"""),
        ("subtracts the maximum of the whole tensor, not of each row", """
import torch
def log_softmax(o):
    shifted = o - o.max()
    return shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
"""),
        ("the row maxima without keepdim broadcast against the columns", """
import torch
def log_softmax(o):
    shifted = o - o.max(dim=1).values
    return shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
"""),
    ],
    "preliminaries-q-accuracy": [
        ("argmax over the examples (dim 0) instead of the classes", """
def count_correct(y_hat, y):
    if y_hat.dim() > 1:
        y_hat = y_hat.argmax(dim=0)
    return int((y_hat == y).sum().item())
"""),
        ("the fraction correct instead of the count", """
def count_correct(y_hat, y):
    if y_hat.dim() > 1:
        y_hat = y_hat.argmax(dim=1)
    return (y_hat == y).float().mean().item()
"""),
        ("returns a tensor, not an int", """
def count_correct(y_hat, y):
    if y_hat.dim() > 1:
        y_hat = y_hat.argmax(dim=1)
    return (y_hat == y).sum()
"""),
    ],
    "preliminaries-q-xent-grad": [
        ("the sign flipped: onehot - softmax", """
import torch
def cross_entropy_grad(o, y):
    n, q = o.shape
    onehot = torch.nn.functional.one_hot(y, q).to(o.dtype)
    return (onehot - torch.softmax(o, dim=1)) / n
"""),
        ("the softmax over the examples (dim 0)", """
import torch
def cross_entropy_grad(o, y):
    n, q = o.shape
    onehot = torch.nn.functional.one_hot(y, q).to(o.dtype)
    return (torch.softmax(o, dim=0) - onehot) / n
"""),
    ],
    "resnet-q-params": [
        ("forgets the batch-normalization parameters", """
def residual_params(in_channels, out_channels, use_1x1conv):
    ci, co = in_channels, out_channels
    count = (9 * ci * co + co) + (9 * co * co + co)
    if use_1x1conv:
        count += ci * co + co
    return count
"""),
        ("forgets the bias of the 1 x 1 convolution", """
def residual_params(in_channels, out_channels, use_1x1conv):
    ci, co = in_channels, out_channels
    count = (9 * ci * co + co) + (9 * co * co + co) + 2 * (2 * co)
    if use_1x1conv:
        count += ci * co
    return count
"""),
        ("both 3 x 3 convolutions from in_channels", """
def residual_params(in_channels, out_channels, use_1x1conv):
    ci, co = in_channels, out_channels
    count = 2 * (9 * ci * co + co) + 2 * (2 * co)
    if use_1x1conv:
        count += ci * co + co
    return count
"""),
    ],
    "resnet-q-size": [
        ("forgets the max-pooling of the stem", """
def resnet18_feature_size(n):
    def out(n, k, p, s):
        return (n + 2 * p - k) // s + 1
    n = out(n, 7, 3, 2)
    for _ in range(3):
        n = out(n, 3, 1, 2)
    return n
"""),
        ("halves in all four stages (the first keeps the size)", """
def resnet18_feature_size(n):
    def out(n, k, p, s):
        return (n + 2 * p - k) // s + 1
    n = out(n, 7, 3, 2)
    n = out(n, 3, 1, 2)
    for _ in range(4):
        n = out(n, 3, 1, 2)
    return n
"""),
        ("ignores the padding", """
def resnet18_feature_size(n):
    def out(n, k, s):
        return (n - k) // s + 1
    n = out(n, 7, 2)
    n = out(n, 3, 2)
    for _ in range(3):
        n = out(n, 3, 2)
    return n
"""),
    ],
    "resnet-q-bottleneck": [
        ("bn3 normalizes mid_channels (copied from bn2)", """
import torch
from torch import nn
class Bottleneck(nn.Module):
    def __init__(self, in_channels, mid_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, mid_channels, kernel_size=1)
        self.conv2 = nn.Conv2d(mid_channels, mid_channels, kernel_size=3, padding=1,
                               stride=stride)
        self.conv3 = nn.Conv2d(mid_channels, out_channels, kernel_size=1)
        self.bn1 = nn.BatchNorm2d(mid_channels)
        self.bn2 = nn.BatchNorm2d(mid_channels)
        self.bn3 = nn.BatchNorm2d(mid_channels)
        self.shortcut = None
        if in_channels != out_channels or stride != 1:
            self.shortcut = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride)

    def forward(self, X):
        Y = torch.relu(self.bn1(self.conv1(X)))
        Y = torch.relu(self.bn2(self.conv2(Y)))
        Y = self.bn3(self.conv3(Y))
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return torch.relu(Y + shortcut)
"""),
        ("bn1 normalizes in_channels, the block's input, instead of conv1's output", """
import torch
from torch import nn
class Bottleneck(nn.Module):
    def __init__(self, in_channels, mid_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, mid_channels, kernel_size=1)
        self.conv2 = nn.Conv2d(mid_channels, mid_channels, kernel_size=3, padding=1,
                               stride=stride)
        self.conv3 = nn.Conv2d(mid_channels, out_channels, kernel_size=1)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.bn2 = nn.BatchNorm2d(mid_channels)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = None
        if in_channels != out_channels or stride != 1:
            self.shortcut = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride)

    def forward(self, X):
        Y = torch.relu(self.bn1(self.conv1(X)))
        Y = torch.relu(self.bn2(self.conv2(Y)))
        Y = self.bn3(self.conv3(Y))
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return torch.relu(Y + shortcut)
"""),
    ],
    "rmsprop-q-weights": [
        ("oldest first instead of newest first", """
import torch
def rmsprop_weights(gamma, t):
    tau = torch.arange(t, dtype=torch.float64)
    return ((1 - gamma) * gamma ** tau).flip(0)
"""),
        ("forgets the factor 1 - gamma", """
import torch
def rmsprop_weights(gamma, t):
    return gamma ** torch.arange(t, dtype=torch.float64)
"""),
        ("float32 weights (torch.arange without a dtype)", """
import torch
def rmsprop_weights(gamma, t):
    return (1 - gamma) * gamma ** torch.arange(t).float()
"""),
    ],
    "rmsprop-q-startup": [
        ("forgets the square root", """
def rmsprop_step_length(lr, gamma, t):
    return lr / (1 - gamma**t)
"""),
        ("uses the state after one step at every step", """
import math
def rmsprop_step_length(lr, gamma, t):
    return lr / math.sqrt(1 - gamma)
"""),
    ],
    "sgd-q-piecewise": [
        ("the boundary step still gets the old value (t <= boundary)", """
def piecewise_constant(boundaries, values):
    boundaries, values = list(boundaries), list(values)
    if len(values) != len(boundaries) + 1:
        raise ValueError("need one more value than boundaries")
    if any(b1 >= b2 for b1, b2 in zip(boundaries, boundaries[1:])):
        raise ValueError("boundaries must increase")

    def schedule(t):
        for boundary, value in zip(boundaries, values):
            if t <= boundary:
                return value
        return values[-1]
    return schedule
"""),
        ("checks neither the lengths nor the order of the boundaries", """
def piecewise_constant(boundaries, values):
    def schedule(t):
        for boundary, value in zip(boundaries, values):
            if t < boundary:
                return value
        return values[-1]
    return schedule
"""),
    ],
    "sgd-q-noise-floor": [
        ("the small-rate approximation lr sigma2 / (2 lam)", """
def noise_floor(lr, lam, sigma2=1.0):
    if not 0 < lr * lam < 2:
        raise ValueError("the variance converges only for 0 < lr * lam < 2")
    return lr * sigma2 / (2 * lam)
"""),
        ("accepts lr * lam == 2 (checks <= 2), where it divides by zero", """
def noise_floor(lr, lam, sigma2=1.0):
    if not 0 < lr * lam <= 2:
        raise ValueError("the variance converges only for 0 < lr * lam < 2")
    return lr * sigma2 / (lam * (2 - lr * lam))
"""),
        ("solves v = (1 - lr lam) v + lr^2 sigma2, forgetting the square", """
def noise_floor(lr, lam, sigma2=1.0):
    if not 0 < lr * lam < 2:
        raise ValueError("the variance converges only for 0 < lr * lam < 2")
    return lr**2 * sigma2 / (1 - (1 - lr * lam))
"""),
    ],
    "vgg-q-receptive": [
        ("the sum of the window sizes", """
def receptive_field(kernel_sizes):
    return sum(kernel_sizes)
"""),
        ("starts from 0 instead of 1", """
def receptive_field(kernel_sizes):
    return sum(k - 1 for k in kernel_sizes)
"""),
        ("assumes 3 x 3 windows: 1 + 2 per layer", """
def receptive_field(kernel_sizes):
    return 1 + 2 * len(kernel_sizes)
"""),
    ],
    "vgg-q-params": [
        ("forgets the biases of the convolutions", """
def vgg_params(arch):
    total, c_in = 0, 1
    for num_convs, c_out in arch:
        for _ in range(num_convs):
            total += 9 * c_in * c_out
            c_in = c_out
    return total + (c_in * 49 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 10 + 10)
"""),
        ("every convolution of a block from the block's input channels", """
def vgg_params(arch):
    total, c_in = 0, 1
    for num_convs, c_out in arch:
        total += num_convs * (9 * c_in * c_out + c_out)
        c_in = c_out
    return total + (c_in * 49 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 10 + 10)
"""),
        ("three input channels (RGB) instead of one", """
def vgg_params(arch):
    total, c_in = 0, 3
    for num_convs, c_out in arch:
        for _ in range(num_convs):
            total += 9 * c_in * c_out + c_out
            c_in = c_out
    return total + (c_in * 49 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 10 + 10)
"""),
    ],
}
