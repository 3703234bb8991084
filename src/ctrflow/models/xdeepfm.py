"""xDeepFM (Lian et al., KDD 2018): LR + CIN + MLP over shared field embeddings."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import xDeepFMConfig
from ctrflow.models.layers import (
    MLP,
    CompressedInteractionNet,
    FeatureEmbedding,
    FieldSpec,
    LinearTerm,
    xavier_init_,
)


class xDeepFM(nn.Module):
    """``logit = LR(x) + w^T CIN(E x) + MLP(flatten(E x))``.

    Example::

        >>> import torch
        >>> config = xDeepFMConfig(dnn_hidden_units=[16], cin_hidden_units=[4, 4])
        >>> model = xDeepFM(FieldSpec(100, 3, 2), config)
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
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

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        vectors = self.embedding(ids, numerics)  # B x F x D
        logit = self.linear(ids, numerics) + self.cin_head(self.cin(vectors)).squeeze(
            -1
        )
        if self.mlp is not None:
            logit = logit + self.mlp(vectors.flatten(start_dim=1)).squeeze(-1)
        return ModelOutput(logit)
