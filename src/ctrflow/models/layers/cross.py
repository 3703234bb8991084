"""Cross networks: explicit bounded-degree feature crossing on the flat embedding.

Notation: ``x_0`` [B, N] is the flattened field embedding (``N = F * D``), ``x_l`` the
output of layer ``l``, ``*`` the element-wise product.
"""

from __future__ import annotations

import torch
from torch import nn

from ctrflow.models.layers.dropout import Dropout
from ctrflow.models.layers.mlp import xavier_init_


class CrossNet(nn.Module):
    """DCN's cross network (Wang et al., ADKDD 2017, https://arxiv.org/abs/1708.05123).

    ``x_{l+1} = x_0 * (w_l^T x_l) + b_l + x_l`` with a vector ``w_l`` [N] per layer:
    layer ``l`` adds crosses of degree ``l + 1`` with ``2 N`` parameters.

    Args:
        input_dim: N, width of ``x_0``.
        num_layers: number of cross layers.

    Example::

        >>> import torch
        >>> CrossNet(input_dim=6, num_layers=3)(torch.ones(4, 6)).shape
        torch.Size([4, 6])
    """

    def __init__(self, input_dim: int, num_layers: int) -> None:
        super().__init__()
        self.weights = nn.ModuleList(
            nn.Linear(input_dim, 1, bias=False) for _ in range(num_layers)
        )
        self.biases = nn.ParameterList(
            nn.Parameter(torch.zeros(input_dim)) for _ in range(num_layers)
        )
        xavier_init_(self)

    def forward(self, x0: torch.Tensor) -> torch.Tensor:
        """Args: x0 [B, N]. Returns [B, N]."""
        x = x0
        for weight, bias in zip(self.weights, self.biases, strict=True):
            x = x0 * weight(x) + bias + x  # (B, 1) scales x0: B x N
        return x


class CrossNetV2(nn.Module):
    """DCN-V2's full-rank cross network (Wang et al., WWW 2021,
    https://arxiv.org/abs/2008.13535).

    ``x_{l+1} = x_0 * (W_l x_l + b_l) + x_l`` with a matrix ``W_l`` [N, N] per layer.

    Args:
        input_dim: N, width of ``x_0``.
        num_layers: number of cross layers.

    Example::

        >>> import torch
        >>> CrossNetV2(input_dim=6, num_layers=2)(torch.ones(4, 6)).shape
        torch.Size([4, 6])
    """

    def __init__(self, input_dim: int, num_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Linear(input_dim, input_dim) for _ in range(num_layers)
        )
        xavier_init_(self)

    def forward(self, x0: torch.Tensor) -> torch.Tensor:
        """Args: x0 [B, N]. Returns [B, N]."""
        x = x0
        for layer in self.layers:
            x = x0 * layer(x) + x  # B x N
        return x


class CrossNetMix(nn.Module):
    """DCN-V2's low-rank mixture of cross experts (FuxiCTR's ``CrossNetMix``).

    Each of ``K`` experts is a low-rank cross ``E_k(x_l) = x_0 * (U_k g(C_k g(V_k^T
    x_l)) + b_l)`` with ``U_k, V_k`` [N, R], ``C_k`` [R, R], ``g = tanh``; a softmax
    gate ``G(x_l) = softmax(W_g x_l)`` [K] mixes them:
    ``x_{l+1} = sum_k G_k(x_l) E_k(x_l) + x_l``.

    Args:
        input_dim: N, width of ``x_0``.
        num_layers: number of cross layers.
        low_rank: R, the rank of each expert.
        num_experts: K, experts per layer.

    Example::

        >>> import torch
        >>> CrossNetMix(6, num_layers=2, low_rank=3, num_experts=4)(torch.ones(5, 6)).shape
        torch.Size([5, 6])
    """

    def __init__(
        self, input_dim: int, num_layers: int, low_rank: int, num_experts: int
    ) -> None:
        super().__init__()

        def _stack(*shape: int) -> nn.ParameterList:
            return nn.ParameterList(
                nn.Parameter(nn.init.xavier_normal_(torch.empty(*shape)))
                for _ in range(num_layers)
            )

        self.u = _stack(num_experts, input_dim, low_rank)  # K x N x R
        self.v = _stack(num_experts, input_dim, low_rank)  # K x N x R
        self.c = _stack(num_experts, low_rank, low_rank)  # K x R x R
        self.biases = nn.ParameterList(
            nn.Parameter(torch.zeros(input_dim)) for _ in range(num_layers)
        )
        self.gates = nn.ModuleList(
            nn.Linear(input_dim, num_experts, bias=False) for _ in range(num_layers)
        )
        for gate in self.gates:
            nn.init.xavier_normal_(gate.weight)

    def forward(self, x0: torch.Tensor) -> torch.Tensor:
        """Args: x0 [B, N]. Returns [B, N]."""
        x = x0
        for u, v, c, bias, gate in zip(
            self.u, self.v, self.c, self.biases, self.gates, strict=True
        ):
            low = torch.tanh(torch.einsum("bn,knr->bkr", x, v))  # B x K x R
            low = torch.tanh(torch.einsum("ksr,bkr->bks", c, low))  # B x K x R
            experts = x0.unsqueeze(1) * (torch.einsum("knr,bkr->bkn", u, low) + bias)
            weights = torch.softmax(gate(x), dim=-1)  # B x K
            x = torch.einsum("bkn,bk->bn", experts, weights) + x  # B x N
        return x


