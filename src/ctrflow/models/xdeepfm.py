"""xDeepFM (Lian et al., KDD 2018): LR + CIN + MLP over shared field embeddings."""

from __future__ import annotations

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    CompressedInteractionNet,
    FeatureEmbedding,
    FieldSpec,
    LinearTerm,
    xavier_init_,
)


class xDeepFMConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned xDeepFM
    (``xDeepFM_frappe_x1``, test AUC 0.9845; ``embedding_regularizer: 0.1``).
    FuxiCTR 1.1 called ``cin_hidden_units`` ``cin_layer_units``;
    ``dnn_hidden_units: []`` gives LR + CIN (BARS' ``CIN``)."""

    embedding_dim: int = Field(10, ge=1)
    dnn_hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    cin_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [64], min_length=1
    )
    net_dropout: float = Field(0.2, ge=0, lt=1)
    batch_norm: bool = True


class xDeepFM(nn.Module):
    """``logit = LR(x) + w^T CIN(E x) + MLP(flatten(E x))``.

    Example::

        >>> config = xDeepFMConfig(dnn_hidden_units=[16], cin_hidden_units=[4, 4])
        >>> model = xDeepFM(FieldSpec(100, 3, 2), config)
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: xDeepFMConfig) -> None:
        super().__init__()
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.linear = LinearTerm(spec)
        self.cin = CompressedInteractionNet(spec.num_fields, config.cin_hidden_units)
        self.cin_head = nn.Linear(self.cin.output_dim, 1)
        xavier_init_(self.cin_head)
        self.mlp = (
            MLP(
                spec.num_fields * config.embedding_dim,
                config.dnn_hidden_units,
                output_dim=1,
                dropout=config.net_dropout,
                batch_norm=config.batch_norm,
            )
            if config.dnn_hidden_units
            else None
        )

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        logit = self.linear(ids, numerics) + self.cin_head(self.cin(vectors)).squeeze(
            -1
        )
        if self.mlp is not None:
            logit = logit + self.mlp(vectors.flatten(start_dim=1)).squeeze(-1)
        return logit
