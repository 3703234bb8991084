"""FCN / DCNv3 (Li et al., 2024): an exponential and a linear cross network,
their logits averaged; no MLP."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn
from torch.nn import functional as F

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    ExponentialCrossNetwork,
    FeatureEmbedding,
    FieldSpec,
    LinearCrossNetwork,
    xavier_init_,
)


class FCNConfig(ModelConfig):
    """FuxiCTR's DCNv3 names and defaults (``model_zoo/DCNv3``, as remembered: no
    BARS Frappe_x1 run exists) with BARS' x1 ``embedding_dim: 10``.

    ``tri_bce``: train with FCN's Tri-BCE loss, the averaged logit's BCE plus each
    branch's BCE weighted by how much worse that branch is (``auxiliary_loss``),
    as FuxiCTR does. FuxiCTR's multi-head split (``num_heads``) is not implemented
    (one head).
    """

    embedding_dim: int = Field(10, ge=1)
    num_deep_cross_layers: int = Field(4, ge=1)
    num_shallow_cross_layers: int = Field(4, ge=1)
    deep_net_dropout: float = Field(0.1, ge=0, lt=1)
    shallow_net_dropout: float = Field(0.3, ge=0, lt=1)
    layer_norm: bool = True
    tri_bce: bool = True


class FCN(nn.Module):
    """``logit = (w_d^T ECN(x_0) + w_s^T LCN(x_0)) / 2`` with ``x_0 = flatten(E x)``.

    Example::

        >>> model = FCN(FieldSpec(100, 3, 2), FCNConfig(num_deep_cross_layers=2))
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
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
        self._branch_logits: tuple[torch.Tensor, torch.Tensor] | None = None

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        x0 = self.embedding(ids, numerics).flatten(start_dim=1)  # B x FD
        deep = self.deep_head(self.deep(x0)).squeeze(-1)  # B
        shallow = self.shallow_head(self.shallow(x0)).squeeze(-1)  # B
        if self.training and self.tri_bce:
            self._branch_logits = (deep, shallow)  # for auxiliary_loss
        return 0.5 * (deep + shallow)

    def auxiliary_loss(self, labels: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
        """Tri-BCE's branch terms for the last training forward: ``sum_b L_b *
        max(L_b - L, 0)`` over the two branches, with ``L`` the averaged logit's
        BCE (``loss``) and ``L_b`` a branch's own BCE. Zero without ``tri_bce``."""
        total = torch.zeros((), device=labels.device)
        for logits in self._branch_logits or ():
            branch = F.binary_cross_entropy_with_logits(logits.float(), labels)
            total = total + branch * torch.clamp(branch - loss, min=0.0)
        self._branch_logits = None  # release the graph reference
        return total
