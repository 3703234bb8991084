"""Parity of an export: onnxruntime's probabilities against torch's on the same
encoded rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from ctrflow.export.runtime import OnnxModel
from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.training.artifact import ModelArtifact, predict_proba
from ctrflow.training.data import to_tensors


class ParityError(AssertionError):
    """onnxruntime's probabilities differ from torch's by more than the tolerance."""


@dataclass(frozen=True)
class Parity:
    """How closely the export reproduces torch.

    Attributes:
        model_name: the compared model.
        rows: rows compared.
        max_abs_diff: largest ``|p_onnx - p_torch|`` (0.0 for no rows).
        worst_row: the row of that difference (``None`` for no rows).
        atol: the tolerance.
        passed: ``max_abs_diff <= atol`` and every probability finite.
    """

    model_name: str
    rows: int
    max_abs_diff: float
    worst_row: int | None
    atol: float
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line naming the model, the difference and the tolerance."""
        verdict = "matches" if self.passed else "does NOT match"
        where = "" if self.worst_row is None else f" (row {self.worst_row})"
        return (
            f"the ONNX export of {self.model_name} {verdict} torch on {self.rows} "
            f"test rows: max |p_onnx - p_torch| = {self.max_abs_diff:.3g}{where}, "
            f"tolerance {self.atol:g}"
        )


def onnx_inputs(
    encoded: pl.DataFrame, feature_map: FeatureMap
) -> tuple[np.ndarray, ...]:
    """The graph's inputs for an encoded table: ids int64, numerics float32 and,
    when the feature map has sequences, sequences int64.

    Raises:
        KeyError: ``encoded`` lacks a column the feature map names.
    """
    data = to_tensors(encoded, feature_map)
    inputs = (data.ids.numpy().astype(np.int64), data.numerics.numpy())
    if feature_map.sequence:
        return (*inputs, data.sequences.numpy().astype(np.int64))
    return inputs


def check_parity(
    onnx_model: OnnxModel,
    artifact: ModelArtifact,
    encoded: pl.DataFrame,
    *,
    atol: float,
    rows: int | None = None,
    batch_size: int = 65536,
) -> Parity:
    """Compare onnxruntime's click probabilities with torch's (``predict_proba``
    on the CPU) on the first ``rows`` rows of ``encoded``.

    Args:
        onnx_model: the exported graph.
        artifact: the torch model it was exported from.
        encoded: an encoded table (``encode_table``; the test split).
        atol: the largest absolute difference that passes.
        rows: rows compared (``None``: all).
        batch_size: rows per forward pass, on both sides.

    Returns:
        The comparison; ``passed`` is false when a probability is not finite.

    Raises:
        KeyError: ``encoded`` lacks a column the feature map names.
    """
    table = encoded if rows is None else encoded.head(rows)
    expected = predict_proba(artifact, table, batch_size=batch_size, device="cpu")
    inputs = onnx_inputs(table, artifact.feature_map)
    actual = np.concatenate(
        [
            onnx_model.predict_proba(*(x[start : start + batch_size] for x in inputs))
            for start in range(0, table.height, batch_size)
        ]
        or [np.zeros(0, dtype=np.float32)]
    )
    if actual.shape != expected.shape:
        raise ValueError(
            f"the ONNX export of {artifact.model_name} returned {actual.shape} "
            f"probabilities for {expected.shape} torch ones"
        )
    difference = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    finite = bool(np.isfinite(actual).all() and np.isfinite(expected).all())
    worst = int(np.nanargmax(difference)) if difference.size and finite else None
    max_diff = float(difference.max()) if difference.size else 0.0
    return Parity(
        model_name=artifact.model_name,
        rows=int(table.height),
        max_abs_diff=max_diff,
        worst_row=worst,
        atol=atol,
        passed=finite and max_diff <= atol,
    )
