"""Export's parameters: the ONNX opset, the batch axis and the parity check."""

from __future__ import annotations

from pydantic import Field, PositiveFloat

from ctrflow.schema import StrictParams


class ExportParams(StrictParams):
    """How the trained model is exported to ONNX and checked against torch.

    Attributes:
        opset: the ONNX opset the graph is written in (torch's dynamo exporter
            writes 18 and later; 18 is the one it is tested with most).
        dynamic_batch: the batch axis of every input and of the output is
            symbolic (``batch``): the graph scores any number of rows; off, it
            takes exactly ``example_rows`` rows.
        example_rows: rows of the example batch the exporter traces (random ids
            and numerics of the feature map's shape; at least 2, so the batch
            axis is not taken for a constant 1).
        parity_atol: the largest absolute difference allowed between
            onnxruntime's and torch's click probabilities on the test split.
        parity_rows: the first this many test rows are compared (``null``: all).
        fail_on_mismatch: a parity failure fails the run, naming the model and the
            difference, and no export is written; off, the export and the report
            (``passed: false``) are written with a warning.
    """

    opset: int = Field(18, ge=18, le=23)
    dynamic_batch: bool = True
    example_rows: int = Field(8, ge=2, le=4096)
    parity_atol: PositiveFloat = 1e-5
    parity_rows: int | None = Field(100_000, ge=1)
    fail_on_mismatch: bool = True
