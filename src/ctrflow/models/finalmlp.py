"""FinalMLP (Mao et al., AAAI 2023): two MLP streams over gated copies of the
embeddings, fused by a multi-head bilinear aggregation."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import FinalMLPConfig
from ctrflow.models.layers import (
    MLP,
    FeatureEmbedding,
    FeatureGate,
    FieldSpec,
    InteractionAggregation,
)


class FinalMLP(nn.Module):
    """``logit = Agg(MLP_1(x * g_1), MLP_2(x * g_2))`` with ``x = flatten(E x)``,
    gates ``g_k = 2 sigmoid(MLP_gk(c_k))`` (``use_fs``; else ``g_k = 1``) and the
    bilinear aggregation ``Agg`` of ``num_heads`` heads.

    Example::

        >>> import torch
        >>> config = FinalMLPConfig(mlp1_hidden_units=[8], mlp2_hidden_units=[4],
        ...                         fs_hidden_units=[8], num_heads=2)
        >>> model = FinalMLP(FieldSpec(100, 3, 2), config)
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
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

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        flat = self.embedding(ids, numerics).flatten(start_dim=1)  # B x FD
        x1 = flat if self.gate1 is None else self.gate1(flat)  # B x FD
        x2 = flat if self.gate2 is None else self.gate2(flat)  # B x FD
        return ModelOutput(self.fusion(self.mlp1(x1), self.mlp2(x2)))  # B
