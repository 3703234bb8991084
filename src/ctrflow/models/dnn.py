"""DNN (YouTube-style deep network, Covington et al., RecSys 2016): an MLP over the
concatenated field embeddings."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import DNNConfig
from ctrflow.models.layers import MLP, FeatureEmbedding, FieldSpec


class DNN(nn.Module):
    """``logit = MLP(flatten(E x))``.

    Example::

        >>> import torch
        >>> model = DNN(FieldSpec(100, 3, 2), DNNConfig(hidden_units=[16]))
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: DNNConfig) -> None:
        super().__init__()
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
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
        return ModelOutput(self.mlp(vectors.flatten(start_dim=1)).squeeze(-1))
