"""FiBiNET (Huang et al., RecSys 2019): SENET field re-weighting and bilinear
interactions, then an MLP."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import FiBiNETConfig
from ctrflow.models.layers import (
    MLP,
    BilinearInteraction,
    FeatureEmbedding,
    FieldSpec,
    LinearTerm,
    SqueezeExcitation,
)


class FiBiNET(nn.Module):
    """``logit = LR(x) + MLP([Bilinear(E x); Bilinear(SENET(E x))])``, one
    bilinear layer shared by both inputs (as in FuxiCTR).

    Example::

        >>> model = FiBiNET(FieldSpec(100, 3, 2), FiBiNETConfig(hidden_units=[16]))
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
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

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        vectors = self.embedding(ids, numerics)  # B x F x D
        plain = self.bilinear(vectors)  # B x P x D
        reweighted = self.bilinear(self.senet(vectors))  # B x P x D
        pairs = torch.cat([plain, reweighted], dim=1).flatten(start_dim=1)  # B x 2PD
        return ModelOutput(self.linear(ids, numerics) + self.mlp(pairs).squeeze(-1))
