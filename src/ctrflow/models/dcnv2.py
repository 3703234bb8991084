"""DCN-V2 (Wang et al., WWW 2021): full-rank or low-rank-mixture cross network,
stacked with and/or parallel to an MLP."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field, PositiveInt
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    CrossNetMix,
    CrossNetV2,
    FeatureEmbedding,
    FieldSpec,
    xavier_init_,
)


class DCNv2Config(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned DCN-V2 (``DCNv2_frappe_x1``,
    test AUC 0.9845; ``embedding_regularizer: 0.05``).

    ``model_structure``: ``crossnet_only`` (BARS' CrossNet-V2), ``stacked`` (MLP on
    the cross output), ``parallel`` (cross and MLP side by side) or
    ``stacked_parallel`` (both MLPs). ``use_low_rank_mixture`` swaps the full-rank
    cross for ``num_experts`` rank-``low_rank`` experts.
    """

    embedding_dim: int = Field(10, ge=1)
    model_structure: Literal[
        "crossnet_only", "stacked", "parallel", "stacked_parallel"
    ] = "parallel"
    use_low_rank_mixture: bool = False
    low_rank: int = Field(32, ge=1)
    num_experts: int = Field(4, ge=1)
    num_cross_layers: int = Field(4, ge=1)
    stacked_dnn_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [500, 500, 500], min_length=1
    )
    parallel_dnn_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [400, 400, 400], min_length=1
    )
    net_dropout: float = Field(0.4, ge=0, lt=1)
    batch_norm: bool = True


class DCNv2(nn.Module):
    """``logit = w^T h + b`` with, for ``x_0 = flatten(E x)`` and ``c = Cross(x_0)``:
    ``h = c`` (crossnet_only), ``MLP_s(c)`` (stacked), ``[c; MLP_p(x_0)]``
    (parallel) or ``[MLP_s(c); MLP_p(x_0)]`` (stacked_parallel).

    Example::

        >>> config = DCNv2Config(parallel_dnn_hidden_units=[16], num_cross_layers=2)
        >>> model = DCNv2(FieldSpec(100, 3, 2), config)
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
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

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        x0 = self.embedding(ids, numerics).flatten(start_dim=1)  # B x FD
        out = self.cross(x0)  # B x FD
        if self.stacked is not None:
            out = self.stacked(out)  # B x Hs
        if self.parallel is not None:
            out = torch.cat([out, self.parallel(x0)], dim=-1)  # B x (. + Hp)
        return self.head(out).squeeze(-1)
