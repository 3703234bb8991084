"""What a training step minimises, apart from the model (as TorchRec keeps
``DLRMTrain``'s loss apart from ``DLRM``).

``objective = BCE(logits, labels) + L2 + branch terms``:

- BCE with logits, the mean over rows (and tasks, for logits [B, T]);
- L2 as FuxiCTR adds it, ``lambda / 2 * ||W||^2`` of whole embedding tables
  (``embedding_regularizer``, per model or training-wide) and of linear weights
  (``net_regularizer``);
- the terms a model's paper adds, computed from the branch logits its
  ``ModelOutput`` carries: FCN's Tri-BCE (``tri_bce``) and FinalNet 2B's
  self-distillation (``self_distillation``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from ctrflow.models.batch import BranchLoss, ModelOutput
from ctrflow.training.params import TrainingParams


def embedding_regularizer(params: TrainingParams) -> float:
    """The L2 weight on the embedding tables of ``params.model``: its own
    ``models.<name>.embedding_regularizer`` when set (BARS tunes it per model),
    else ``training.embedding_regularizer``."""
    own = getattr(params.models, params.model).embedding_regularizer
    return params.embedding_regularizer if own is None else own


def l2_penalty(
    model: nn.Module, embedding_l2: float, net_l2: float
) -> torch.Tensor | float:
    """``embedding_l2 / 2 * ||W||^2`` summed over the embedding tables plus
    ``net_l2 / 2 * ||W||^2`` over the linear layers' weights (not their biases),
    in module order; ``0.0`` when both weights are zero."""
    penalty: torch.Tensor | float = 0.0
    if not embedding_l2 and not net_l2:
        return penalty
    for module in model.modules():
        if embedding_l2 and isinstance(module, nn.Embedding):
            penalty = penalty + embedding_l2 / 2 * module.weight.pow(2).sum()
        elif net_l2 and isinstance(module, nn.Linear):
            penalty = penalty + net_l2 / 2 * module.weight.pow(2).sum()
    return penalty


def tri_bce_terms(
    branch_logits: tuple[torch.Tensor, ...], labels: torch.Tensor, loss: torch.Tensor
) -> torch.Tensor:
    """FCN's Tri-BCE branch terms: ``sum_b L_b * max(L_b - L, 0)``, with ``L`` the
    averaged logit's BCE (``loss``) and ``L_b`` branch ``b``'s own BCE."""
    total = torch.zeros((), device=labels.device)
    for logits in branch_logits:
        branch = F.binary_cross_entropy_with_logits(logits.float(), labels)
        total = total + branch * torch.clamp(branch - loss, min=0.0)
    return total


def self_distillation_terms(
    branch_logits: tuple[torch.Tensor, ...], labels: torch.Tensor, loss: torch.Tensor
) -> torch.Tensor:
    """FinalNet 2B's terms: ``sum_b BCE(y_b, p)`` with ``p`` the prediction of the
    averaged block logits, detached (each block learns from the ensemble)."""
    first, second = (logits.float() for logits in branch_logits)
    target = torch.sigmoid(0.5 * (first + second)).detach()
    return F.binary_cross_entropy_with_logits(
        first, target
    ) + F.binary_cross_entropy_with_logits(second, target)


# ``ModelOutput.branch_loss`` -> its terms, f(branch_logits, labels, loss)
BRANCH_TERMS: dict[
    BranchLoss,
    Callable[[tuple[torch.Tensor, ...], torch.Tensor, torch.Tensor], torch.Tensor],
] = {"tri_bce": tri_bce_terms, "self_distillation": self_distillation_terms}


@dataclass(frozen=True)
class StepLoss:
    """One step's loss.

    Attributes:
        loss: the BCE alone (what the history reports as ``train_loss``).
        objective: what is minimised: BCE + L2 + branch terms.
    """

    loss: torch.Tensor
    objective: torch.Tensor


@dataclass(frozen=True)
class TrainingLoss:
    """The objective of every training step, for every model.

    Attributes:
        embedding_l2: L2 weight on the embedding tables (``embedding_regularizer``).
        net_l2: L2 weight on the linear layers' weights (``net_regularizer``).

    Example::

        >>> import torch
        >>> from ctrflow.models.batch import ModelOutput
        >>> loss_fn = TrainingLoss(embedding_l2=0.0, net_l2=0.0)
        >>> step = loss_fn(torch.nn.Linear(1, 1), ModelOutput(torch.zeros(4)), torch.ones(4))
        >>> round(float(step.loss), 4), bool(step.objective == step.loss)
        (0.6931, True)
    """

    embedding_l2: float
    net_l2: float

    @classmethod
    def from_params(cls, params: TrainingParams) -> TrainingLoss:
        return cls(embedding_regularizer(params), params.net_regularizer)

    def __call__(
        self, model: nn.Module, output: ModelOutput, labels: torch.Tensor
    ) -> StepLoss:
        """Args: the model (for its weights' L2), its output on a batch, the
        batch's labels (shaped like ``output.logits``)."""
        loss = F.binary_cross_entropy_with_logits(output.logits.float(), labels)
        objective = loss + l2_penalty(model, self.embedding_l2, self.net_l2)
        if output.branch_loss is not None:
            terms = BRANCH_TERMS[output.branch_loss]
            objective = objective + terms(output.branch_logits, labels, loss)
        return StepLoss(loss, objective)
