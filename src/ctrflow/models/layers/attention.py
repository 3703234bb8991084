"""Attention over fields (AutoInt) and over a behaviour sequence (DIN)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from ctrflow.models.layers.dropout import Dropout
from ctrflow.models.layers.mlp import MLP, xavier_init_


class MultiHeadSelfAttention(nn.Module):
    """AutoInt's interacting layer (Song et al., CIKM 2019,
    https://arxiv.org/abs/1810.11921): multi-head self-attention across fields.

    For each head ``h`` with ``Q = E W_Q^h``, ``K = E W_K^h``, ``V = E W_V^h``:
    ``A^h = softmax(Q K^T / s) V`` (``s = sqrt(d_head)`` if ``use_scale`` else 1).
    The heads are concatenated, the input added back (``use_residual``; projected
    by ``W_res`` only when ``input_dim != attention_dim``), then optional layer
    norm and a ReLU, as in FuxiCTR.

    Args:
        input_dim: D, width of each field vector.
        attention_dim: width of the output (all heads together).
        num_heads: heads; must divide ``attention_dim``.
        dropout: dropout on the attention weights.
        use_scale: divide the scores by ``sqrt(attention_dim / num_heads)``.
        use_residual: add the input (or its projection) to the output.
        layer_norm: layer-normalise the output before the ReLU.

    Example::

        >>> import torch
        >>> layer = MultiHeadSelfAttention(4, attention_dim=8, num_heads=2)
        >>> layer(torch.ones(5, 3, 4)).shape
        torch.Size([5, 3, 8])
    """

    def __init__(
        self,
        input_dim: int,
        attention_dim: int,
        *,
        num_heads: int = 1,
        dropout: float = 0.0,
        use_scale: bool = False,
        use_residual: bool = True,
        layer_norm: bool = False,
    ) -> None:
        super().__init__()
        if attention_dim % num_heads:
            raise ValueError(
                f"attention_dim {attention_dim} is not divisible by num_heads {num_heads}"
            )
        self.num_heads = num_heads
        self.head_dim = attention_dim // num_heads
        self.scale = self.head_dim**0.5 if use_scale else 1.0
        self.query = nn.Linear(input_dim, attention_dim, bias=False)
        self.key = nn.Linear(input_dim, attention_dim, bias=False)
        self.value = nn.Linear(input_dim, attention_dim, bias=False)
        self.use_residual = use_residual
        self.residual = (
            nn.Linear(input_dim, attention_dim, bias=False)
            if use_residual and input_dim != attention_dim
            else nn.Identity()
        )
        self.dropout = Dropout(dropout)
        self.norm = nn.LayerNorm(attention_dim) if layer_norm else nn.Identity()
        xavier_init_(self)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, fields, _ = x.shape
        return x.view(batch, fields, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """Args: vectors [B, F, D]. Returns [B, F, attention_dim]."""
        query = self._heads(self.query(vectors))  # B x H x F x d
        key = self._heads(self.key(vectors))  # B x H x F x d
        value = self._heads(self.value(vectors))  # B x H x F x d
        scores = query @ key.transpose(-1, -2) / self.scale  # B x H x F x F
        weights = self.dropout(torch.softmax(scores, dim=-1))
        out = (weights @ value).transpose(1, 2).flatten(start_dim=2)  # B x F x Hd
        if self.use_residual:
            out = out + self.residual(vectors)
        return torch.relu(self.norm(out))


class Dice(nn.Module):
    """DIN's data-adaptive activation (Zhou et al., KDD 2018, eq. 5):
    ``p = sigmoid(BN(x))``, ``f(x) = p * x + (1 - p) * alpha * x``, with a
    parameter-free batch norm (FuxiCTR: ``eps=1e-9``, ``momentum=0.01``) over the
    last dimension (any leading dimensions are treated as rows) and a learned
    ``alpha`` per unit (zeros at first: a PReLU-like gate around the batch mean).

    Args:
        input_dim: units (the last dimension of the input).
        eps: the batch norm's epsilon.

    Example::

        >>> import torch
        >>> Dice(8)(torch.randn(4, 3, 8)).shape
        torch.Size([4, 3, 8])
    """

    def __init__(self, input_dim: int, eps: float = 1e-9) -> None:
        super().__init__()
        self.norm = nn.BatchNorm1d(input_dim, affine=False, eps=eps, momentum=0.01)
        self.alpha = nn.Parameter(torch.zeros(input_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x [..., input_dim]. Returns the same shape."""
        p = torch.sigmoid(self.norm(x.reshape(-1, x.shape[-1])).view_as(x))
        return p * x + (1 - p) * self.alpha * x


class TargetAttention(nn.Module):
    """DIN's local activation unit (Zhou et al., KDD 2018,
    https://arxiv.org/abs/1706.06978): pools a behaviour sequence by its relevance
    to the target item.

    ``a_t = MLP([e, s_t, e - s_t, e * s_t])`` for each step ``s_t`` of the sequence
    and the target ``e``; ``pooled = sum_t m_t a_t s_t`` with the padding mask ``m``.
    As in the paper (and FuxiCTR's default) the weights are not softmax-normalised,
    so the pooled vector keeps the intensity of the user's interest; with
    ``use_softmax`` they are (masked steps get zero weight).

    Args:
        embedding_dim: D, width of the target and the sequence vectors.
        hidden_units: the attention MLP's hidden layers.
        use_softmax: normalise the weights over the sequence.
        activation: builds the hidden layers' activation from their width
            (``Dice`` in DIN); ``None`` = ReLU.

    Example::

        >>> import torch
        >>> attention = TargetAttention(4, hidden_units=[8])
        >>> mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
        >>> attention(torch.ones(2, 4), torch.ones(2, 3, 4), mask).shape
        torch.Size([2, 4])
    """

    def __init__(
        self,
        embedding_dim: int,
        hidden_units: Sequence[int] = (36,),
        use_softmax: bool = False,
        activation: Callable[[int], nn.Module] | None = None,
    ) -> None:
        super().__init__()
        self.mlp = MLP(
            4 * embedding_dim, hidden_units, output_dim=1, activation=activation
        )
        self.use_softmax = use_softmax

    def forward(
        self,
        target: torch.Tensor,
        sequence: torch.Tensor,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Args: target [B, D], sequence [B, L, D], mask [B, L] (1 = real step,
        0 = padding; ``None`` = all real). Returns [B, D]."""
        target = target.unsqueeze(1).expand_as(sequence)  # B x L x D
        features = torch.cat(
            [target, sequence, target - sequence, target * sequence], dim=-1
        )  # B x L x 4D
        scores = self.mlp(features).squeeze(-1)  # B x L
        if mask is None:
            mask = torch.ones_like(scores)
        mask = mask.to(scores.dtype)
        if self.use_softmax:
            scores = torch.softmax(scores.masked_fill(mask == 0, -1e9), dim=-1)
        weights = scores * mask  # B x L
        return (weights.unsqueeze(-1) * sequence).sum(dim=1)  # B x D
