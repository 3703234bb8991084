"""Inverted dropout with cheap masks on CPU.

On CPU, ``torch.nn.Dropout`` draws its Bernoulli mask with torch's Mersenne-Twister
generator, element by element, and then needs three more passes (scale, cast,
multiply): on a 4096 x 400 activation that costs about as much as the layer's
matrix product. Here the mask comes from 16 random bits per element, raw PCG64
output words drawn by numpy in bulk (about ten times faster), turned into a float
mask of 0 / scale and applied with one multiply forward and one backward.
Elsewhere (CUDA, ``torch.compile``) torch's own fused dropout is used as is.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

_LEVELS = 1 << 16  # a mask element is one uniform 16-bit draw


def drop_threshold(p: float) -> int:
    """The 16-bit draws below this are dropped: ``round(p * 2**16)``, so the drop
    rate is ``p`` to within 2**-17 (0.2 -> 0.199997)."""
    return int(round(p * _LEVELS))


def _draws(shape: torch.Size) -> np.ndarray:
    """Uniform 16-bit draws of ``shape``: each one quarter of a raw PCG64 output word
    (the cheapest bulk draw numpy has), the generator seeded from torch's default
    generator so that ``torch.manual_seed`` makes masks reproducible exactly as it
    does for torch's own dropout."""
    seed = int(torch.randint(0, 2**62, (), dtype=torch.int64))
    count = int(np.prod(shape, dtype=np.int64))
    words = np.random.PCG64(seed).random_raw(-(-count // 4))  # 4 draws per word
    return words.view(np.uint16)[:count].reshape(tuple(shape))


def cpu_drop_mask(shape: torch.Size, p: float) -> torch.Tensor:
    """A bool mask, True = dropped, each element independently with probability
    ``drop_threshold(p) / 2**16``."""
    return torch.from_numpy(_draws(shape) < drop_threshold(p))


_NUMPY_FLOATS = {torch.float32: np.float32, torch.float64: np.float64}


def _scaled_keep_mask(shape: torch.Size, p: float, dtype: torch.dtype) -> torch.Tensor:
    """0 where dropped, ``1 / keep rate`` (of the quantised p) where kept, so the
    expected output equals the input. Built by numpy in one pass into the float
    array: several times faster than torch's not / cast / scale passes."""
    threshold = drop_threshold(p)
    scale = _LEVELS / (_LEVELS - threshold)
    if dtype not in _NUMPY_FLOATS:
        return (~cpu_drop_mask(shape, p)).to(dtype).mul_(scale)
    mask = np.empty(tuple(shape), dtype=_NUMPY_FLOATS[dtype])
    np.greater_equal(_draws(shape), threshold, out=mask)
    mask *= scale
    return torch.from_numpy(mask)


class _CPUDropout(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, p: float) -> torch.Tensor:
        # one multiply each way, which CPU torch runs multi-threaded and vectorised
        # (masked_fill and where are ~10x slower)
        mask = _scaled_keep_mask(x.shape, p, x.dtype)
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        (mask,) = ctx.saved_tensors
        return grad * mask, None


class Dropout(nn.Module):
    """Drop-in for ``nn.Dropout`` (inverted dropout: kept elements scaled by
    1 / keep rate; identity in eval mode), with fast masks on CPU.

    Args:
        p: drop probability, in [0, 1). On CPU it is quantised to a multiple of
            2**-16 (see ``drop_threshold``); the scale matches the quantised rate.

    Example::

        >>> layer = Dropout(0.2).eval()
        >>> bool((layer(torch.ones(3)) == 1).all())
        True
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        if (
            x.device.type != "cpu"
            or drop_threshold(self.p) == 0
            or torch.compiler.is_compiling()  # numpy masks would break the graph
        ):
            return F.dropout(x, self.p, training=True)
        return _CPUDropout.apply(x, self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}"
