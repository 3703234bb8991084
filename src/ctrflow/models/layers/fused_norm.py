"""Batch-norm, ReLU and dropout fused into two passes each way on CPU.

An MLP block ``BatchNorm1d -> ReLU -> Dropout`` in eager torch reads and writes the
whole activation about ten times per training step (batch-norm's statistics,
normalisation and its two backward passes, ReLU and its backward, the dropout mask
and its two multiplies): on a 4096 x 400 activation that costs 6-7 ms per layer on
two cores, as much as the layer's matrix products. These numba kernels make two
passes forward (column moments; normalise, activate and drop) and two backward
(gradient moments; input gradient), with a one-byte keep mask in between: about
2.8 ms.

The dropout bits come from SplitMix64 (Steele et al., 2014) evaluated at each
position: output ``k`` of the stream seeded by ``seed`` is ``mix(seed + k * golden)``,
so any row can draw its bits independently of the others, in parallel. Each 64-bit
output gives four 16-bit draws, quantised exactly as ``Dropout`` quantises ``p``;
the seed comes from torch's default generator, so ``torch.manual_seed`` makes the
masks reproducible. Used by ``MLP`` in training on CPU for float32 batches; CUDA,
``torch.compile``, eval mode and other dtypes keep torch's own modules.
"""

from __future__ import annotations

import numba
import numpy as np
import torch
from torch import nn

from ctrflow.models.layers.dropout import drop_threshold

_LEVELS = 1 << 16
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment


# The kernels take their arrays positionally: numba has no keyword-only arguments.
@numba.njit(inline="always")
def _splitmix64(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit(parallel=True, fastmath=True, cache=True)
def _column_moments(x, chunks):
    """Per-column sums of ``x`` and ``x**2`` in float64, rows split into chunks."""
    rows, columns = x.shape
    sums = np.zeros((chunks, columns))
    squares = np.zeros((chunks, columns))
    step = (rows + chunks - 1) // chunks
    for chunk in numba.prange(chunks):
        total, total_sq = sums[chunk], squares[chunk]
        for i in range(chunk * step, min(rows, (chunk + 1) * step)):
            for j in range(columns):
                value = np.float64(x[i, j])
                total[j] += value
                total_sq[j] += value * value
    return sums.sum(0), squares.sum(0)


@numba.njit(inline="always")
def _relu_drop(value, bits, quarter, threshold, keep_scale):
    """``(output, kept)`` for one element given its word of random bits."""
    draw = (bits >> np.uint64(16 * quarter)) & np.uint64(0xFFFF)
    kept = (value > 0) & (draw >= threshold)  # no short-circuit branch: vectorisable
    return value * keep_scale * kept, kept


@numba.njit(parallel=True, fastmath=True, cache=True)
def _forward(x, scale, shift, seed, threshold, keep_scale, out, keep):  # noqa: PLR0917
    """``out = relu(x * scale + shift) * keep_scale`` where kept; ``keep`` records it."""
    rows, columns = x.shape
    full_words = columns // 4
    for i in numba.prange(rows):
        row_start = np.uint64(seed) + np.uint64(i * ((columns + 3) // 4)) * _GOLDEN
        for word in range(full_words):  # a fixed 4-element inner loop, unrolled
            bits = _splitmix64(row_start + np.uint64(word) * _GOLDEN)
            for quarter in range(4):
                j = word * 4 + quarter
                value = x[i, j] * scale[j] + shift[j]
                out[i, j], keep[i, j] = _relu_drop(
                    value, bits, quarter, threshold, keep_scale
                )
        bits = _splitmix64(row_start + np.uint64(full_words) * _GOLDEN)
        for j in range(full_words * 4, columns):  # a ragged end of 1-3 columns
            value = x[i, j] * scale[j] + shift[j]
            out[i, j], keep[i, j] = _relu_drop(
                value, bits, j - full_words * 4, threshold, keep_scale
            )


@numba.njit(parallel=True, fastmath=True, cache=True)
def _gradient_moments(grad, x, keep, mean, inv_std, keep_scale, chunks):  # noqa: PLR0917
    """Per-column sums of the gradient at the batch-norm output, ``g``, and of
    ``g * x_hat``: the bias and weight gradients."""
    rows, columns = x.shape
    sums = np.zeros((chunks, columns))
    products = np.zeros((chunks, columns))
    step = (rows + chunks - 1) // chunks
    for chunk in numba.prange(chunks):
        total, total_product = sums[chunk], products[chunk]
        for i in range(chunk * step, min(rows, (chunk + 1) * step)):
            for j in range(columns):
                g = np.float64(grad[i, j] * keep_scale * keep[i, j])
                total[j] += g
                total_product[j] += g * (x[i, j] - mean[j]) * inv_std[j]
    return sums.sum(0), products.sum(0)


@numba.njit(parallel=True, fastmath=True, cache=True)
def _backward(  # noqa: PLR0917
    grad, x, keep, mean, inv_std, coefficient, mean_g, mean_gx, keep_scale, dx
):
    """Batch-norm's input gradient: ``w / std * (g - mean(g) - x_hat * mean(g x_hat))``."""
    rows, columns = x.shape
    for i in numba.prange(rows):
        for j in range(columns):
            g = grad[i, j] * keep_scale * keep[i, j]
            x_hat = (x[i, j] - mean[j]) * inv_std[j]
            dx[i, j] = coefficient[j] * (g - mean_g[j] - x_hat * mean_gx[j])


def _use_torch_threads() -> int:
    threads = max(1, min(torch.get_num_threads(), numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(threads)
    return threads


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
        _use_torch_threads()
        _forward(
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
        threads = _use_torch_threads()
        rows = x.shape[0]
        grad_np = grad.contiguous().numpy()
        x_np, keep_np = x.detach().numpy(), keep.numpy()
        sums, products = _gradient_moments(
            grad_np, x_np, keep_np, mean, inv_std, keep_scale, threads
        )
        dx = torch.empty_like(x)
        _backward(
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
    sums, squares = _column_moments(x.detach().numpy(), _use_torch_threads())
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
