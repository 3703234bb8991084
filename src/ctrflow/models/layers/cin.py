"""Compressed interaction network (xDeepFM): vector-wise explicit crosses."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ctrflow.models.layers.mlp import xavier_init_


class CompressedInteractionNet(nn.Module):
    """CIN (Lian et al., KDD 2018, https://arxiv.org/abs/1803.05170).

    With ``X^0`` [F, D] the field vectors and ``H_k`` the width of layer ``k``:

    ``X^k_{h,*} = sum_{i < H_{k-1}} sum_{j < F} W^{k,h}_{ij} (X^{k-1}_{i,*} * X^0_{j,*})
    + b^k_h``

    (a 1x1 convolution over the ``H_{k-1} * F`` Hadamard products, as in FuxiCTR),
    and each layer is sum-pooled over D. The pooled layers are concatenated.

    Args:
        num_fields: F.
        hidden_units: ``H_1, ..., H_K``, the feature maps per layer.

    Example::

        >>> import torch
        >>> CompressedInteractionNet(num_fields=3, hidden_units=[4, 2])(torch.ones(5, 3, 8)).shape
        torch.Size([5, 6])
    """

    def __init__(self, num_fields: int, hidden_units: Sequence[int]) -> None:
        super().__init__()
        widths = [num_fields, *hidden_units]
        self.layers = nn.ModuleList(
            nn.Linear(widths[k] * num_fields, widths[k + 1])
            for k in range(len(hidden_units))
        )
        self.output_dim = sum(hidden_units)
        xavier_init_(self)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """Args: vectors [B, F, D]. Returns the pooled layers [B, sum(H_k)]."""
        batch, _, dim = vectors.shape
        x = vectors
        pooled = []
        for layer in self.layers:
            products = torch.einsum("bhd,bfd->bhfd", x, vectors)  # B x H x F x D
            products = products.reshape(batch, -1, dim)  # B x HF x D
            x = layer(products.transpose(1, 2)).transpose(1, 2)  # B x H' x D
            pooled.append(x.sum(dim=-1))  # B x H'
        return torch.cat(pooled, dim=-1)
