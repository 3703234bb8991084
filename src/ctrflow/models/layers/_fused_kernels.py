"""The numba kernels behind ``fused_norm`` (see its docs), in a module of their own
so that importing the models does not import numba (0.3 s, 55 MB): ``fused_norm``
loads this on the first fused call, and numba compiles the kernels once per install
(about 6 s) and caches them in ``__pycache__``.

Reproducible by construction (docs/architecture.md, "Reproducibility"):

- no ``fastmath``: numba optimises a ``prange`` body twice when it caches it (once
  alone, again linked into its caller) but runs the once-optimised copy in the
  process that compiled it; with fast-math flags the second pass re-associates
  (``backward``'s ``g - mean_g - x_hat * mean_gx`` rounded differently), so a run
  that compiled the kernels trained another model than every run that loaded
  them. Without the flags LLVM may not change a rounding: both copies compute the
  same bits, and the loops vectorise as before (the same packed instructions).
- reductions over a fixed number of row chunks (``REDUCTION_CHUNKS``), each summed
  in order by one thread, then the chunks in order: the sums do not depend on
  the thread count or on which thread ran which chunk.
"""

from __future__ import annotations

import numba
import numpy as np
import torch

GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment
# row chunks of the column sums, whatever the thread count (up to this many
# threads share the work; 32 x 400 float64 partial sums cost nothing)
REDUCTION_CHUNKS = 32


# The kernels take their arrays positionally: numba has no keyword-only arguments.
@numba.njit(inline="always")
def splitmix64(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit(inline="always")
def _sum_chunks(partial):
    """Row 0 + row 1 + ... of ``partial``, in that order (no parallel reduction)."""
    total = partial[0].copy()
    for chunk in range(1, partial.shape[0]):
        for j in range(partial.shape[1]):
            total[j] += partial[chunk, j]
    return total


@numba.njit(parallel=True, cache=True)
def column_moments(x, chunks):
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
    return _sum_chunks(sums), _sum_chunks(squares)


@numba.njit(inline="always")
def relu_drop(value, bits, quarter, threshold, keep_scale):
    """``(output, kept)`` for one element given its word of random bits."""
    draw = (bits >> np.uint64(16 * quarter)) & np.uint64(0xFFFF)
    kept = (value > 0) & (draw >= threshold)  # no short-circuit branch: vectorisable
    return value * keep_scale * kept, kept


@numba.njit(parallel=True, cache=True)
def forward(x, scale, shift, seed, threshold, keep_scale, out, keep):  # noqa: PLR0917
    """``out = relu(x * scale + shift) * keep_scale`` where kept; ``keep`` records it."""
    rows, columns = x.shape
    full_words = columns // 4
    for i in numba.prange(rows):
        row_start = np.uint64(seed) + np.uint64(i * ((columns + 3) // 4)) * GOLDEN
        for word in range(full_words):  # a fixed 4-element inner loop, unrolled
            bits = splitmix64(row_start + np.uint64(word) * GOLDEN)
            for quarter in range(4):
                j = word * 4 + quarter
                value = x[i, j] * scale[j] + shift[j]
                out[i, j], keep[i, j] = relu_drop(
                    value, bits, quarter, threshold, keep_scale
                )
        bits = splitmix64(row_start + np.uint64(full_words) * GOLDEN)
        for j in range(full_words * 4, columns):  # a ragged end of 1-3 columns
            value = x[i, j] * scale[j] + shift[j]
            out[i, j], keep[i, j] = relu_drop(
                value, bits, j - full_words * 4, threshold, keep_scale
            )


@numba.njit(parallel=True, cache=True)
def gradient_moments(grad, x, keep, mean, inv_std, keep_scale, chunks):  # noqa: PLR0917
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
    return _sum_chunks(sums), _sum_chunks(products)


@numba.njit(parallel=True, cache=True)
def backward(  # noqa: PLR0917
    grad, x, keep, mean, inv_std, coefficient, mean_g, mean_gx, keep_scale, dx
):
    """Batch-norm's input gradient: ``w / std * (g - mean(g) - x_hat * mean(g x_hat))``."""
    rows, columns = x.shape
    for i in numba.prange(rows):
        for j in range(columns):
            g = grad[i, j] * keep_scale * keep[i, j]
            x_hat = (x[i, j] - mean[j]) * inv_std[j]
            dx[i, j] = coefficient[j] * (g - mean_g[j] - x_hat * mean_gx[j])


def use_torch_threads() -> int:
    """numba's thread count set to torch's (the trainer's ``num_threads``).

    Launching numba's ``omp`` pool (the first ``set_num_threads``) sets torch's
    OpenMP thread count to numba's pool size (both pools are libgomp's): torch's
    is put back, or one thread asked for (a core left to a busy
    process) became two again at the first fused call (15k instead of 26k
    samples/s beside a busy loop, ``benchmarks/shared_cores.py``)."""
    wanted = torch.get_num_threads()
    threads = max(1, min(wanted, numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(threads)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
    return threads
