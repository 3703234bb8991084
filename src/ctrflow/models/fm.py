"""Factorization machine (Rendle, ICDM 2010): LR plus pairwise field interactions."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import FMConfig
from ctrflow.models.layers import FeatureEmbedding, FieldSpec, FMInteraction, LinearTerm


class FM(nn.Module):
    """``logit = b + sum_i w_i + sum_{i<j} <v_i, v_j>``.

    Example::

        >>> import torch
        >>> model = FM(FieldSpec(100, 3, 2), FMConfig(embedding_dim=4))
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: FMConfig) -> None:
        super().__init__()
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.linear = LinearTerm(spec)
        self.fm = FMInteraction()

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        vectors = self.embedding(ids, numerics)  # B x F x D
        return ModelOutput(self.linear(ids, numerics) + self.fm(vectors))
