"""The one input every model takes and the one output every model returns.

``model(batch) -> ModelOutput``: a ``Batch`` holds all of a row's inputs, so a model
reads what it needs (DIN the sequences, the others ids and numerics) and the caller
never asks which model it holds. A ``ModelOutput`` holds the logits, ``[B]`` for one
task or ``[B, T]`` for T tasks, and, for a model whose paper adds loss terms, the
branch logits those terms are computed from; the terms themselves are the loss's
(``ctrflow.training.loss``), not the model's.

Notation: B rows, Fc categorical and Fn numeric fields, S sequence fields of L steps,
T tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

# FCN's Tri-BCE (each branch's BCE weighted by how much worse it is than the
# averaged logit's) | FinalNet 2B's self-distillation (each block's BCE against the
# averaged prediction, held constant)
BranchLoss = Literal["tri_bce", "self_distillation"]


@dataclass(frozen=True)
class Batch:
    """Aligned tensors for B rows (a whole split, or a batch sliced from one).

    Attributes:
        ids: [B, Fc] int32 global ids (per-field offsets already applied).
        numerics: [B, Fn] float32.
        labels: [B] float32 clicks, or [B, T] for T tasks; ``None`` when scoring.
        sequences: [B, S, L] int32 global ids of S behaviour sequences; ``None``
            gives an empty [B, 0, 0] tensor (no sequence fields).

    Example::

        >>> batch = Batch(torch.zeros(8, 3, dtype=torch.int32), torch.ones(8, 2))
        >>> len(batch), batch.sequences.shape, batch.labels
        (8, torch.Size([8, 0, 0]), None)
        >>> len(batch.slice(2, 5)), len(batch.take(torch.tensor([0, 7])))
        (3, 2)
    """

    ids: torch.Tensor
    numerics: torch.Tensor
    labels: torch.Tensor | None = None
    sequences: torch.Tensor | None = None

    def __post_init__(self) -> None:
        if self.sequences is None:
            empty = torch.zeros(
                (self.ids.shape[0], 0, 0), dtype=torch.int32, device=self.ids.device
            )
            object.__setattr__(self, "sequences", empty)

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def to(self, device: torch.device) -> Batch:
        return Batch(
            self.ids.to(device),
            self.numerics.to(device),
            None if self.labels is None else self.labels.to(device),
            self.sequences.to(device),
        )

    def take(self, index: torch.Tensor) -> Batch:
        """The rows at ``index`` (a copy, e.g. a shuffled split)."""
        return Batch(
            self.ids[index],
            self.numerics[index],
            None if self.labels is None else self.labels[index],
            self.sequences[index],
        )

    def slice(self, start: int, stop: int) -> Batch:
        """Rows ``start:stop`` (views, no copy)."""
        return Batch(
            self.ids[start:stop],
            self.numerics[start:stop],
            None if self.labels is None else self.labels[start:stop],
            self.sequences[start:stop],
        )


@dataclass(frozen=True)
class ModelOutput:
    """What every model returns.

    Attributes:
        logits: [B] (one task) or [B, T] (T tasks), before the sigmoid.
        branch_logits: logits of the model's branches, each shaped like ``logits``,
            that ``branch_loss`` is computed from; empty for most models.
        branch_loss: which extra training terms the branches get (``BranchLoss``);
            ``None`` exactly when there are no branch logits.

    Example::

        >>> ModelOutput(torch.zeros(8)).branch_logits
        ()
        >>> deep, shallow = torch.zeros(8), torch.ones(8)
        >>> output = ModelOutput(0.5 * (deep + shallow), (deep, shallow), "tri_bce")
        >>> output.logits.shape, output.branch_loss
        (torch.Size([8]), 'tri_bce')
    """

    logits: torch.Tensor
    branch_logits: tuple[torch.Tensor, ...] = ()
    branch_loss: BranchLoss | None = None

    def __post_init__(self) -> None:
        if bool(self.branch_logits) != (self.branch_loss is not None):
            raise ValueError(
                "branch_logits and branch_loss go together: "
                f"{len(self.branch_logits)} branch logits, branch_loss={self.branch_loss!r}"
            )


# inputs and outputs of ``torch.export`` (and ``torch.compile``) graphs
torch.export.register_dataclass(Batch)
torch.export.register_dataclass(ModelOutput)
