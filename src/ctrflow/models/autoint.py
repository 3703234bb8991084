"""AutoInt+ (Song et al., CIKM 2019): stacked multi-head self-attention over the
fields, plus an MLP (the "+")."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import AutoIntPlusConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FieldSpec,
    LinearTerm,
    MultiHeadSelfAttention,
    xavier_init_,
)


class AutoIntPlus(nn.Module):
    """``logit = w^T flatten(Attn^L(E x)) + MLP(flatten(E x)) [+ LR(x)]``.

    Example::

        >>> import torch
        >>> config = AutoIntPlusConfig(dnn_hidden_units=[16], attention_layers=2,
        ...                            attention_dim=8, num_heads=2)
        >>> model = AutoIntPlus(FieldSpec(100, 3, 2), config)
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: AutoIntPlusConfig) -> None:
        super().__init__()
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.attention = nn.Sequential(
            *(
                MultiHeadSelfAttention(
                    config.embedding_dim if layer == 0 else config.attention_dim,
                    attention_dim=config.attention_dim,
                    num_heads=config.num_heads,
                    dropout=config.net_dropout,
                    use_scale=config.use_scale,
                    use_residual=config.use_residual,
                    layer_norm=config.layer_norm,
                )
                for layer in range(config.attention_layers)
            )
        )
        self.attention_head = nn.Linear(spec.num_fields * config.attention_dim, 1)
        xavier_init_(self.attention_head)
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
        self.linear = LinearTerm(spec) if config.use_wide else None

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        vectors = self.embedding(ids, numerics)  # B x F x D
        attended = self.attention(vectors).flatten(start_dim=1)  # B x F*A
        logit = self.attention_head(attended).squeeze(-1)
        if self.mlp is not None:
            logit = logit + self.mlp(vectors.flatten(start_dim=1)).squeeze(-1)
        if self.linear is not None:
            logit = logit + self.linear(ids, numerics)
        return ModelOutput(logit)
