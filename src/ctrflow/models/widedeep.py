"""Wide & Deep (Cheng et al., DLRS 2016): LR (wide) plus an MLP (deep)."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import WideDeepConfig
from ctrflow.models.layers import MLP, FeatureEmbedding, FieldSpec, LinearTerm


class WideDeep(nn.Module):
    """``logit = LR(x) + MLP(flatten(E x))``.

    Example::

        >>> import torch
        >>> model = WideDeep(FieldSpec(100, 3, 2), WideDeepConfig(hidden_units=[16]))
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: WideDeepConfig) -> None:
        super().__init__()
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.linear = LinearTerm(spec)
        self.mlp = MLP(
            spec.num_fields * config.embedding_dim,
            config.hidden_units,
            output_dim=1,
            dropout=config.net_dropout,
            batch_norm=config.batch_norm,
        )

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        vectors = self.embedding(ids, numerics)  # B x F x D
        deep = self.mlp(vectors.flatten(start_dim=1)).squeeze(-1)  # B
        return ModelOutput(self.linear(ids, numerics) + deep)
