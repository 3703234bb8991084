"""IPNN (Qu et al., ICDM 2016): an MLP over the field embeddings and their pairwise
inner products."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import IPNNConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FieldSpec,
    InnerProductInteraction,
)


class IPNN(nn.Module):
    """``logit = MLP([flatten(E x); <v_i, v_j>_{i<j}])``.

    Example::

        >>> model = IPNN(FieldSpec(100, 3, 2), IPNNConfig(hidden_units=[16]))
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: IPNNConfig) -> None:
        super().__init__()
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.inner_product = InnerProductInteraction(spec.num_fields)
        self.mlp = MLP(
            spec.num_fields * config.embedding_dim + self.inner_product.num_pairs,
            config.hidden_units,
            output_dim=1,
            dropout=config.net_dropout,
            batch_norm=config.batch_norm,
        )

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        vectors = self.embedding(ids, numerics)  # B x F x D
        products = self.inner_product(vectors)  # B x P
        features = torch.cat([vectors.flatten(start_dim=1), products], dim=-1)
        return ModelOutput(self.mlp(features).squeeze(-1))
