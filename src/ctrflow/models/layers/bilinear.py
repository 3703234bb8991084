"""FiBiNET's field re-weighting (SENET) and bilinear pairwise interaction."""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.configs import BilinearType
from ctrflow.models.layers.mlp import xavier_init_


class SqueezeExcitation(nn.Module):
    """SENET over fields (Huang et al., FiBiNET, RecSys 2019,
    https://arxiv.org/abs/1905.09433).

    Squeeze each field to its mean ``z_i = mean_d v_id``, excite
    ``a = ReLU(W_2 ReLU(W_1 z))`` (``W_1`` [F/r, F], ``W_2`` [F, F/r], no bias) and
    re-weight the fields: ``v'_i = a_i v_i``.

    Args:
        num_fields: F.
        reduction_ratio: r; the bottleneck has ``max(1, int(F / r))`` units.

    Example::

        >>> import torch
        >>> SqueezeExcitation(num_fields=4, reduction_ratio=2)(torch.ones(5, 4, 3)).shape
        torch.Size([5, 4, 3])
    """

    def __init__(self, num_fields: int, reduction_ratio: float = 3.0) -> None:
        super().__init__()
        reduced = max(1, int(num_fields / reduction_ratio))
        self.excitation = nn.Sequential(
            nn.Linear(num_fields, reduced, bias=False),
            nn.ReLU(),
            nn.Linear(reduced, num_fields, bias=False),
            nn.ReLU(),
        )
        xavier_init_(self)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """Args: vectors [B, F, D]. Returns [B, F, D]."""
        weights = self.excitation(vectors.mean(dim=-1))  # B x F
        return vectors * weights.unsqueeze(-1)


class BilinearInteraction(nn.Module):
    """FiBiNET's bilinear interaction: ``p_ij = (v_i W) * v_j`` for ``i < j``.

    ``W`` [D, D] is shared by all pairs (``field_all``), one per field ``i``
    (``field_each``) or one per pair (``field_interaction``). Pairs are in
    row-major upper-triangle order.

    Args:
        num_fields: F.
        embedding_dim: D.
        bilinear_type: which weights are shared.

    Example::

        >>> import torch
        >>> layer = BilinearInteraction(num_fields=4, embedding_dim=3)
        >>> layer(torch.ones(5, 4, 3)).shape  # 6 pairs
        torch.Size([5, 6, 3])
    """

    def __init__(
        self,
        num_fields: int,
        embedding_dim: int,
        bilinear_type: BilinearType = "field_interaction",
    ) -> None:
        super().__init__()
        rows, cols = torch.triu_indices(num_fields, num_fields, offset=1)
        self.register_buffer("rows", rows, persistent=False)
        self.register_buffer("cols", cols, persistent=False)
        count = {
            "field_all": 1,
            "field_each": num_fields,
            "field_interaction": len(rows),
        }[bilinear_type]
        self.bilinear_type = bilinear_type
        self.weight = nn.Parameter(
            nn.init.xavier_normal_(torch.empty(count, embedding_dim, embedding_dim))
        )

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """Args: vectors [B, F, D]. Returns [B, F (F - 1) / 2, D]."""
        left = vectors[:, self.rows]  # B x P x D
        if self.bilinear_type == "field_all":
            left = left @ self.weight[0]  # B x P x D
        elif self.bilinear_type == "field_each":
            left = torch.einsum("bpd,pde->bpe", left, self.weight[self.rows])
        else:
            left = torch.einsum("bpd,pde->bpe", left, self.weight)
        return left * vectors[:, self.cols]  # B x P x D
