"""Logistic regression: the first-order baseline."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import FieldSpec, LinearTerm


class LRConfig(ModelConfig):
    """LR has no hyper-parameters of its own."""


class LR(nn.Module):
    """``logit = b + sum_i w_{x_i}``.

    Example::

        >>> from ctrflow.models.layers import FieldSpec
        >>> model = LR(FieldSpec(100, 3, 2), LRConfig())
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: LRConfig) -> None:
        super().__init__()
        self.linear = LinearTerm(spec)

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        return self.linear(ids, numerics)
