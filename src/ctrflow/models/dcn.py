"""DCN (Wang et al., ADKDD 2017): a cross network and an MLP side by side."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import DCNConfig
from ctrflow.models.layers import (
    MLP,
    CrossNet,
    FeatureEmbedding,
    FieldSpec,
    xavier_init_,
)


class DCN(nn.Module):
    """``logit = w^T [CrossNet(x_0); MLP(x_0)] + b`` with ``x_0 = flatten(E x)``.

    Example::

        >>> model = DCN(FieldSpec(100, 3, 2), DCNConfig(dnn_hidden_units=[16]))
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
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

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        x0 = self.embedding(ids, numerics).flatten(start_dim=1)  # B x FD
        parts = [self.cross(x0)]  # B x FD
        if self.mlp is not None:
            parts.append(self.mlp(x0))  # B x H
        return ModelOutput(self.head(torch.cat(parts, dim=-1)).squeeze(-1))
