"""FGCNN's convolutional feature generation."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ctrflow.models.layers.mlp import xavier_init_


class FeatureGeneration(nn.Module):
    """FGCNN's feature generator (Liu et al., WWW 2019,
    https://arxiv.org/abs/1904.04447).

    The field matrix ``E`` [F, D] is a one-channel image. Stage ``i`` applies a
    ``k_i x 1`` convolution along the fields (``"same"`` padding) with ``C_i``
    channels, batch norm (optional), tanh and ``p_i x 1`` max pooling (ceil mode,
    height ``F_i = ceil(F_{i-1} / p_i)``); a tanh-activated linear layer then
    recombines its ``F_i * D * C_i`` outputs into ``F_i * R_i`` new field vectors.
    The new fields of all stages are concatenated.

    Args:
        num_fields: F.
        embedding_dim: D.
        channels: ``C_i`` per stage.
        kernel_heights: ``k_i`` per stage (odd keeps the height).
        pooling_sizes: ``p_i`` per stage.
        recombined_channels: ``R_i`` per stage.
        batch_norm: batch-normalise each convolution.

    Example::

        >>> import torch
        >>> layer = FeatureGeneration(
        ...     4, 3, channels=[2, 2], kernel_heights=[3, 3], pooling_sizes=[2, 2],
        ...     recombined_channels=[1, 2])
        >>> layer(torch.ones(5, 4, 3)).shape, layer.num_new_fields  # 2*1 + 1*2
        (torch.Size([5, 4, 3]), 4)
    """

    def __init__(
        self,
        num_fields: int,
        embedding_dim: int,
        *,
        channels: Sequence[int],
        kernel_heights: Sequence[int],
        pooling_sizes: Sequence[int],
        recombined_channels: Sequence[int],
        batch_norm: bool = True,
    ) -> None:
        super().__init__()
        if not (
            len(channels)
            == len(kernel_heights)
            == len(pooling_sizes)
            == len(recombined_channels)
        ):
            raise ValueError("FGCNN's per-stage lists must have the same length")
        self.embedding_dim = embedding_dim
        self.convs = nn.ModuleList()
        self.recombine = nn.ModuleList()
        height, in_channels, self.num_new_fields = num_fields, 1, 0
        for out, kernel, pool, recombined in zip(
            channels, kernel_heights, pooling_sizes, recombined_channels, strict=True
        ):
            stage: list[nn.Module] = [
                nn.Conv2d(in_channels, out, (kernel, 1), padding=((kernel - 1) // 2, 0))
            ]
            if batch_norm:
                stage.append(nn.BatchNorm2d(out))
            stage += [nn.Tanh(), nn.MaxPool2d((pool, 1), (pool, 1), ceil_mode=True)]
            self.convs.append(nn.Sequential(*stage))
            height = -(-height // pool)  # ceil
            self.recombine.append(
                nn.Sequential(
                    nn.Linear(
                        height * embedding_dim * out,
                        height * embedding_dim * recombined,
                    ),
                    nn.Tanh(),
                )
            )
            self.num_new_fields += height * recombined
            in_channels = out
        xavier_init_(self)

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """Args: vectors [B, F, D]. Returns new field vectors [B, F_new, D]."""
        batch = vectors.shape[0]
        x = vectors.unsqueeze(1)  # B x 1 x F x D
        new_fields = []
        for conv, recombine in zip(self.convs, self.recombine, strict=True):
            x = conv(x)  # B x C_i x F_i x D
            new = recombine(x.flatten(start_dim=1))  # B x F_i R_i D
            new_fields.append(new.view(batch, -1, self.embedding_dim))
        return torch.cat(new_fields, dim=1)
