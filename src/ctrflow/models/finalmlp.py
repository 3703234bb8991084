"""FinalMLP (Mao et al., AAAI 2023): two MLP streams over gated copies of the
embeddings, fused by a multi-head bilinear aggregation."""

from __future__ import annotations

import torch
from pydantic import Field, PositiveInt, model_validator
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FeatureGate,
    FieldSpec,
    InteractionAggregation,
)


class FinalMLPConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned FinalMLP
    (``FinalMLP_frappe_x1``, run ``004_e1ab402f``, test AUC 0.9861;
    ``embedding_regularizer: 0.05``).

    BARS conditioned the two gates on the ``user`` and ``item`` embeddings
    (``fs1_context``, ``fs2_context``); the model does not see field names, so here
    both gates use a learned context vector (FuxiCTR's behaviour for an empty
    context list).
    """

    embedding_dim: int = Field(10, ge=1)
    mlp1_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [400], min_length=1
    )
    mlp1_dropout: float = Field(0.4, ge=0, lt=1)
    mlp1_batch_norm: bool = True
    mlp2_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [100], min_length=1
    )
    mlp2_dropout: float = Field(0.4, ge=0, lt=1)
    mlp2_batch_norm: bool = True
    use_fs: bool = True
    fs_hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400])
    num_heads: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _heads_divide_both_streams(self) -> FinalMLPConfig:
        widths = (self.mlp1_hidden_units[-1], self.mlp2_hidden_units[-1])
        if any(width % self.num_heads for width in widths):
            raise ValueError(
                f"num_heads {self.num_heads} must divide the last widths of "
                f"mlp1_hidden_units and mlp2_hidden_units {widths}"
            )
        return self


class FinalMLP(nn.Module):
    """``logit = Agg(MLP_1(x * g_1), MLP_2(x * g_2))`` with ``x = flatten(E x)``,
    gates ``g_k = 2 sigmoid(MLP_gk(c_k))`` (``use_fs``; else ``g_k = 1``) and the
    bilinear aggregation ``Agg`` of ``num_heads`` heads.

    Example::

        >>> config = FinalMLPConfig(mlp1_hidden_units=[8], mlp2_hidden_units=[4],
        ...                         fs_hidden_units=[8], num_heads=2)
        >>> model = FinalMLP(FieldSpec(100, 3, 2), config)
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: FinalMLPConfig) -> None:
        super().__init__()
        dim = config.embedding_dim
        input_dim = spec.num_fields * dim
        self.embedding = FeatureEmbedding(spec, dim)
        self.gate1 = self.gate2 = None
        if config.use_fs:
            self.gate1 = FeatureGate(input_dim, dim, config.fs_hidden_units)
            self.gate2 = FeatureGate(input_dim, dim, config.fs_hidden_units)
        self.mlp1 = MLP(
            input_dim,
            config.mlp1_hidden_units,
            output_dim=None,
            dropout=config.mlp1_dropout,
            batch_norm=config.mlp1_batch_norm,
        )
        self.mlp2 = MLP(
            input_dim,
            config.mlp2_hidden_units,
            output_dim=None,
            dropout=config.mlp2_dropout,
            batch_norm=config.mlp2_batch_norm,
        )
        self.fusion = InteractionAggregation(
            config.mlp1_hidden_units[-1], config.mlp2_hidden_units[-1], config.num_heads
        )

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        flat = self.embedding(ids, numerics).flatten(start_dim=1)  # B x FD
        x1 = flat if self.gate1 is None else self.gate1(flat)  # B x FD
        x2 = flat if self.gate2 is None else self.gate2(flat)  # B x FD
        return self.fusion(self.mlp1(x1), self.mlp2(x2))  # B
