"""AutoInt+ (Song et al., CIKM 2019): stacked multi-head self-attention over the
fields, plus an MLP (the "+")."""

from __future__ import annotations

import torch
from pydantic import Field, PositiveInt, model_validator
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FieldSpec,
    LinearTerm,
    MultiHeadSelfAttention,
    xavier_init_,
)


class AutoIntPlusConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned AutoInt+
    (``AutoInt+_frappe_x1``, test AUC 0.9848; ``embedding_regularizer: 0.1``).
    ``dnn_hidden_units: []`` gives plain AutoInt; ``net_dropout`` drops both the
    attention weights and the MLP's units, as in FuxiCTR."""

    embedding_dim: int = Field(10, ge=1)
    dnn_hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    attention_layers: int = Field(5, ge=1)
    attention_dim: int = Field(128, ge=1)
    num_heads: int = Field(4, ge=1)
    use_scale: bool = True
    use_residual: bool = True
    layer_norm: bool = True
    use_wide: bool = False
    net_dropout: float = Field(0.1, ge=0, lt=1)
    batch_norm: bool = True

    @model_validator(mode="after")
    def _heads_divide_attention_dim(self) -> AutoIntPlusConfig:
        if self.attention_dim % self.num_heads:
            raise ValueError(
                f"attention_dim {self.attention_dim} must be a multiple of "
                f"num_heads {self.num_heads}"
            )
        return self


class AutoIntPlus(nn.Module):
    """``logit = w^T flatten(Attn^L(E x)) + MLP(flatten(E x)) [+ LR(x)]``.

    Example::

        >>> config = AutoIntPlusConfig(dnn_hidden_units=[16], attention_layers=2,
        ...                            attention_dim=8, num_heads=2)
        >>> model = AutoIntPlus(FieldSpec(100, 3, 2), config)
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
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

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        attended = self.attention(vectors).flatten(start_dim=1)  # B x F*A
        logit = self.attention_head(attended).squeeze(-1)
        if self.mlp is not None:
            logit = logit + self.mlp(vectors.flatten(start_dim=1)).squeeze(-1)
        if self.linear is not None:
            logit = logit + self.linear(ids, numerics)
        return logit
