"""FinalMLP's gated feature selection and multi-head bilinear fusion."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ctrflow.models.layers.mlp import MLP


class FeatureGate(nn.Module):
    """FinalMLP's feature selection gate (Mao et al., AAAI 2023,
    https://arxiv.org/abs/2304.00902): ``x' = x * 2 sigmoid(MLP(c))``.

    The context ``c`` is a learned vector (FuxiCTR's choice when no context fields
    are named), so the gate learns a soft, per-stream selection of the inputs; the
    factor 2 keeps the mean gate at 1 at initialisation.

    Args:
        input_dim: width of ``x`` (the flat embedding).
        context_dim: width of the learned context (FuxiCTR: D).
        hidden_units: the gate MLP's hidden layers.

    Example::

        >>> import torch
        >>> gate = FeatureGate(input_dim=6, context_dim=3, hidden_units=[8])
        >>> gate(torch.ones(5, 6)).shape
        torch.Size([5, 6])
    """

    def __init__(
        self, input_dim: int, context_dim: int, hidden_units: Sequence[int]
    ) -> None:
        super().__init__()
        self.context = nn.Parameter(torch.zeros(1, context_dim))
        self.mlp = MLP(context_dim, hidden_units, output_dim=input_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x [B, N]. Returns [B, N]."""
        gate = 2 * torch.sigmoid(self.mlp(self.context))  # 1 x N
        return x * gate


class InteractionAggregation(nn.Module):
    """FinalMLP's multi-head bilinear fusion of two streams ``x`` and ``y``:

    ``logit = w_x^T x + w_y^T y + sum_h x_h^T W_h y_h``

    where ``x_h``, ``y_h`` are the ``h``-th of ``num_heads`` equal chunks.

    Args:
        x_dim: width of ``x``.
        y_dim: width of ``y``.
        num_heads: chunks; must divide ``x_dim`` and ``y_dim``.

    Example::

        >>> import torch
        >>> InteractionAggregation(4, 6, num_heads=2)(torch.ones(5, 4), torch.ones(5, 6)).shape
        torch.Size([5])
    """

    def __init__(self, x_dim: int, y_dim: int, num_heads: int = 1) -> None:
        super().__init__()
        if x_dim % num_heads or y_dim % num_heads:
            raise ValueError(
                f"num_heads {num_heads} must divide both stream widths {x_dim}, {y_dim}"
            )
        self.num_heads = num_heads
        self.w_x = nn.Linear(x_dim, 1)
        self.w_y = nn.Linear(y_dim, 1)
        self.w_xy = nn.Parameter(
            torch.empty(num_heads, x_dim // num_heads, y_dim // num_heads)
        )
        for weight in (self.w_x.weight, self.w_y.weight, self.w_xy):
            nn.init.xavier_normal_(weight)
        nn.init.zeros_(self.w_x.bias)
        nn.init.zeros_(self.w_y.bias)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Args: x [B, Nx], y [B, Ny]. Returns logits [B]."""
        heads_x = x.view(x.shape[0], self.num_heads, -1)  # B x H x Nx/H
        heads_y = y.view(y.shape[0], self.num_heads, -1)  # B x H x Ny/H
        bilinear = torch.einsum("bhi,hij,bhj->b", heads_x, self.w_xy, heads_y)  # B
        return (self.w_x(x) + self.w_y(y)).squeeze(-1) + bilinear
