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

__all__ = ["batch_norm", "BatchNorm"]


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum,
               training=None):
    """Batch norm of X (m, d) or (m, c, h, w): (Y, moving_mean, moving_var)."""
    if training is None:
        training = torch.is_grad_enabled()
    if not training:
        # prediction: normalize with the moving statistics
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        # statistics per feature of (m, d), per channel of (m, c, h, w)
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)  # divide by m
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var
    Y = gamma * X_hat + beta  # scale and shift
    return Y, moving_mean.detach(), moving_var.detach()


class BatchNorm(nn.Module):
    """Batch norm layer: num_dims=2 for X (m, d), 4 for X (m, c, h, w)."""

    def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.9):
        super().__init__()
        self.num_features, self.num_dims = num_features, num_dims
        self.eps, self.momentum = eps, momentum
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        _check_input(self, X)
        Y, mean, var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            self.eps, self.momentum, training=self.training)
        if self.training:
            self.moving_mean.copy_(mean)
            self.moving_var.copy_(var)
        return Y

    def extra_repr(self):
        return (f"{self.num_features}, num_dims={self.num_dims}, "
                f"eps={self.eps}, momentum={self.momentum}")


def _check_settings(num_dims, eps, momentum):
    """``ValueError`` unless num_dims is 2 or 4, eps > 0, 0 <= momentum <= 1."""
    if num_dims not in (2, 4):
        raise ValueError(f"num_dims must be 2 (after a linear layer) or 4 "
                         f"(after a convolution), got {num_dims!r}")
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")


def _check_input(bn, X):
    """Reject the settings of ``bn`` that make no sense, and the inputs that
    broadcasting or a zero variance would let through."""
    _check_settings(bn.num_dims, bn.eps, bn.momentum)
    shape = "(m, {})" if bn.num_dims == 2 else "(m, {}, height, width)"
    if X.dim() != bn.num_dims or X.shape[1] != bn.num_features:
        raise ValueError(f"BatchNorm expected an input of shape "
                         f"{shape.format(bn.num_features)}, got {tuple(X.shape)}")
    if bn.training and X.numel() == X.shape[1]:
        raise ValueError("BatchNorm in training mode needs more than one value per "
                         f"feature or channel, got an input of shape {tuple(X.shape)}")
