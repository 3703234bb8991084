"""Factorization machine (Rendle, ICDM 2010): LR plus pairwise field interactions."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import FeatureEmbedding, FieldSpec, FMInteraction, LinearTerm


class FMConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned FM (``FM_frappe_x1``,
    test AUC 0.9671). BARS tuned ``regularizer: 5e-6`` there:
    ``embedding_regularizer: 5.0e-6`` in ``conf/frappe``."""

    embedding_dim: int = Field(10, ge=1)


class FM(nn.Module):
    """``logit = b + sum_i w_i + sum_{i<j} <v_i, v_j>``.

    Example::

        >>> model = FM(FieldSpec(100, 3, 2), FMConfig(embedding_dim=4))
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: FMConfig) -> None:
        super().__init__()
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.linear = LinearTerm(spec)
        self.fm = FMInteraction()

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        return self.linear(ids, numerics) + self.fm(vectors)
