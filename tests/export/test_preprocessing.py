"""preprocessing.json: the feature map round-trips, the inputs are described, and
its rules alone (no ctrflow) encode raw rows as ``encode_table`` does."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ctrflow.export.onnx import export_onnx
from ctrflow.export.preprocessing import SPEC_FORMAT, preprocessing_spec
from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.models import build_model, config_type
from ctrflow.training.artifact import ModelArtifact


def test_the_spec_round_trips_the_feature_map(tmp_path, make_artifact):
    artifact = make_artifact("DeepFM")
    result = export_onnx(artifact, tmp_path)
    spec = json.loads(result.preprocessing_path.read_text())
    assert spec["format"] == SPEC_FORMAT
    assert FeatureMap.from_dict(spec["feature_map"]) == artifact.feature_map
    assert spec["model"] == {"name": "DeepFM", "config": artifact.model_config}
    assert spec["schema"] is None  # this artifact stores none
    ids, numerics = spec["onnx"]["inputs"]
    assert ids == {
        "name": "ids",
        "dtype": "int64",
        "shape": ["batch", 26],
        "columns": [f"C{k}" for k in range(1, 27)],
    }
    assert numerics["dtype"] == "float32" and numerics["shape"] == ["batch", 13]
    assert spec["onnx"]["output"]["name"] == "logits"
    assert spec["encoding"]["oov_id"] == 1 and spec["encoding"]["pad_id"] == 0


def test_a_stored_schema_is_written(make_artifact):
    artifact = make_artifact("LR")
    artifact.schema = {"label": "label", "categorical": ["C1"]}  # as SCORE stores it
    spec = preprocessing_spec(artifact, "dynamo", 18, dynamic_batch=True)
    assert spec["schema"] == {"label": "label", "categorical": ["C1"]}
    json.dumps(spec)  # plain JSON values only


def _token(value) -> str | None:
    return None if value is None else str(value)


def _bucket(value: float | None) -> str | None:
    """The log bucket as the rules state it."""
    if value is None:
        return None
    if value > 2:  # noqa: PLR2004
        return f"b{math.floor(math.log(value) ** 2)}"
    return str(math.floor(value))


def _encode_row(row: dict, spec: dict) -> tuple[list[int], list[float]]:
    """A raw row -> (ids, numerics) with nothing but the JSON spec."""
    encoding, feature_map = spec["encoding"], spec["feature_map"]
    ids = []
    for field in feature_map["categorical"]:
        token = (_bucket if field["source"] == "numeric" else _token)(
            row[field["name"]]
        )
        token = encoding["missing_token"] if token is None else token
        index = {v: i for i, v in enumerate(field["vocabulary"])}.get(token)
        local = (
            encoding["oov_id"] if index is None else encoding["first_value_id"] + index
        )
        ids.append(field["offset"] + local)
    numerics = []
    for field in feature_map["numeric"]:
        value = row[field["name"]]
        if value is None or math.isnan(value):
            numerics.append(0.0)
            continue
        if field["transform"] == "log1p":
            value = math.log1p(max(value, 0.0))
        numerics.append((value - field["mean"]) / field["std"])
    return ids, numerics


@pytest.mark.parametrize("transform", ["log_bucket", "log1p"])
def test_the_rules_alone_encode_raw_rows_as_encode_table(
    transform, typed_demo_table, demo_schema
):
    table = typed_demo_table(600)
    train, new = table.head(500), table.tail(100)
    selected = ["C1", "C2", "C5", "C9", "I1", "I2", "I5", "I11"]
    params = FeatureEngineeringParams(numeric_transform=transform, min_count=3)
    feature_map = fit_feature_map(train, selected, demo_schema, params)
    config = config_type("LR")()
    model = build_model("LR", feature_map.field_spec, config)
    artifact = ModelArtifact(model, "LR", config.model_dump(), feature_map, {})
    spec = json.loads(
        json.dumps(preprocessing_spec(artifact, "dynamo", 18, dynamic_batch=True))
    )

    encoded = encode_table(new, feature_map)
    rows = [_encode_row(row, spec) for row in new.iter_rows(named=True)]
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    expected_ids = encoded.select(feature_map.categorical_columns).to_numpy()
    np.testing.assert_array_equal(ids, expected_ids)
    # unseen values are there, mapped to their field's OOV id
    oov = [f.offset + 1 for f in feature_map.categorical]
    assert (expected_ids == np.array(oov)).any()
    if transform == "log1p":
        numerics = np.array([r[1] for r in rows], dtype=np.float32)
        expected = encoded.select(feature_map.numeric_columns).to_numpy()
        np.testing.assert_allclose(numerics, expected, rtol=1e-6, atol=1e-6)
    else:
        assert feature_map.numeric == []
        assert {f.source for f in feature_map.categorical} == {"categorical", "numeric"}
