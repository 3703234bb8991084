"""Multi-layer perceptron block: Linear, optional batch-norm, ReLU, dropout."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from ctrflow.models.layers.dropout import Dropout
from ctrflow.models.layers.fused_norm import batch_norm_relu_dropout, can_fuse


class MLP(nn.Sequential):
    """``[Linear -> BatchNorm? -> ReLU -> Dropout?] * len(hidden_units)``, then an
    optional Linear to ``output_dim``.

    Linear weights are Xavier-normal with zero bias, as in FuxiCTR. In training on
    CPU each ``BatchNorm -> ReLU -> Dropout`` runs as one fused operation
    (``fused_norm``); the modules, their parameters and the state dict are the
    same either way, and ``mlp.fuse = False`` runs the modules one by one.

    Args:
        input_dim: features per row.
        hidden_units: width of each hidden layer.
        output_dim: width of the final linear layer; ``None`` for none.
        dropout: drop probability after each hidden layer.
        batch_norm: batch-normalise each hidden layer before its activation.
        activation: builds each hidden layer's activation from its width
            (e.g. ``Dice``); ``None`` = ReLU.

    Example::

        >>> import torch
        >>> MLP(6, [8, 8], output_dim=1, dropout=0.1, batch_norm=True)(torch.ones(4, 6)).shape
        torch.Size([4, 1])
    """

    def __init__(
        self,
        input_dim: int,
        hidden_units: Sequence[int],
        output_dim: int | None = 1,
        dropout: float = 0.0,
        batch_norm: bool = False,
        *,
        activation: Callable[[int], nn.Module] | None = None,
    ) -> None:
        layers: list[nn.Module] = []
        fusable: dict[int, int] = {}  # batch-norm index -> modules the fusion covers
        width = input_dim
        for units in hidden_units:
            layers.append(nn.Linear(width, units))
            if batch_norm:
                fusable[len(layers)] = 3 if dropout > 0 else 2
                layers.append(nn.BatchNorm1d(units))
            layers.append(activation(units) if activation else nn.ReLU())
            if dropout > 0:
                layers.append(Dropout(dropout))
            width = units
        if output_dim is not None:
            layers.append(nn.Linear(width, output_dim))
        super().__init__(*layers)
        self._fusable = fusable if activation is None else {}
        self.fuse = True
        xavier_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        modules = list(self)
        index = 0
        while index < len(modules):
            module = modules[index]
            covered = self._fusable.get(index, 0) if self.fuse else 0
            if covered and can_fuse(x, module):
                p = modules[index + 2].p if covered == 3 else 0.0
                x = batch_norm_relu_dropout(x, module, p)
                index += covered
            else:
                x = module(x)
                index += 1
        return x


def xavier_init_(module: nn.Module) -> None:
    """Xavier-normal weights and zero biases for every ``nn.Linear`` in ``module``
    (FuxiCTR's default initialisation of dense layers)."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.xavier_normal_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
