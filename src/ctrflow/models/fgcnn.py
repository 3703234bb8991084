"""FGCNN (Liu et al., WWW 2019): CNN-generated fields added to the raw ones, then
an IPNN-style MLP over all fields and their inner products."""

from __future__ import annotations

import torch
from pydantic import Field, PositiveInt, model_validator
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FeatureGeneration,
    FieldSpec,
    InnerProductInteraction,
)


class FGCNNConfig(ModelConfig):
    """FuxiCTR's FGCNN names and defaults (``FGCNN_default``, as remembered: no
    BARS Frappe_x1 run exists) with BARS' x1 ``embedding_dim: 10``. The
    4096-2048-1024-512 MLP is costly on CPU; shrink ``dnn_hidden_units`` for quick
    runs. ``share_embedding: false`` gives the generator its own embedding table.
    """

    embedding_dim: int = Field(10, ge=1)
    share_embedding: bool = False
    channels: list[PositiveInt] = Field(default_factory=lambda: [14, 16, 18, 20])
    kernel_heights: list[PositiveInt] = Field(default_factory=lambda: [7, 7, 7, 7])
    pooling_sizes: list[PositiveInt] = Field(default_factory=lambda: [2, 2, 2, 2])
    recombined_channels: list[PositiveInt] = Field(default_factory=lambda: [2, 2, 2, 2])
    conv_batch_norm: bool = True
    dnn_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [4096, 2048, 1024, 512]
    )
    net_dropout: float = Field(0.0, ge=0, lt=1)
    dnn_batch_norm: bool = False

    @model_validator(mode="after")
    def _stages_match(self) -> FGCNNConfig:
        lengths = {
            len(self.channels),
            len(self.kernel_heights),
            len(self.pooling_sizes),
            len(self.recombined_channels),
        }
        if len(lengths) != 1:
            raise ValueError(
                "channels, kernel_heights, pooling_sizes and recombined_channels "
                "must have the same length (one entry per convolution stage)"
            )
        return self


class FGCNN(nn.Module):
    """``logit = MLP([flatten(V); <v_i, v_j>_{i<j}])`` over ``V = [E x; G(E' x)]``,
    the raw fields and those the generator ``G`` builds (``E' = E`` when
    ``share_embedding``).

    Example::

        >>> config = FGCNNConfig(channels=[2], kernel_heights=[3], pooling_sizes=[2],
        ...                      recombined_channels=[1], dnn_hidden_units=[16])
        >>> model = FGCNN(FieldSpec(100, 3, 2), config)
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: FGCNNConfig) -> None:
        super().__init__()
        dim = config.embedding_dim
        self.embedding = FeatureEmbedding(spec, dim)
        self.generator_embedding = (
            None if config.share_embedding else FeatureEmbedding(spec, dim)
        )
        self.generator = FeatureGeneration(
            spec.num_fields,
            dim,
            channels=config.channels,
            kernel_heights=config.kernel_heights,
            pooling_sizes=config.pooling_sizes,
            recombined_channels=config.recombined_channels,
            batch_norm=config.conv_batch_norm,
        )
        fields = spec.num_fields + self.generator.num_new_fields
        self.inner_product = InnerProductInteraction(fields)
        self.mlp = MLP(
            fields * dim + self.inner_product.num_pairs,
            config.dnn_hidden_units,
            output_dim=1,
            dropout=config.net_dropout,
            batch_norm=config.dnn_batch_norm,
        )

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        source = (
            vectors
            if self.generator_embedding is None
            else self.generator_embedding(ids, numerics)
        )
        fields = torch.cat([vectors, self.generator(source)], dim=1)  # B x F' x D
        products = self.inner_product(fields)  # B x P
        features = torch.cat([fields.flatten(start_dim=1), products], dim=-1)
        return self.mlp(features).squeeze(-1)
