"""Logistic regression: the first-order baseline."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import LRConfig
from ctrflow.models.layers import FieldSpec, LinearTerm


class LR(nn.Module):
    """``logit = b + sum_i w_{x_i}``.

    Example::

        >>> import torch
        >>> from ctrflow.models.layers import FieldSpec
        >>> model = LR(FieldSpec(100, 3, 2), LRConfig())
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> model(batch).logits.shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: LRConfig) -> None:
        super().__init__()
        self.linear = LinearTerm(spec)

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B]."""
        ids, numerics = batch.ids, batch.numerics
        return ModelOutput(self.linear(ids, numerics))
