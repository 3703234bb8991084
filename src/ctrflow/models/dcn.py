"""DCN (Wang et al., ADKDD 2017): a cross network and an MLP side by side."""

from __future__ import annotations

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    CrossNet,
    FeatureEmbedding,
    FieldSpec,
    xavier_init_,
)


class DCNConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned DCN (``DCN_frappe_x1``,
    test AUC 0.9839; ``embedding_regularizer: 0.05``). FuxiCTR 1.1 called
    ``num_cross_layers`` ``crossing_layers``. ``dnn_hidden_units: []`` gives the
    cross network alone (BARS' ``CrossNet``)."""

    embedding_dim: int = Field(10, ge=1)
    dnn_hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    num_cross_layers: int = Field(3, ge=1)
    net_dropout: float = Field(0.2, ge=0, lt=1)
    batch_norm: bool = True


class DCN(nn.Module):
    """``logit = w^T [CrossNet(x_0); MLP(x_0)] + b`` with ``x_0 = flatten(E x)``.

    Example::

        >>> model = DCN(FieldSpec(100, 3, 2), DCNConfig(dnn_hidden_units=[16]))
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: DCNConfig) -> None:
        super().__init__()
        input_dim = spec.num_fields * config.embedding_dim
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.cross = CrossNet(input_dim, config.num_cross_layers)
        self.mlp = (
            MLP(
                input_dim,
                config.dnn_hidden_units,
                output_dim=None,
                dropout=config.net_dropout,
                batch_norm=config.batch_norm,
            )
            if config.dnn_hidden_units
            else None
        )
        final_dim = input_dim + (config.dnn_hidden_units or [0])[-1]
        self.head = nn.Linear(final_dim, 1)
        xavier_init_(self.head)

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        x0 = self.embedding(ids, numerics).flatten(start_dim=1)  # B x FD
        parts = [self.cross(x0)]  # B x FD
        if self.mlp is not None:
            parts.append(self.mlp(x0))  # B x H
        return self.head(torch.cat(parts, dim=-1)).squeeze(-1)
