"""Batch normalization from scratch: a function and the module built on it.

Batch normalization (Ioffe and Szegedy, 2015) standardizes every feature of a
layer's output with statistics of the current minibatch, then rescales it with
two learned vectors. During training the minibatch statistics are used, and
moving averages of them are kept; at prediction time the moving averages are
used instead, so an example's prediction does not depend on its batch.

Convention: ``momentum`` is the weight of the *old* moving average, as in
Dive into Deep Learning: ``moving = momentum * moving + (1 - momentum) * batch``
with the default 0.9. PyTorch's ``nn.BatchNorm*`` weights the *new* value
instead (its default ``momentum=0.1`` is our 0.9), and it updates its running
variance with the unbiased batch variance (divisor ``m - 1``) where we use the
biased one (divisor ``m``) that the normalization itself uses.
"""
import torch
from torch import nn

from .runtime import check_positive_int

__all__ = ["batch_norm", "BatchNorm"]


def _stat_shape(X):
    """The shape that broadcasts one value per feature or channel against ``X``."""
    return (1, X.shape[1]) if X.dim() == 2 else (1, X.shape[1], 1, 1)


def _check_eps_momentum(eps, momentum):
    if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not eps > 0:
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    if (not isinstance(momentum, (int, float)) or isinstance(momentum, bool)
            or not 0 <= momentum <= 1):
        raise ValueError(f"momentum must be a number in [0, 1], got {momentum!r}")


def _per_channel(name, t, X):
    """``t`` (one value per channel, any shape) viewed so it broadcasts against ``X``."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a tensor, got {type(t).__name__}")
    if t.numel() != X.shape[1]:
        raise ValueError(f"{name} must hold one value per feature or channel "
                         f"({X.shape[1]}), got shape {tuple(t.shape)}")
    return t.reshape(_stat_shape(X))


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training=None):
    r"""Batch normalization of ``X``; returns ``(Y, moving_mean, moving_var)``.

    ``X`` is the output of a fully connected layer, shape (m, d), normalized
    per feature over the batch; or of a convolutional layer, shape
    (m, c, h, w), normalized per channel over the batch and all positions.
    Call the set of values one feature (channel) takes in the batch
    :math:`\mathcal{B}`. In training mode

    .. math::

        \hat\mu = \frac{1}{|\mathcal{B}|}\sum_{x\in\mathcal{B}} x,\qquad
        \hat\sigma^2 = \frac{1}{|\mathcal{B}|}\sum_{x\in\mathcal{B}} (x - \hat\mu)^2,\qquad
        y = \gamma\,\frac{x - \hat\mu}{\sqrt{\hat\sigma^2 + \epsilon}} + \beta,

    and the moving statistics are updated as
    :math:`\text{moving} \leftarrow \text{momentum}\cdot\text{moving} +
    (1 - \text{momentum})\cdot\text{batch}` (note that ``momentum`` weights
    the old value; PyTorch's ``momentum`` is ``1 - momentum``). In prediction
    mode :math:`\hat\mu, \hat\sigma^2` are replaced by the moving statistics,
    which are returned unchanged.

    Args:
        X: a 2-D or 4-D floating-point tensor.
        gamma, beta: the learned scale and shift, one value per feature or
            channel (shape (d,), (1, d) or (1, c, 1, 1)).
        moving_mean, moving_var: the moving statistics, same sizes.
        eps: a small positive number added to the variance.
        momentum: in [0, 1], the weight of the old moving statistics.
        training: use (and update) batch statistics. ``None`` (the default)
            means "when gradients are being recorded",
            ``torch.is_grad_enabled()``, as in Dive into Deep Learning.

    The returned moving statistics have the shape they were given in and are
    detached from the autograd graph.
    """
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a tensor, got {type(X).__name__}")
    if X.dim() not in (2, 4):
        raise ValueError("X must be 2-D (batch, features) or 4-D (batch, channels, height, "
                         f"width), got {X.dim()}-D with shape {tuple(X.shape)}")
    _check_eps_momentum(eps, momentum)
    gamma_, beta_ = _per_channel("gamma", gamma, X), _per_channel("beta", beta, X)
    mean_, var_ = (_per_channel("moving_mean", moving_mean, X),
                   _per_channel("moving_var", moving_var, X))
    if training is None:
        training = torch.is_grad_enabled()
    if not training:
        X_hat = (X - mean_) / torch.sqrt(var_ + eps)
    else:
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        if X.numel() // X.shape[1] < 2:
            raise ValueError("batch normalization in training mode needs more than one value "
                             f"per feature or channel, got input of shape {tuple(X.shape)}")
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)  # biased: divide by m
        X_hat = (X - mean) / torch.sqrt(var + eps)
        with torch.no_grad():
            mean_ = momentum * mean_ + (1.0 - momentum) * mean
            var_ = momentum * var_ + (1.0 - momentum) * var
    Y = gamma_ * X_hat + beta_
    return (Y, mean_.detach().reshape(moving_mean.shape),
            var_.detach().reshape(moving_var.shape))


class BatchNorm(nn.Module):
    """Batch normalization layer for fully connected (``num_dims=2``) or
    convolutional (``num_dims=4``) outputs, built on :func:`batch_norm`.

    ``gamma`` (ones) and ``beta`` (zeros) are learned parameters;
    ``moving_mean`` (zeros) and ``moving_var`` (ones) are buffers, so they move
    with ``.to(device)`` and are saved in ``state_dict()``. The module uses the
    batch statistics (and updates the moving ones) in training mode,
    ``module.train()``, and the moving statistics in evaluation mode,
    ``module.eval()``. ``momentum`` weights the old moving average (default
    0.9, which is PyTorch's ``momentum=0.1``).
    """

    def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.9):
        super().__init__()
        check_positive_int("num_features", num_features)
        if num_dims not in (2, 4) or isinstance(num_dims, bool):
            raise ValueError("num_dims must be 2 (after a fully connected layer) or 4 "
                             f"(after a convolutional layer), got {num_dims!r}")
        _check_eps_momentum(eps, momentum)
        self.num_features, self.num_dims = num_features, num_dims
        self.eps, self.momentum = eps, momentum
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        if X.dim() != self.num_dims or X.shape[1] != self.num_features:
            expected = ("(batch, {})" if self.num_dims == 2 else
                        "(batch, {}, height, width)").format(self.num_features)
            raise ValueError(f"BatchNorm expected input of shape {expected}, "
                             f"got {tuple(X.shape)}")
        Y, mean, var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                                  eps=self.eps, momentum=self.momentum, training=self.training)
        if self.training:
            self.moving_mean.copy_(mean)
            self.moving_var.copy_(var)
        return Y

    def extra_repr(self):
        return (f"{self.num_features}, num_dims={self.num_dims}, eps={self.eps}, "
                f"momentum={self.momentum}")
