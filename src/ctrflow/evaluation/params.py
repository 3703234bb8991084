"""Evaluation's parameters: how the test set is scored and summarised."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ctrflow.schema import StrictParams


class EvaluationParams(StrictParams):
    """How the test set is scored and summarised.

    Attributes:
        batch_size: rows scored per forward pass (``torch.no_grad``).
        device: where to score; ``auto`` picks CUDA when available.
        calibration_bins: equal-width probability bins of the reliability diagram
            and of the expected calibration error.
        roc_points: the ROC plot keeps at most this many points.
    """

    batch_size: int = Field(65536, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    calibration_bins: int = Field(10, ge=2, le=1000)
    roc_points: int = Field(500, ge=10, le=100_000)
