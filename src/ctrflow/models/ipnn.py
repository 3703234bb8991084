"""IPNN (Qu et al., ICDM 2016): an MLP over the field embeddings and their pairwise
inner products."""

from __future__ import annotations

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FieldSpec,
    InnerProductInteraction,
)


class IPNNConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned IPNN (``IPNN_frappe_x1``,
    test AUC 0.9841; ``embedding_regularizer: 0.05``)."""

    embedding_dim: int = Field(10, ge=1)
    hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    net_dropout: float = Field(0.3, ge=0, lt=1)
    batch_norm: bool = False


class IPNN(nn.Module):
    """``logit = MLP([flatten(E x); <v_i, v_j>_{i<j}])``.

    Example::

        >>> model = IPNN(FieldSpec(100, 3, 2), IPNNConfig(hidden_units=[16]))
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
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

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        products = self.inner_product(vectors)  # B x P
        features = torch.cat([vectors.flatten(start_dim=1), products], dim=-1)
        return self.mlp(features).squeeze(-1)
