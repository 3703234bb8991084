"""Evaluation's parameters: how the test set is scored, summarised and compared."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat

from ctrflow.schema import StrictParams


class BaselineParams(StrictParams):
    """The logistic-regression yardstick fitted on the same encoded features.

    Attributes:
        enabled: fit it and compare the model with it (``metrics.baseline``).
        c_values: inverse L2 strengths (scikit-learn's ``C``), tried in
            increasing order until the validation AUC stops improving; the best
            is kept, the smallest on a tie.
        max_iter: most L-BFGS iterations per fit; a fit that stops there is
            logged once and recorded (``converged: false``), not warned per fit.
        max_train_rows: train rows fitted on; a larger train split is sampled
            (seeded) so the baseline stays seconds on any dataset.
        seed: seed of that sample.
    """

    enabled: bool = True
    c_values: list[PositiveFloat] = Field(
        default_factory=lambda: [0.01, 0.1, 1.0, 10.0], min_length=1
    )
    max_iter: int = Field(300, ge=10, le=100_000)
    max_train_rows: int = Field(1_000_000, ge=100)
    seed: int = 0


class EvaluationParams(StrictParams):
    """How the test set is scored, summarised and compared with a baseline.

    Attributes:
        batch_size: rows scored per forward pass (``torch.no_grad``).
        device: where to score; ``auto`` picks CUDA when available.
        calibration_bins: equal-width probability bins of the reliability diagram
            and of the expected calibration error.
        roc_points: the ROC plot keeps at most this many points.
        confidence_level: level of the DeLong intervals (AUC, AUC difference).
        min_positives: a test or validation split with fewer positives gives an
            AUC too noisy to trust: a warning.
        min_negatives: the same for negatives.
        max_auc_ci_half_width: a test AUC interval wider than ± this: a warning.
        baseline: the logistic-regression baseline.
    """

    batch_size: int = Field(65536, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    calibration_bins: int = Field(10, ge=2, le=1000)
    roc_points: int = Field(500, ge=10, le=100_000)
    confidence_level: float = Field(0.95, gt=0.5, lt=1.0)
    min_positives: int = Field(100, ge=0)
    min_negatives: int = Field(100, ge=0)
    max_auc_ci_half_width: float = Field(0.05, gt=0.0, le=0.5)
    baseline: BaselineParams = BaselineParams()
