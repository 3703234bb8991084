"""FCN / DCNv3 (Li et al., 2024): an exponential and a linear cross network,
their logits averaged; no MLP."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import FCNConfig
from ctrflow.models.layers import (
    ExponentialCrossNetwork,
    FeatureEmbedding,
    FieldSpec,
    LinearCrossNetwork,
    xavier_init_,
)


class FCN(nn.Module):
    """``logit = (y_d + y_s) / 2`` with the branch logits ``y_d = w_d^T ECN(x_0)``,
    ``y_s = w_s^T LCN(x_0)`` and ``x_0 = flatten(E x)``.

    With ``tri_bce`` the output also carries ``(y_d, y_s)`` as branch logits
    (``branch_loss="tri_bce"``): in training the loss (``ctrflow.training.loss``)
    adds each branch's BCE weighted by how much worse it is than the averaged one.

    Example::

        >>> import torch
        >>> model = FCN(FieldSpec(100, 3, 2), FCNConfig(num_deep_cross_layers=2))
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> output = model(batch)
        >>> output.logits.shape, len(output.branch_logits), output.branch_loss
        (torch.Size([8]), 2, 'tri_bce')
    """

    def __init__(self, spec: FieldSpec, config: FCNConfig) -> None:
        super().__init__()
        input_dim = spec.num_fields * config.embedding_dim
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.deep = ExponentialCrossNetwork(
            input_dim,
            config.num_deep_cross_layers,
            dropout=config.deep_net_dropout,
            layer_norm=config.layer_norm,
        )
        self.shallow = LinearCrossNetwork(
            input_dim,
            config.num_shallow_cross_layers,
            dropout=config.shallow_net_dropout,
            layer_norm=config.layer_norm,
        )
        self.deep_head = nn.Linear(input_dim, 1)
        self.shallow_head = nn.Linear(input_dim, 1)
        xavier_init_(self.deep_head)
        xavier_init_(self.shallow_head)
        self.tri_bce = config.tri_bce

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B] and,
        with ``tri_bce``, the two branches' logits for the Tri-BCE terms."""
        x0 = self.embedding(batch.ids, batch.numerics).flatten(start_dim=1)  # B x FD
        deep = self.deep_head(self.deep(x0)).squeeze(-1)  # B
        shallow = self.shallow_head(self.shallow(x0)).squeeze(-1)  # B
        logits = 0.5 * (deep + shallow)
        if not self.tri_bce:
            return ModelOutput(logits)
        return ModelOutput(logits, branch_logits=(deep, shallow), branch_loss="tri_bce")
