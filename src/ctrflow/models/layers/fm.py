"""Factorization-machine terms: the first-order linear part and pairwise interactions."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.layers.embedding import FeatureEmbedding, FieldSpec


class LinearTerm(nn.Module):
    """First-order term ``b + sum_i w_{x_i}`` (logistic regression on the fields).

    Args:
        spec: sizes of the input.

    Example::

        >>> lr = LinearTerm(FieldSpec(100, 3, 2))
        >>> lr(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.weights = FeatureEmbedding(spec, embedding_dim=1)
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Returns [B]."""
        return self.weights(ids, numerics).sum(dim=(1, 2)) + self.bias


class FMInteraction(nn.Module):
    """Second-order FM term over field vectors (Rendle, ICDM 2010).

    ``sum_{i<j} <v_i, v_j> = 0.5 * sum_d ((sum_i v_id)^2 - sum_i v_id^2)``, computed
    in O(F·D) instead of O(F²·D).

    Example::

        >>> FMInteraction()(torch.ones(2, 3, 4))  # 3 pairs x <1,1> of dim 4
        tensor([12., 12.])
    """

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """Args: vectors [B, F, D]. Returns [B]."""
        square_of_sum = vectors.sum(dim=1).pow(2)  # B x D
        sum_of_square = vectors.pow(2).sum(dim=1)  # B x D
        return 0.5 * (square_of_sum - sum_of_square).sum(dim=1)
