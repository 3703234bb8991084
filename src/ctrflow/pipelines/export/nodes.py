"""Export nodes: the trained model to ONNX in memory, then onnxruntime against
torch on the test split.

torch, onnx and onnxruntime are imported inside the nodes (``PLC0415`` is ignored
for ``pipelines/*/nodes.py``), so registering the pipelines loads none of them.
"""

from __future__ import annotations

import logging
from typing import Any

import polars as pl

from ctrflow.export.bundle import OnnxExport
from ctrflow.export.params import ExportParams
from ctrflow.pipelines.hints import ModelArtifact
from ctrflow.sampling import row_count

logger = logging.getLogger(__name__)


def export_model(model: ModelArtifact, params: ExportParams) -> OnnxExport:
    """Export the trained model to ONNX (torch's dynamo exporter, the TorchScript
    one if that fails), with its preprocessing spec.

    Args:
        model: the trained artifact (catalog ``model``, the latest version).
        params: opset, dynamic batch and example rows.

    Returns:
        The serialised graph and ``preprocessing.json``'s content.

    Raises:
        ExportError: neither exporter could export the model (the message says why).
    """
    from ctrflow.export.onnx import build_onnx_export

    export = build_onnx_export(model, params)
    logger.info(
        "exported %s to ONNX (opset %d, %s exporter, %.1f MB)",
        model.model_name,
        export.opset,
        export.exporter,
        len(export.onnx_model) / 1e6,
    )
    return export


def check_export_parity(
    export: OnnxExport,
    model: ModelArtifact,
    test_encoded: pl.DataFrame | pl.LazyFrame,
    params: ExportParams,
) -> tuple[OnnxExport, dict[str, Any]]:
    """Compare onnxruntime's click probabilities with torch's on the test split.

    Args:
        export: the graph from ``export_model``.
        model: the artifact it was exported from.
        test_encoded: the encoded test split (in memory or a scan: only the
            ``parity_rows`` compared are loaded).
        params: ``parity_atol``, ``parity_rows`` and ``fail_on_mismatch``.

    Returns:
        The export (unchanged, to be written) and the report: model, exporter,
        opset, rows compared, max absolute difference (and its row), tolerance,
        ``passed``.

    Raises:
        ParityError: the difference exceeds ``parity_atol`` (or a probability is
            not finite) and ``fail_on_mismatch`` is on; the message names the
            model, the difference, the row and the tolerance.
    """
    from ctrflow.export.parity import ParityError, check_parity
    from ctrflow.export.runtime import OnnxModel

    onnx_model = OnnxModel.from_bytes(export.onnx_model, export.preprocessing)
    compared = test_encoded.lazy()
    if params.parity_rows is not None:
        compared = compared.head(params.parity_rows)
    parity = check_parity(
        onnx_model, model, compared.collect(), atol=params.parity_atol
    )
    report = {
        "model": model.model_name,
        "exporter": export.exporter,
        "fallback_reason": export.fallback_reason,
        "opset": export.opset,
        "dynamic_batch": params.dynamic_batch,
        "onnx_bytes": len(export.onnx_model),
        "inputs": export.preprocessing["onnx"]["inputs"],
        "output": export.preprocessing["onnx"]["output"]["name"],
        "parity": {
            "compared": "probabilities (sigmoid of the logits)",
            "rows": parity.rows,
            "test_rows": row_count(test_encoded),
            "max_abs_diff": parity.max_abs_diff,
            "worst_row": parity.worst_row,
            "atol": parity.atol,
        },
        "passed": parity.passed,
    }
    if parity.passed:
        logger.info("%s", parity.describe())
    elif params.fail_on_mismatch:
        raise ParityError(
            f"{parity.describe()}; nothing was written (set "
            "export.fail_on_mismatch: false to write the export and its report anyway)"
        )
    else:
        logger.warning(
            "%s; written anyway (export.fail_on_mismatch: false)", parity.describe()
        )
    return export, report
