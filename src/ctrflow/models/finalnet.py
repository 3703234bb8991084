"""FinalNet (Zhu et al., SIGIR 2023): factorized interaction blocks in place of
MLPs, one (1B) or two (2B) of them averaged."""

from __future__ import annotations

from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import FinalNetConfig
from ctrflow.models.layers import (
    FeatureEmbedding,
    FieldGate,
    FieldSpec,
    FinalBlock,
    xavier_init_,
)


class FinalNet(nn.Module):
    """``logit = w_1^T Block_1(flatten(Gate(E x)))`` (1B), averaged with
    ``w_2^T Block_2(flatten(E x))`` (2B); ``Gate`` is the field gate
    ``[E; E * (W E + b)]`` when ``use_field_gate``. A 2B output also carries both
    blocks' logits (``branch_loss="self_distillation"``): in training the loss
    (``ctrflow.training.loss``) adds FuxiCTR's self-distillation terms, each
    block's BCE against the averaged prediction, held constant.

    Example::

        >>> import torch
        >>> config = FinalNetConfig(block1_hidden_units=[8], block2_hidden_units=[4])
        >>> model = FinalNet(FieldSpec(100, 3, 2), config)
        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> output = model(batch)
        >>> output.logits.shape, len(output.branch_logits), output.branch_loss
        (torch.Size([8]), 2, 'self_distillation')
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

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn]). Returns logits [B] and,
        for 2B, the two blocks' logits for the self-distillation terms."""
        vectors = self.embedding(batch.ids, batch.numerics)  # B x F x D
        gated = vectors if self.field_gate is None else self.field_gate(vectors)
        first = self.head1(self.block1(gated.flatten(start_dim=1))).squeeze(-1)
        if self.block2 is None:
            return ModelOutput(first)
        second = self.head2(self.block2(vectors.flatten(start_dim=1))).squeeze(-1)
        return ModelOutput(
            0.5 * (first + second),
            branch_logits=(first, second),
            branch_loss="self_distillation",
        )
