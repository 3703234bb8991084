"""One embedding table for every categorical field, plus numeric field vectors."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.schema import FieldSpec, SequenceSpec  # noqa: F401  (re-exported by layers)


class _CPULookup(torch.autograd.Function):
    """Rows of ``weight`` gathered by ``ids``; the gradient scattered back with one
    ``index_add_`` (torch's CPU embedding backward sorts the ids first: 4x slower
    on a 4096 x 10 batch of Frappe ids, and the LR term pays it once more)."""

    @staticmethod
    def forward(ctx, weight: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        flat = ids.reshape(-1).long()
        ctx.save_for_backward(flat)
        ctx.rows = weight.shape[0]
        return weight.index_select(0, flat).reshape(*ids.shape, weight.shape[1])

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        (flat,) = ctx.saved_tensors
        rows = grad.reshape(-1, grad.shape[-1])
        return grad.new_zeros(ctx.rows, grad.shape[-1]).index_add_(0, flat, rows), None


def embedding_lookup(table: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
    """``table(ids)``, with the faster backward of ``_CPULookup`` on CPU (a table
    without ``padding_idx``, max_norm or sparse gradients; elsewhere ``table`` itself)."""
    plain = table.padding_idx is None and table.max_norm is None and not table.sparse
    if (
        plain
        and table.weight.device.type == "cpu"
        and not torch.compiler.is_compiling()
    ):
        return _CPULookup.apply(table.weight, ids)
    return table(ids)


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
        vectors = embedding_lookup(self.embedding, ids)  # B x Fc x D
        if self.num_numeric:
            numeric = numerics.unsqueeze(-1) * self.numeric_vectors  # B x Fn x D
            vectors = torch.cat([vectors, numeric], dim=1)
        return vectors
