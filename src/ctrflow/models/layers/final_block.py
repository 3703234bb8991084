"""FinalNet's factorized interaction block and field gate."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ctrflow.models.configs import NormType
from ctrflow.models.layers.dropout import Dropout
from ctrflow.models.layers.mlp import xavier_init_


class FactorizedInteraction(nn.Module):
    """FinalNet's replacement for ``nn.Linear`` (Zhu et al., "FINAL: Factorized
    Interaction Layer for CTR Prediction", SIGIR 2023,
    https://dl.acm.org/doi/10.1145/3539618.3591988).

    ``[h_1, h_2] = W x + b`` (two halves of width ``output_dim / 2``), then
    ``h = [h_2; h_1 * h_2]``: a linear part and a quadratic one, with as many
    parameters as ``nn.Linear(input_dim, output_dim)`` (FuxiCTR's
    ``residual_type="concat"``, which the BARS FinalNet runs use); stacking ``L``
    layers reaches degree ``2^L``.

    Args:
        input_dim: width of ``x``.
        output_dim: width of ``h``; even.

    Example::

        >>> import torch
        >>> FactorizedInteraction(4, 6)(torch.ones(5, 4)).shape
        torch.Size([5, 6])
    """

    def __init__(self, input_dim: int, output_dim: int) -> None:
        super().__init__()
        if output_dim % 2:
            raise ValueError(f"output_dim {output_dim} must be even")
        self.linear = nn.Linear(input_dim, output_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x [B, N_in]. Returns [B, N_out]."""
        h2, h1 = self.linear(x).chunk(2, dim=-1)  # B x N_out/2 each
        return torch.cat([h2, h1 * h2], dim=-1)


class FinalBlock(nn.Sequential):
    """``[FactorizedInteraction -> norm -> ReLU -> Dropout?] * len(hidden_units)``.

    Args:
        input_dim: width of the input.
        hidden_units: width of each factorized layer (even).
        dropout: drop probability after each layer.
        norm_type: ``"BN"`` (batch norm), ``"LN"`` (layer norm) or ``"none"``.

    Example::

        >>> import torch
        >>> FinalBlock(6, [8, 4], dropout=0.1)(torch.ones(5, 6)).shape
        torch.Size([5, 4])
    """

    def __init__(
        self,
        input_dim: int,
        hidden_units: Sequence[int],
        dropout: float = 0.0,
        norm_type: NormType = "BN",
    ) -> None:
        layers: list[nn.Module] = []
        width = input_dim
        for units in hidden_units:
            layers.append(FactorizedInteraction(width, units))
            if norm_type == "BN":
                layers.append(nn.BatchNorm1d(units))
            elif norm_type == "LN":
                layers.append(nn.LayerNorm(units))
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(Dropout(dropout))
            width = units
        super().__init__(*layers)
        xavier_init_(self)


class FieldGate(nn.Module):
    """FinalNet's field gate: ``g = W E + b`` mixes the F field vectors per
    dimension (``W`` [F, F]); returns ``[E; E * g]`` [2F, D].

    ``W = 0``, ``b = 1`` at initialisation, so the gate starts as the identity.

    Args:
        num_fields: F.

    Example::

        >>> import torch
        >>> FieldGate(3)(torch.ones(5, 3, 4)).shape
        torch.Size([5, 6, 4])
    """

    def __init__(self, num_fields: int) -> None:
        super().__init__()
        self.linear = nn.Linear(num_fields, num_fields)
        nn.init.zeros_(self.linear.weight)
        nn.init.ones_(self.linear.bias)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """Args: vectors [B, F, D]. Returns [B, 2F, D]."""
        gates = self.linear(vectors.transpose(1, 2)).transpose(1, 2)  # B x F x D
        return torch.cat([vectors, vectors * gates], dim=1)
