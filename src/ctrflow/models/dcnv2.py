"""DCN-V2 (Wang et al., WWW 2021): full-rank or low-rank-mixture cross network,
stacked with and/or parallel to an MLP."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import DCNv2Config
from ctrflow.models.layers import (
    MLP,
    CrossNetMix,
    CrossNetV2,
    FeatureEmbedding,
    FieldSpec,
    xavier_init_,
)


class DCNv2(nn.Module):
    """``logit = w^T h + b`` with, for ``x_0 = flatten(E x)`` and ``c = Cross(x_0)``:
    ``h = c`` (crossnet_only), ``MLP_s(c)`` (stacked), ``[c; MLP_p(x_0)]``
    (parallel) or ``[MLP_s(c); MLP_p(x_0)]`` (stacked_parallel).

    Example::

        >>> config = DCNv2Config(parallel_dnn_hidden_units=[16], num_cross_layers=2)
        >>> model = DCNv2(FieldSpec(100, 3, 2), config)
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: DCNv2Config) -> None:
        super().__init__()
        input_dim = spec.num_fields * config.embedding_dim
        structure = config.model_structure
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.cross = (
            CrossNetMix(
                input_dim, config.num_cross_layers, config.low_rank, config.num_experts
            )
            if config.use_low_rank_mixture
            else CrossNetV2(input_dim, config.num_cross_layers)
        )

        def _mlp(hidden_units: list[int]) -> MLP:
            return MLP(
                input_dim,
                hidden_units,
                output_dim=None,
                dropout=config.net_dropout,
                batch_norm=config.batch_norm,
            )

        self.stacked = (
            _mlp(config.stacked_dnn_hidden_units) if "stacked" in structure else None
        )
        self.parallel = (
            _mlp(config.parallel_dnn_hidden_units) if "parallel" in structure else None
        )
        final_dim = (
            config.stacked_dnn_hidden_units[-1] if self.stacked else input_dim
        ) + (config.parallel_dnn_hidden_units[-1] if self.parallel else 0)
        self.head = nn.Linear(final_dim, 1)
        xavier_init_(self.head)

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        x0 = self.embedding(ids, numerics).flatten(start_dim=1)  # B x FD
        out = self.cross(x0)  # B x FD
        if self.stacked is not None:
            out = self.stacked(out)  # B x Hs
        if self.parallel is not None:
            out = torch.cat([out, self.parallel(x0)], dim=-1)  # B x (. + Hp)
        return ModelOutput(self.head(out).squeeze(-1))