class _MaskedCross(nn.Module):
    """Shared body of FCN's cross networks (Li et al., 2024, "FCN: Fusing Exponential
    and Linear Cross Network for Click-Through Rate Prediction",
    https://arxiv.org/abs/2407.13349; FuxiCTR's DCNv3).

    Each layer computes ``h = W_l x_l`` [N/2], the self-mask
    ``c_l = [h, h * ReLU(LN(h))]`` [N], then ``x_{l+1} = m_l * (c_l + b_l) + x_l``
    followed by dropout, where the multiplier ``m_l`` is ``x_l`` (exponential:
    degree ``2^l``) or ``x_0`` (linear: degree ``l + 1``).
    """

    exponential: bool

    def __init__(
        self,
        input_dim: int,
        num_layers: int,
        dropout: float = 0.0,
        layer_norm: bool = True,
    ) -> None:
        super().__init__()
        half = (input_dim + 1) // 2
        self.input_dim = input_dim
        self.weights = nn.ModuleList(
            nn.Linear(input_dim, half, bias=False) for _ in range(num_layers)
        )
        self.norms = nn.ModuleList(
            nn.LayerNorm(half) if layer_norm else nn.Identity()
            for _ in range(num_layers)
        )
        self.biases = nn.ParameterList(
            nn.Parameter(torch.rand(input_dim)) for _ in range(num_layers)
        )
        self.dropout = Dropout(dropout)
        xavier_init_(self)

    def forward(self, x0: torch.Tensor) -> torch.Tensor:
        """Args: x0 [B, N]. Returns [B, N]."""
        x = x0
        for weight, norm, bias in zip(
            self.weights, self.norms, self.biases, strict=True
        ):
            h = weight(x)  # B x N/2
            mask = torch.relu(norm(h))  # B x N/2
            cross = torch.cat([h, h * mask], dim=-1)[:, : self.input_dim]  # B x N
            x = self.dropout((x if self.exponential else x0) * (cross + bias) + x)
        return x


class ExponentialCrossNetwork(_MaskedCross):
    """FCN's deep branch: ``x_{l+1} = x_l * (Mask(W_l x_l) + b_l) + x_l``; the
    interaction degree doubles with each layer (``2^L`` after ``L`` layers).

    Args:
        input_dim: N, width of ``x_0``.
        num_layers: number of cross layers.
        dropout: dropout after each layer.
        layer_norm: layer-normalise ``W_l x_l`` before the ReLU mask.

    Example::

        >>> import torch
        >>> ExponentialCrossNetwork(6, num_layers=3)(torch.ones(4, 6)).shape
        torch.Size([4, 6])
    """

    exponential = True


class LinearCrossNetwork(_MaskedCross):
    """FCN's shallow branch: ``x_{l+1} = x_0 * (Mask(W_l x_l) + b_l) + x_l``; the
    interaction degree grows by one with each layer.

    Args:
        input_dim: N, width of ``x_0``.
        num_layers: number of cross layers.
        dropout: dropout after each layer.
        layer_norm: layer-normalise ``W_l x_l`` before the ReLU mask.

    Example::

        >>> import torch
        >>> LinearCrossNetwork(6, num_layers=3)(torch.ones(4, 6)).shape
        torch.Size([4, 6])
    """

    exponential = False
