"""DIN (Zhou et al., KDD 2018): attention-pooled behaviour sequences + an MLP."""

from __future__ import annotations

from typing import ClassVar, Literal

import torch
from pydantic import Field
from torch import nn

from ctrflow.models.config import ModelConfig
from ctrflow.models.layers import (
    MLP,
    Dice,
    FeatureEmbedding,
    FieldSpec,
    TargetAttention,
)


class DINConfig(ModelConfig):
    """BARS / FuxiCTR names; defaults after FuxiCTR's ``DIN_default``.

    Attributes:
        embedding_dim: D, shared by the fields and the sequence items.
        attention_hidden_units: hidden layers of the local activation unit.
        attention_hidden_activations: ``Dice`` (the paper's) or ``ReLU``.
        din_use_softmax: normalise the attention weights over the sequence
            (the paper does not).
        dnn_hidden_units: the MLP over all field embeddings and pooled sequences.
        net_dropout: dropout after each MLP hidden layer.
        batch_norm: batch-normalise each MLP hidden layer.
    """

    embedding_dim: int = Field(10, ge=1)
    attention_hidden_units: list[int] = Field(default_factory=lambda: [64])
    attention_hidden_activations: Literal["Dice", "ReLU"] = "Dice"
    din_use_softmax: bool = False
    dnn_hidden_units: list[int] = Field(default_factory=lambda: [512, 128, 64])
    net_dropout: float = Field(0.0, ge=0, lt=1)
    batch_norm: bool = False


class DIN(nn.Module):
    """Deep Interest Network, https://arxiv.org/abs/1706.06978.

    Each behaviour sequence ``s`` (``spec.sequences``) shares the embedding table
    of one categorical field, its target (e.g. ``history`` -> ``item_id``); its
    steps are pooled by :class:`TargetAttention` against the target's embedding,
    padding steps (``pad_id``) masked out:
    ``logit = MLP([E x ; pool_1 ; ... ; pool_S])``. Without sequences (S = 0, or
    ``sequences=None``) it is an MLP over the field embeddings.

    Notation: B batch, F fields (categorical + numeric), S sequences, L steps, D dim.

    Example::

        >>> from ctrflow.models.layers import FieldSpec, SequenceSpec
        >>> spec = FieldSpec(100, 3, 2, sequences=(SequenceSpec(target=1, pad_id=0),))
        >>> model = DIN(spec, DINConfig(dnn_hidden_units=[16]))
        >>> ids, numerics = torch.ones(8, 3, dtype=torch.long), torch.ones(8, 2)
        >>> model(ids, numerics, torch.ones(8, 1, 5, dtype=torch.long)).shape
        torch.Size([8])
    """

    uses_sequences: ClassVar[bool] = True

    def __init__(self, spec: FieldSpec, config: DINConfig) -> None:
        super().__init__()
        dim = config.embedding_dim
        self.embedding = FeatureEmbedding(spec, dim)
        self.targets = [s.target for s in spec.sequences]
        self.register_buffer(
            "pad_ids",
            torch.tensor([s.pad_id for s in spec.sequences], dtype=torch.long),
            persistent=False,
        )
        activation = Dice if config.attention_hidden_activations == "Dice" else None
        self.attention = nn.ModuleList(
            TargetAttention(
                dim,
                config.attention_hidden_units,
                use_softmax=config.din_use_softmax,
                activation=activation,
            )
            for _ in spec.sequences
        )
        self.mlp = MLP(
            (spec.num_fields + len(spec.sequences)) * dim,
            config.dnn_hidden_units,
            output_dim=1,
            dropout=config.net_dropout,
            batch_norm=config.batch_norm,
        )

    def forward(
        self,
        ids: torch.Tensor,
        numerics: torch.Tensor,
        sequences: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Args: ids [B, Fc], numerics [B, Fn], sequences [B, S, L] global ids
        (``None``: no behaviour, every pooled vector is zero). Returns logits [B]."""
        vectors = self.embedding(ids, numerics)  # B x F x D
        parts = [vectors.flatten(start_dim=1)]  # B x FD
        for index, (target, attention) in enumerate(
            zip(self.targets, self.attention, strict=True)
        ):
            if sequences is None:
                parts.append(torch.zeros_like(vectors[:, 0]))  # B x D
                continue
            steps = sequences[:, index]  # B x L
            mask = steps != self.pad_ids[index]  # B x L
            history = self.embedding.embedding(steps)  # B x L x D
            parts.append(attention(vectors[:, target], history, mask))  # B x D
        return self.mlp(torch.cat(parts, dim=1)).squeeze(-1)
