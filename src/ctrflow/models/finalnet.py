"""FinalNet (Zhu et al., SIGIR 2023): factorized interaction blocks in place of
MLPs, one (1B) or two (2B) of them averaged."""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field, PositiveInt, model_validator
from torch import nn
from torch.nn import functional as F

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    FeatureEmbedding,
    FieldGate,
    FieldSpec,
    FinalBlock,
    xavier_init_,
)
from ctrflow.models.layers.final_block import NormType


class FinalNetConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned FinalNet
    (``FinalNet_2B_frappe_x1``, run ``003_c3722b71``, test AUC 0.9857;
    ``embedding_regularizer: 0.1``).

    FuxiCTR also adds each block's own loss to the averaged one during training
    (a self-supervised signal); the trainer here trains on the averaged logit
    only.
    """

    embedding_dim: int = Field(10, ge=1)
    block_type: Literal["1B", "2B"] = "2B"
    use_field_gate: bool = True
    block1_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [400, 400], min_length=1
    )
    block1_dropout: float = Field(0.1, ge=0, lt=1)
    block2_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [400], min_length=1
    )
    block2_dropout: float = Field(0.1, ge=0, lt=1)
    norm_type: NormType = "BN"

    @model_validator(mode="after")
    def _even_widths(self) -> FinalNetConfig:
        widths = [*self.block1_hidden_units, *self.block2_hidden_units]
        if any(width % 2 for width in widths):
            raise ValueError(
                f"block hidden units must be even (factorized halves): {widths}"
            )
        return self


class FinalNet(nn.Module):
    """``logit = w_1^T Block_1(flatten(Gate(E x)))`` (1B), averaged with
    ``w_2^T Block_2(flatten(E x))`` (2B); ``Gate`` is the field gate
    ``[E; E * (W E + b)]`` when ``use_field_gate``. In training, 2B adds FuxiCTR's
    self-distillation terms (``auxiliary_loss``): each block's BCE against the
    averaged prediction, held constant.

    Example::

        >>> config = FinalNetConfig(block1_hidden_units=[8], block2_hidden_units=[4])
        >>> model = FinalNet(FieldSpec(100, 3, 2), config)
        >>> model(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8])
    """

    def __init__(self, spec: FieldSpec, config: FinalNetConfig) -> None:
        super().__init__()
        input_dim = spec.num_fields * config.embedding_dim
        self.embedding = FeatureEmbedding(spec, config.embedding_dim)
        self.field_gate = FieldGate(spec.num_fields) if config.use_field_gate else None
        self.block1 = FinalBlock(
            input_dim * (2 if config.use_field_gate else 1),
            config.block1_hidden_units,
            dropout=config.block1_dropout,
            norm_type=config.norm_type,
        )
        self.head1 = nn.Linear(config.block1_hidden_units[-1], 1)
        self.block2 = self.head2 = None
        if config.block_type == "2B":
            self.block2 = FinalBlock(
                input_dim,
                config.block2_hidden_units,
                dropout=config.block2_dropout,
                norm_type=config.norm_type,
            )
            self.head2 = nn.Linear(config.block2_hidden_units[-1], 1)
        xavier_init_(self.head1)
        if self.head2 is not None:
            xavier_init_(self.head2)
        self._block_logits: tuple[torch.Tensor, ...] | None = None

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn]. Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        gated = vectors if self.field_gate is None else self.field_gate(vectors)
        logit = self.head1(self.block1(gated.flatten(start_dim=1))).squeeze(-1)
        if self.block2 is not None:
            second = self.head2(self.block2(vectors.flatten(start_dim=1))).squeeze(-1)
            if self.training:
                self._block_logits = (logit, second)  # for auxiliary_loss
            logit = 0.5 * (logit + second)
        return logit

    def auxiliary_loss(self, labels: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
        """2B's terms for the last training forward: ``sum_b BCE(sigmoid(y_b), p)``
        with ``p`` the averaged prediction, detached (each block learns from the
        ensemble). Zero for 1B or outside training."""
        if self._block_logits is None:
            return torch.zeros((), device=labels.device)
        first, second = (logits.float() for logits in self._block_logits)
        target = torch.sigmoid(0.5 * (first + second)).detach()
        self._block_logits = None  # release the graph reference
        return F.binary_cross_entropy_with_logits(
            first, target
        ) + F.binary_cross_entropy_with_logits(second, target)
