"""``baseline_floor: auto``: on small data the trained model never ends below the
logistic-regression yardstick on validation.

On a few thousand rows a deep CTR model's FM and DNN parts can add more variance
than signal: the BARS DeepFM lost 0.02-0.03 test AUC to a one-hot logistic
regression on 6,000 rows of additive clicks, while it beat it by 0.005-0.016 where
the clicks hold interactions (docs/benchmarks.md, "Small data"). Which case a
team's data is, only validation can say. So after training, the regression is
written into a fresh copy of the model: its coefficients and intercept become the
first-order weights and bias, and every other part keeps its initialisation
(embeddings at std 1e-4: the FM and DNN terms add a few 1e-5 to the logit, so the
copy scores as the regression does). The model with the better validation AUC is
kept, the trained one on a tie.

(Starting training from the regression instead was tried and rejected: the
model then stopped at the start, the regression, on data where training from
scratch beat it by up to 0.016.)

The rule: on when the model has exactly one first-order ``LinearTerm`` (LR, FM,
WideDeep, DeepFM, xDeepFM, FiBiNET, AutoIntPlus with ``use_wide``), the features
have no sequence field (the regression's bag-of-ids columns have no counterpart
in the linear term) and training has at most :data:`MAX_ROWS` rows. An explicit
``true`` or ``false`` wins.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from torch import nn

from ctrflow.models.layers.fm import LinearTerm

MAX_ROWS = 100_000
"""``auto`` applies the floor with at most this many train rows (the demo has
160k, Frappe 202k: their models are kept as trained, as BARS reports them)."""


def linear_term(model: nn.Module) -> LinearTerm | None:
    """The model's one first-order ``LinearTerm``; None when it has none or several."""
    terms = [m for m in model.modules() if isinstance(m, LinearTerm)]
    return terms[0] if len(terms) == 1 else None


def resolve_baseline_floor(
    setting: bool | Literal["auto"],
    train_rows: int,
    model: nn.Module,
    has_sequences: bool,
) -> tuple[bool, str]:
    """Whether to apply the floor, and why (for the log).

    Args:
        setting: ``training.baseline_floor``.
        train_rows: rows in one training epoch.
        model: the model to train.
        has_sequences: the feature map has a sequence field.

    Returns:
        ``(on, reason)``.

    Raises:
        ValueError: ``setting`` is ``true`` but the floor cannot apply to this
            model or these features, with the reason.
    """
    blocker = None
    if linear_term(model) is None:
        blocker = f"{type(model).__name__} has no single first-order linear term"
    elif has_sequences:
        blocker = "the features include a sequence field"
    if setting is True:
        if blocker:
            raise ValueError(
                f"training.baseline_floor is true but {blocker}; set it to auto or "
                "false"
            )
        return True, "set"
    if setting is False:
        return False, "set"
    if blocker:
        return False, f"auto: {blocker}"
    if train_rows > MAX_ROWS:
        return False, f"auto: {train_rows} train rows > {MAX_ROWS}"
    return True, f"auto: {train_rows} train rows <= {MAX_ROWS}"


def load_linear_weights(
    model: nn.Module,
    categorical: np.ndarray,
    numeric: np.ndarray,
    intercept: float,
) -> None:
    """Write fitted regression coefficients into the model's linear term, in place.

    Args:
        model: a model with one ``LinearTerm`` (``linear_term``).
        categorical: one weight per global categorical id (the design matrix's
            one-hot columns, column = id), ``vocab_size`` of them.
        numeric: one weight per numeric field, in the feature map's order.
        intercept: the regression's intercept.

    Raises:
        ValueError: the model has no single linear term, or a size differs from
            the linear term's.
    """
    term = linear_term(model)
    if term is None:
        raise ValueError(
            f"{type(model).__name__} has no single first-order linear term"
        )
    table = term.weights.embedding.weight  # vocab x 1
    vectors = term.weights.numeric_vectors  # numeric fields x 1
    if categorical.shape != (table.shape[0],) or numeric.shape != (vectors.shape[0],):
        raise ValueError(
            f"the coefficients ({categorical.shape[0]} categorical, "
            f"{numeric.shape[0]} numeric) do not fit the linear term "
            f"({table.shape[0]} ids, {vectors.shape[0]} numeric fields)"
        )
    with torch.no_grad():
        table.copy_(torch.as_tensor(categorical, dtype=table.dtype).unsqueeze(1))
        vectors.copy_(torch.as_tensor(numeric, dtype=vectors.dtype).unsqueeze(1))
        term.bias.fill_(float(intercept))
