"""FGCNN (Liu et al., WWW 2019): CNN-generated fields added to the raw ones, then
an IPNN-style MLP over all fields and their inner products."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import FGCNNConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FeatureGeneration,
    FieldSpec,
    InnerProductInteraction,
)


class FGCNN(nn.Module):
    """``logit = MLP([flatten(V); <v_i, v_j>_{i<j}])`` over ``V = [E x; G(E' x)]``,
    the raw fields and those the generator ``G`` builds (``E' = E`` when
    ``share_embedding``).

    Example::

        >>> config = FGCNNConfig(channels=[2], kernel_heights=[3], pooling_sizes=[2],
        ...                      recombined_channels=[1], dnn_hidden_units=[16])
        >>> model = FGCNN(FieldSpec(100, 3, 2), config)
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
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

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        vectors = self.embedding(ids, numerics)  # B x F x D
        source = (
            vectors
            if self.generator_embedding is None
            else self.generator_embedding(ids, numerics)
        )
        fields = torch.cat([vectors, self.generator(source)], dim=1)  # B x F' x D
        products = self.inner_product(fields)  # B x P
        features = torch.cat([fields.flatten(start_dim=1), products], dim=-1)
        return ModelOutput(self.mlp(features).squeeze(-1))
