"""FiBiNET (Huang et al., RecSys 2019): SENET field re-weighting and bilinear
interactions, then an MLP."""

from __future__ import annotations

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    BilinearInteraction,
    FeatureEmbedding,
    FieldSpec,
    LinearTerm,
    SqueezeExcitation,
)
from ctrflow.models.layers.bilinear import BilinearType


class FiBiNETConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned FiBiNET
    (``FiBiNET_frappe_x1``, test AUC 0.9832; ``embedding_regularizer: 0.05``)."""

    embedding_dim: int = Field(10, ge=1)
    hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    reduction_ratio: float = Field(2, gt=0)
    bilinear_type: BilinearType = "field_all"
    net_dropout: float = Field(0.3, ge=0, lt=1)
    batch_norm: bool = True


class FiBiNET(nn.Module):
    """``logit = LR(x) + MLP([Bilinear(E x); Bilinear(SENET(E x))])``, one
    bilinear layer shared by both inputs (as in FuxiCTR).

    Example::

        >>> model = FiBiNET(FieldSpec(100, 3, 2), FiBiNETConfig(hidden_units=[16]))
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: FiBiNETConfig) -> None:
        super().__init__()
        fields, dim = spec.num_fields, config.embedding_dim
        self.embedding = FeatureEmbedding(spec, dim)
        self.linear = LinearTerm(spec)
        self.senet = SqueezeExcitation(fields, config.reduction_ratio)
        self.bilinear = BilinearInteraction(fields, dim, config.bilinear_type)
        self.mlp = MLP(
            fields * (fields - 1) * dim,  # two sets of F(F-1)/2 pair vectors
            config.hidden_units,
            output_dim=1,
            dropout=config.net_dropout,
            batch_norm=config.batch_norm,
        )

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        plain = self.bilinear(vectors)  # B x P x D
        reweighted = self.bilinear(self.senet(vectors))  # B x P x D
        pairs = torch.cat([plain, reweighted], dim=1).flatten(start_dim=1)  # B x 2PD
        return self.linear(ids, numerics) + self.mlp(pairs).squeeze(-1)
