"""DeepFM (Guo et al., IJCAI 2017): FM and a DNN over shared field embeddings."""

from __future__ import annotations

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FieldSpec,
    FMInteraction,
    LinearTerm,
)


class DeepFMConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned DeepFM."""

    embedding_dim: int = Field(10, ge=1)
    hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    net_dropout: float = Field(0.2, ge=0, lt=1)
    batch_norm: bool = True


class DeepFM(nn.Module):
    """``logit = LR(x) + FM(E x) + MLP(flatten(E x))``.

    Example::

        >>> from ctrflow.models.layers import FieldSpec
        >>> model = DeepFM(FieldSpec(100, 3, 2), DeepFMConfig(hidden_units=[16]))
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: DeepFMConfig) -> None:
        super().__init__()
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.linear = LinearTerm(spec)
        self.fm = FMInteraction()
        self.mlp = MLP(
            spec.num_fields * config.embedding_dim,
            config.hidden_units,
            output_dim=1,
            dropout=config.net_dropout,
            batch_norm=config.batch_norm,
        )

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        deep = self.mlp(vectors.flatten(start_dim=1)).squeeze(-1)  # B
        return self.linear(ids, numerics) + self.fm(vectors) + deep
