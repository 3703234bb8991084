"""DIN (Zhou et al., KDD 2018): attention-pooled behaviour sequences + an MLP."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import DINConfig
from ctrflow.models.layers import (
    MLP,
    Dice,
    FeatureEmbedding,
    FieldSpec,
    TargetAttention,
)


class DIN(nn.Module):
    """Deep Interest Network, https://arxiv.org/abs/1706.06978.

    Each behaviour sequence ``s`` (``spec.sequences``) shares the embedding table
    of one categorical field, its target (e.g. ``history`` -> ``item_id``); its
    steps are pooled by :class:`TargetAttention` against the target's embedding,
    padding steps (``pad_id``) masked out:
    ``logit = MLP([E x ; pool_1 ; ... ; pool_S])``. Without sequences (none in
    ``spec``, or a batch without sequence fields) it is an MLP over the field
    embeddings.

    Notation: B batch, F fields (categorical + numeric), S sequences, L steps, D dim.

    Example::

        >>> from ctrflow.models.layers import FieldSpec, SequenceSpec
        >>> spec = FieldSpec(100, 3, 2, sequences=(SequenceSpec(target=1, pad_id=0),))
        >>> model = DIN(spec, DINConfig(dnn_hidden_units=[16]))
        >>> ids, numerics = torch.ones(8, 3, dtype=torch.int32), torch.ones(8, 2)
        >>> history = torch.ones(8, 1, 5, dtype=torch.int32)  # B x S x L
        >>> model(Batch(ids, numerics, sequences=history)).logits.shape
        torch.Size([8])
    """

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

    def forward(self, batch: Batch) -> ModelOutput:
        """Args: batch (ids [B, Fc], numerics [B, Fn], sequences [B, S, L] global
        ids; a batch without sequence fields, S = 0, has no behaviour: every pooled
        vector is zero). Returns logits [B]."""
        vectors = self.embedding(batch.ids, batch.numerics)  # B x F x D
        sequences = batch.sequences  # B x S x L
        if sequences.shape[1] not in (0, len(self.targets)):
            raise ValueError(
                f"DIN was built for {len(self.targets)} behaviour sequences, the "
                f"batch has {sequences.shape[1]}"
            )
        parts = [vectors.flatten(start_dim=1)]  # B x FD
        for index, (target, attention) in enumerate(
            zip(self.targets, self.attention, strict=True)
        ):
            if sequences.shape[1] == 0:
                parts.append(torch.zeros_like(vectors[:, 0]))  # B x D
                continue
            steps = sequences[:, index]  # B x L
            mask = steps != self.pad_ids[index]  # B x L
            history = self.embedding.embedding(steps)  # B x L x D
            parts.append(attention(vectors[:, target], history, mask))  # B x D
        return ModelOutput(self.mlp(torch.cat(parts, dim=1)).squeeze(-1))
