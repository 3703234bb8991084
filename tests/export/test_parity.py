"""The parity check: equal models pass, a changed model fails with the model, the
difference and the row named; ``rows`` caps the comparison."""

from __future__ import annotations

import pytest
import torch

from ctrflow.export.onnx import build_onnx_export
from ctrflow.export.parity import check_parity
from ctrflow.export.runtime import OnnxModel


@pytest.fixture
def exported(make_artifact):
    artifact = make_artifact("DeepFM")
    export = build_onnx_export(artifact)
    return artifact, OnnxModel.from_bytes(export.onnx_model, export.preprocessing)


def test_the_export_passes_against_its_own_model(exported, random_encoded):
    artifact, model = exported
    encoded = random_encoded(artifact.feature_map, 1000)
    parity = check_parity(model, artifact, encoded, atol=1e-5, batch_size=300)
    assert parity.passed and parity.rows == 1000
    assert 0.0 <= parity.max_abs_diff <= 1e-5
    assert "matches torch on 1000 test rows" in parity.describe()


def test_a_changed_model_fails_naming_the_difference(exported, random_encoded):
    artifact, model = exported
    encoded = random_encoded(artifact.feature_map, 500)
    with torch.no_grad():
        artifact.model.linear.bias.add_(0.5)  # torch moves, the graph does not
    parity = check_parity(model, artifact, encoded, atol=1e-5, rows=200)
    assert not parity.passed and parity.rows == 200
    assert parity.max_abs_diff > 0.05 and 0 <= parity.worst_row < 200
    message = parity.describe()
    assert "DeepFM does NOT match torch on 200 test rows" in message
    assert f"row {parity.worst_row}" in message and "tolerance 1e-05" in message


def test_no_rows_compare_as_equal(exported, random_encoded):
    artifact, model = exported
    parity = check_parity(
        model, artifact, random_encoded(artifact.feature_map, 0), atol=1e-5
    )
    assert parity.passed and parity.rows == 0 and parity.worst_row is None
