"""``preprocessing.json``: how a raw row becomes the ONNX graph's inputs, for a
server in any language.

The spec holds the feature map as ``FeatureMap.to_dict`` writes it (vocabularies
in id order, offsets, numeric statistics, sequences, derived features), the
dataset schema the model was trained on (``null`` for a model saved before it was
stored), the graph's inputs and output (names, dtypes, shapes, which column fills
each position) and the encoding rules of ``ctrflow.feature_engineering.encoding``
in words and constants. ``FeatureMap.from_dict(spec["feature_map"])`` gives the
feature map back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctrflow.feature_engineering.feature_map import (
    FIRST_VALUE_ID,
    MISSING_TOKEN,
    OOV_ID,
    PAD_ID,
    FeatureMap,
)
from ctrflow.feature_engineering.interactions import TOKEN_SEPARATOR

if TYPE_CHECKING:
    from ctrflow.training.artifact import ModelArtifact

SPEC_FORMAT = "ctrflow.onnx_preprocessing/1"
MODEL_FILE = "model.onnx"
PREPROCESSING_FILE = "preprocessing.json"

# The rules of ctrflow.feature_engineering.encoding, for a reader of the JSON.
ENCODING_RULES = {
    "categorical": (
        "token = the value as a string (a missing value is missing_token); "
        "local id = first_value_id + its index in the field's vocabulary, "
        "oov_id for a token not in it; ids[:, i] = field.offset + local id, "
        "fields in feature_map.categorical order"
    ),
    "numeric_bucketed": (
        "a categorical field with source 'numeric' holds a counter's log bucket: "
        "token = 'b' + str(floor(ln(x)^2)) when x > 2, else str(floor(x)) "
        "(integer, no decimals); a missing value is missing_token"
    ),
    "interaction": (
        "a categorical field with source 'interaction' crosses its two parents: "
        "token = token(parent 1) + token_separator + token(parent 2), a numeric "
        "parent's token being its log bucket, a categorical one's its string value"
    ),
    "numeric": (
        "x = value (log1p: ln(1 + max(x, 0))); numerics[:, j] = (x - mean) / std as "
        "float32, 0.0 for a missing or NaN value; fields in feature_map.numeric order"
    ),
    "sequence": (
        "a list of string tokens (missing = empty, empty strings dropped): the last "
        "max_length tokens, oldest first, each mapped with the vocabulary_of field's "
        "vocabulary (global id = offset + local id, offset + oov_id when unseen), "
        "then offset + pad_id up to max_length; sequences[:, s, :] in "
        "feature_map.sequence order"
    ),
    "derived": (
        "before encoding, each schema.derived feature is added to the raw row "
        "(ctrflow.ingestion.derived): extract = UTC parts of the timestamp column, "
        "buckets = index of the left-closed interval the value falls in"
    ),
}


def input_specs(feature_map: FeatureMap, dynamic_batch: bool) -> list[dict[str, Any]]:
    """The graph's inputs: name, dtype, shape (``"batch"`` for the batch axis when
    it is dynamic, else ``null``) and the columns along the last axis."""
    batch = "batch" if dynamic_batch else None
    specs: list[dict[str, Any]] = [
        {
            "name": "ids",
            "dtype": "int64",
            "shape": [batch, len(feature_map.categorical)],
            "columns": feature_map.categorical_columns,
        },
        {
            "name": "numerics",
            "dtype": "float32",
            "shape": [batch, len(feature_map.numeric)],
            "columns": feature_map.numeric_columns,
        },
    ]
    if feature_map.sequence:
        length = max(s.max_length for s in feature_map.sequence)
        specs.append(
            {
                "name": "sequences",
                "dtype": "int64",
                "shape": [batch, len(feature_map.sequence), length],
                "columns": feature_map.sequence_columns,
            }
        )
    return specs


def preprocessing_spec(
    artifact: ModelArtifact,
    exporter: str,
    opset: int,
    dynamic_batch: bool,
    fallback_reason: str | None = None,
) -> dict[str, Any]:
    """The JSON-ready spec of an export of ``artifact``.

    Args:
        artifact: the exported model with its feature map (and schema, if stored).
        exporter: which exporter wrote the graph (``dynamo`` or ``torchscript``).
        opset: the graph's ONNX opset.
        dynamic_batch: whether the batch axis is symbolic.
        fallback_reason: why the dynamo exporter was not used, if it was not.

    Returns:
        A dict of plain JSON values (see the module docstring).
    """
    feature_map = artifact.feature_map
    schema = getattr(artifact, "schema", None)
    if schema is not None and hasattr(schema, "model_dump"):
        schema = schema.model_dump(mode="json")
    batch = "batch" if dynamic_batch else None
    return {
        "format": SPEC_FORMAT,
        "model": {"name": artifact.model_name, "config": artifact.model_config},
        "onnx": {
            "file": MODEL_FILE,
            "exporter": exporter,
            "opset": opset,
            "fallback_reason": fallback_reason,
            "inputs": input_specs(feature_map, dynamic_batch),
            "output": {
                "name": "logits",
                "dtype": "float32",
                "shape": [batch],
                "meaning": "logit before the sigmoid: probability = 1 / (1 + exp(-logit))",
            },
        },
        "encoding": {
            "pad_id": PAD_ID,
            "oov_id": OOV_ID,
            "first_value_id": FIRST_VALUE_ID,
            "missing_token": MISSING_TOKEN,
            "token_separator": TOKEN_SEPARATOR,
            "rules": ENCODING_RULES,
        },
        "feature_map": feature_map.to_dict(),
        "schema": schema,
    }
