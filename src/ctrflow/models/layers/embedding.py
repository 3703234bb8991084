"""One embedding table for every categorical field, plus numeric field vectors."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class SequenceSpec:
    """A behaviour-sequence input: its ids are global ids of one categorical field.

    Attributes:
        target: index (among the categorical fields) of the field whose vocabulary
            the sequence shares: DIN's target item.
        pad_id: the global id that marks padding (that field's PAD id).
    """

    target: int
    pad_id: int


@dataclass(frozen=True)
class FieldSpec:
    """What a model needs to know about its input.

    Attributes:
        vocab_size: rows of the shared embedding table (all categorical fields'
            vocabularies end to end; ids arrive already offset per field).
        num_categorical: categorical fields per row.
        num_numeric: float fields per row.
        sequences: one entry per behaviour-sequence input (``sequences [B, S, L]``);
            only models with ``uses_sequences`` read them.
    """

    vocab_size: int
    num_categorical: int
    num_numeric: int
    sequences: tuple[SequenceSpec, ...] = ()

    @property
    def num_fields(self) -> int:
        return self.num_categorical + self.num_numeric


class FeatureEmbedding(nn.Module):
    """Maps a row of global ids and numeric values to one vector per field.

    A categorical field looks its id up in one shared table (per-field offsets are
    applied when the data is encoded, so one lookup serves all fields). A numeric
    field scales its own learned vector by its value, as FuxiCTR does.

    Args:
        spec: sizes of the input.
        embedding_dim: D, the vector size.
        init_std: standard deviation of the normal initialisation (FuxiCTR: 1e-4).

    Example::

        >>> emb = FeatureEmbedding(FieldSpec(100, 3, 2), embedding_dim=4)
        >>> emb(torch.zeros(8, 3, dtype=torch.long), torch.ones(8, 2)).shape
        torch.Size([8, 5, 4])
    """

    def __init__(
        self, spec: FieldSpec, embedding_dim: int, init_std: float = 1e-4
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(max(spec.vocab_size, 1), embedding_dim)
        nn.init.normal_(self.embedding.weight, std=init_std)
        self.numeric_vectors = nn.Parameter(
            torch.empty(spec.num_numeric, embedding_dim)
        )
        nn.init.normal_(self.numeric_vectors, std=init_std)
        self.num_numeric = spec.num_numeric

    def forward(self, ids: torch.Tensor, numerics: torch.Tensor) -> torch.Tensor:
        """Args: ids [B, Fc] int, numerics [B, Fn] float. Returns [B, Fc + Fn, D]."""
        vectors = self.embedding(ids)  # B x Fc x D
        if self.num_numeric:
            numeric = numerics.unsqueeze(-1) * self.numeric_vectors  # B x Fn x D
            vectors = torch.cat([vectors, numeric], dim=1)
        return vectors
