"""FCN / DCNv3 (Li et al., 2024): an exponential and a linear cross network,
their logits averaged; no MLP."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    ExponentialCrossNetwork,
    FeatureEmbedding,
    FieldSpec,
    LinearCrossNetwork,
    xavier_init_,
)


class FCNConfig(ModelConfig):
    """FuxiCTR's DCNv3 names and defaults (``model_zoo/DCNv3``, as remembered: no
    BARS Frappe_x1 run exists) with BARS' x1 ``embedding_dim: 10``.

    FuxiCTR trains FCN with its Tri-BCE loss (the averaged logit's loss plus
    adaptively weighted losses of each branch); the trainer here trains on the
    averaged logit only. FuxiCTR's multi-head split (``num_heads``) is not
    implemented (one head).
    """

    embedding_dim: int = Field(10, ge=1)
    num_deep_cross_layers: int = Field(4, ge=1)
    num_shallow_cross_layers: int = Field(4, ge=1)
    deep_net_dropout: float = Field(0.1, ge=0, lt=1)
    shallow_net_dropout: float = Field(0.3, ge=0, lt=1)
    layer_norm: bool = True


class FCN(nn.Module):
    """``logit = (w_d^T ECN(x_0) + w_s^T LCN(x_0)) / 2`` with ``x_0 = flatten(E x)``.

    Example::

        >>> model = FCN(FieldSpec(100, 3, 2), FCNConfig(num_deep_cross_layers=2))
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: FCNConfig) -> None:
        super().__init__()
        input_dim = spec.num_fields * config.embedding_dim
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.deep = ExponentialCrossNetwork(
            input_dim,
            config.num_deep_cross_layers,
            dropout=config.deep_net_dropout,
            layer_norm=config.layer_norm,
        )
        self.shallow = LinearCrossNetwork(
            input_dim,
            config.num_shallow_cross_layers,
            dropout=config.shallow_net_dropout,
            layer_norm=config.layer_norm,
        )
        self.deep_head = nn.Linear(input_dim, 1)
        self.shallow_head = nn.Linear(input_dim, 1)
        xavier_init_(self.deep_head)
        xavier_init_(self.shallow_head)

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        x0 = self.embedding(ids, numerics).flatten(start_dim=1)  # B x FD
        deep = self.deep_head(self.deep(x0)).squeeze(-1)  # B
        shallow = self.shallow_head(self.shallow(x0)).squeeze(-1)  # B
        return 0.5 * (deep + shallow)
