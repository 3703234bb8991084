"""DLRM (Naumov et al., 2019): a bottom MLP for the numerics, embeddings for the
categoricals, a dot (or concatenation) interaction and a top MLP."""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import DLRMConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FieldSpec,
    InnerProductInteraction,
)


class DLRM(nn.Module):
    """``logit = TopMLP(z)`` with field vectors ``V`` (categorical embeddings, plus
    ``d = BottomMLP(numerics)`` when there is a bottom MLP) and
    ``z = [d; <v_i, v_j>_{i<j}]`` (``dot``) or ``z = flatten(V)`` (``cat``).

    Example::

        >>> config = DLRMConfig(interaction_op="dot", bottom_mlp_units=[8],
        ...                     top_mlp_units=[16])
        >>> model = DLRM(FieldSpec(100, 3, 2), config)
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: DLRMConfig) -> None:
        super().__init__()
        dim = config.embedding_dim
        self.interaction_op = config.interaction_op
        has_bottom = bool(config.bottom_mlp_units and spec.num_numeric)
        self.bottom = (
            MLP(
                spec.num_numeric,
                config.bottom_mlp_units,
                output_dim=dim,
                dropout=config.bottom_mlp_dropout,
                batch_norm=config.batch_norm,
            )
            if has_bottom
            else None
        )
        # with a bottom MLP the numerics become one field d, not Fn scaled vectors
        embedded = dataclasses.replace(spec, num_numeric=0) if has_bottom else spec
        self.embedding = FeatureEmbedding(embedded, dim)
        num_fields = embedded.num_fields + int(has_bottom)
        self.inner_product = InnerProductInteraction(num_fields)
        top_dim = (
            self.inner_product.num_pairs + dim * int(has_bottom)
            if self.interaction_op == "dot"
            else num_fields * dim
        )
        self.top = MLP(
            top_dim,
            config.top_mlp_units,
            output_dim=1,
            dropout=config.top_mlp_dropout,
            batch_norm=config.batch_norm,
        )

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        vectors = self.embedding(ids, numerics)  # B x F x D (F = Fc without bottom)
        dense = None
        if self.bottom is not None:
            dense = self.bottom(numerics)  # B x D
            vectors = torch.cat([dense.unsqueeze(1), vectors], dim=1)  # B x F+1 x D
        if self.interaction_op == "cat":
            features = vectors.flatten(start_dim=1)  # B x FD
        else:
            features = self.inner_product(vectors)  # B x P
            if dense is not None:
                features = torch.cat([dense, features], dim=-1)  # B x D+P
        return ModelOutput(self.top(features).squeeze(-1))
