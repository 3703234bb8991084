"""Batch-norm, ReLU and dropout fused into two passes each way on CPU.

An MLP block ``BatchNorm1d -> ReLU -> Dropout`` in eager torch reads and writes the
whole activation about ten times per training step (batch-norm's statistics,
normalisation and its two backward passes, ReLU and its backward, the dropout mask
and its two multiplies): on a 4096 x 400 activation that costs about 5.3 ms per
layer on two cores, a quarter of the layer's three matrix products (a 400 x 400
layer's take about 22 ms at the 180 GFLOP/s of ``benchmarks/ceiling.py``). The numba kernels in
``_fused_kernels`` make two passes forward (column moments; normalise, activate and
drop) and two backward (gradient moments; input gradient), with a one-byte keep mask
in between: 1.5-2.4 ms instead of 5.3 (``benchmarks/kernels.py``).

The dropout bits come from SplitMix64 (Steele et al., 2014) evaluated at each
position: output ``k`` of the stream seeded by ``seed`` is ``mix(seed + k * golden)``,
so any row can draw its bits independently of the others, in parallel. Each 64-bit
output gives four 16-bit draws, quantised exactly as ``Dropout`` quantises ``p``;
the seed comes from torch's default generator, so ``torch.manual_seed`` makes the
masks reproducible. Used by ``MLP`` in training on CPU for float32 batches; CUDA,
``torch.compile``, eval mode and other dtypes keep torch's own modules.
"""

from __future__ import annotations

import importlib
from functools import cache

import numpy as np
import torch
from torch import nn

from ctrflow.models.layers.dropout import drop_threshold

_LEVELS = 1 << 16


@cache
def _kernels():
    """``_fused_kernels``, imported on first use (it imports numba)."""
    return importlib.import_module("ctrflow.models.layers._fused_kernels")


class _BatchNormReLUDropout(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias, moments, threshold):  # noqa: PLR0917
        mean, inv_std = moments
        scale = weight.detach().numpy().astype(np.float64) * inv_std
        shift = bias.detach().numpy() - mean * scale
        keep_scale = np.float32(_LEVELS / (_LEVELS - threshold))
        seed = int(torch.randint(0, 2**62, (), dtype=torch.int64))
        out = torch.empty_like(x)
        keep = torch.empty(x.shape, dtype=torch.bool)
        # numba's threads were set by the moments call just before, on this thread
        _kernels().forward(
            x.detach().numpy(), scale.astype(np.float32), shift.astype(np.float32),
            seed, threshold, keep_scale, out.numpy(), keep.numpy(),
        )  # fmt: skip
        ctx.save_for_backward(x, keep)
        ctx.statistics = (
            mean.astype(np.float32), inv_std.astype(np.float32),
            scale.astype(np.float32), keep_scale,
        )  # fmt: skip
        return out

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        x, keep = ctx.saved_tensors
        mean, inv_std, coefficient, keep_scale = ctx.statistics
        kernels = _kernels()
        kernels.use_torch_threads()
        rows = x.shape[0]
        grad_np = grad.contiguous().numpy()
        x_np, keep_np = x.detach().numpy(), keep.numpy()
        sums, products = kernels.gradient_moments(
            grad_np, x_np, keep_np, mean, inv_std, keep_scale, kernels.REDUCTION_CHUNKS
        )
        dx = torch.empty_like(x)
        kernels.backward(
            grad_np, x_np, keep_np, mean, inv_std, coefficient,
            (sums / rows).astype(np.float32), (products / rows).astype(np.float32),
            keep_scale, dx.numpy(),
        )  # fmt: skip
        weight_grad = torch.from_numpy(products.astype(np.float32))
        bias_grad = torch.from_numpy(sums.astype(np.float32))
        return dx, weight_grad, bias_grad, None, None


def can_fuse(x: torch.Tensor, norm: nn.BatchNorm1d) -> bool:
    """Whether ``batch_norm_relu_dropout`` applies: training a float32 (B, D) batch
    of more than one row on CPU, eagerly."""
    return (
        norm.training
        and x.device.type == "cpu"
        and x.dtype == torch.float32
        and x.dim() == 2
        and x.shape[0] > 1  # torch's own error for one row stays torch's
        and not torch.compiler.is_compiling()
    )


def batch_norm_relu_dropout(
    x: torch.Tensor, norm: nn.BatchNorm1d, p: float = 0.0
) -> torch.Tensor:
    """``dropout(relu(norm(x)), p)`` in training mode, fused (see the module docs).

    Updates ``norm``'s running statistics and batch count as ``nn.BatchNorm1d``
    does (running variance unbiased, ``momentum=None`` a cumulative average).

    Args:
        x: (B, D) float32 on CPU; ``can_fuse(x, norm)`` must hold.
        norm: the block's batch-norm (its weight, bias, eps, momentum, buffers).
        p: dropout probability, quantised as ``Dropout`` quantises it.

    Example::

        >>> norm = nn.BatchNorm1d(3).train()
        >>> batch_norm_relu_dropout(torch.randn(8, 3), norm, 0.2).shape
        torch.Size([8, 3])
    """
    rows = x.shape[0]
    kernels = _kernels()
    kernels.use_torch_threads()
    sums, squares = kernels.column_moments(x.detach().numpy(), kernels.REDUCTION_CHUNKS)
    mean = sums / rows
    variance = np.maximum(squares / rows - mean * mean, 0.0)
    if norm.track_running_stats:
        _update_running_statistics(norm, mean, variance, rows)
    weight = norm.weight if norm.weight is not None else torch.ones(x.shape[1])
    bias = norm.bias if norm.bias is not None else torch.zeros(x.shape[1])
    moments = (mean, 1.0 / np.sqrt(variance + norm.eps))
    return _BatchNormReLUDropout.apply(x, weight, bias, moments, drop_threshold(p))


def _update_running_statistics(
    norm: nn.BatchNorm1d, mean: np.ndarray, variance: np.ndarray, rows: int
) -> None:
    norm.num_batches_tracked.add_(1)
    if norm.momentum is None:  # cumulative moving average
        factor = 1.0 / float(norm.num_batches_tracked)
    else:
        factor = norm.momentum
    unbiased = variance * (rows / (rows - 1))
    with torch.no_grad():
        norm.running_mean.lerp_(torch.from_numpy(mean).to(torch.float32), factor)
        norm.running_var.lerp_(torch.from_numpy(unbiased).to(torch.float32), factor)
