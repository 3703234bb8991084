"""Pairwise inner products of field vectors (IPNN, DLRM's ``dot`` interaction)."""

from __future__ import annotations

import torch
from torch import nn


class InnerProductInteraction(nn.Module):
    """All pairwise inner products ``p_ij = <v_i, v_j>`` for ``i < j``.

    PNN (Qu et al., ICDM 2016, https://arxiv.org/abs/1611.00144) and DLRM (Naumov et
    al., 2019, https://arxiv.org/abs/1906.00091) feed these ``F (F - 1) / 2`` numbers
    to their MLP. Pairs are in row-major upper-triangle order
    ``(0, 1), (0, 2), ..., (1, 2), ...``.

    Args:
        num_fields: F, fields per row.

    Example::

        >>> import torch
        >>> InnerProductInteraction(3)(torch.ones(2, 3, 4))  # 3 pairs of <1, 1>, D = 4
        tensor([[4., 4., 4.],
                [4., 4., 4.]])
    """

    def __init__(self, num_fields: int) -> None:
        super().__init__()
        rows, cols = torch.triu_indices(num_fields, num_fields, offset=1)
        self.register_buffer("rows", rows, persistent=False)
        self.register_buffer("cols", cols, persistent=False)
        self.num_pairs = len(rows)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """Args: vectors [B, F, D]. Returns [B, F (F - 1) / 2]."""
        gram = torch.bmm(vectors, vectors.transpose(1, 2))  # B x F x F
        return gram[:, self.rows, self.cols]  # B x P
