"""Export nodes one by one (a parity failure fails the run or, when asked, is only
reported), the pipeline's shape, and the project end to end: ``kedro run
--pipeline=train`` then ``--pipeline=export`` on a demo slice."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
import torch
from kedro.framework.project import settings
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from ctrflow.datasets import OnnxExportDataset
from ctrflow.export.params import ExportParams
from ctrflow.export.parity import ParityError, onnx_inputs
from ctrflow.export.runtime import OnnxModel
from ctrflow.feature_engineering.feature_map import (
    CategoricalField,
    FeatureMap,
    NumericField,
)
from ctrflow.hooks import RunReportHooks
from ctrflow.models import build_model, config_type
from ctrflow.pipeline_registry import register_pipelines
from ctrflow.pipelines.export.nodes import check_export_parity, export_model
from ctrflow.training.artifact import ModelArtifact

FAST_TRAINING = {
    "training": {
        "max_epochs": 2,
        "progress_bar": False,
        "models": {"DeepFM": {"hidden_units": [64, 64], "embedding_dim": 8}},
    }
}


@pytest.fixture
def artifact_and_rows() -> tuple[ModelArtifact, pl.DataFrame]:
    """An FM on two categorical fields and one numeric, and 50 encoded rows."""
    feature_map = FeatureMap(
        "y",
        [CategoricalField("a", ["x", "y", "z"], 0), CategoricalField("b", ["p"], 5)],
        [NumericField("n", "standardize")],
    )
    torch.manual_seed(0)
    config = config_type("FM")()
    model = build_model("FM", feature_map.field_spec, config).eval()
    with torch.no_grad():
        model.embedding.embedding.weight.normal_(0.0, 0.3)
    rng = np.random.default_rng(0)
    rows = pl.DataFrame(
        {
            "y": pl.Series(rng.integers(0, 2, 50), dtype=pl.Int8),
            "a": pl.Series(rng.integers(1, 5, 50), dtype=pl.Int32),
            "b": pl.Series(rng.integers(6, 8, 50), dtype=pl.Int32),
            "n": pl.Series(rng.standard_normal(50), dtype=pl.Float32),
        }
    )
    return ModelArtifact(model, "FM", config.model_dump(), feature_map, {}), rows


def test_the_nodes_export_and_report(artifact_and_rows, tmp_path):
    artifact, rows = artifact_and_rows
    params = ExportParams(parity_rows=30)
    export = export_model(artifact, params)
    written, report = check_export_parity(export, artifact, rows, params)
    assert written is export
    assert report["passed"] is True
    assert report["model"] == "FM" and report["exporter"] == "dynamo"
    assert report["opset"] == 18 and report["output"] == "logits"
    assert report["parity"]["rows"] == 30 and report["parity"]["test_rows"] == 50
    assert report["parity"]["max_abs_diff"] <= 1e-5
    json.dumps(report)
    # the catalog's dataset writes the folder and reads it back
    dataset = OnnxExportDataset(filepath=str(tmp_path / "onnx_export"))
    dataset.save(written)
    assert dataset.exists()
    assert dataset.load() == written


def test_a_parity_failure_fails_naming_the_model_and_the_difference(
    artifact_and_rows,
):
    artifact, rows = artifact_and_rows
    export = export_model(artifact, ExportParams())
    with torch.no_grad():
        artifact.model.linear.bias.add_(1.0)
    with pytest.raises(ParityError, match=r"FM does NOT match torch on 50 test rows"):
        check_export_parity(export, artifact, rows, ExportParams())


def test_a_parity_failure_is_only_reported_when_asked(artifact_and_rows, caplog):
    artifact, rows = artifact_and_rows
    params = ExportParams(fail_on_mismatch=False)
    export = export_model(artifact, params)
    with torch.no_grad():
        artifact.model.linear.bias.add_(1.0)
    written, report = check_export_parity(export, artifact, rows, params)
    assert written is export and report["passed"] is False
    assert report["parity"]["max_abs_diff"] > 0.05


def test_export_is_its_own_namespace_and_not_part_of_train():
    pipelines = register_pipelines()
    export = pipelines["export"]
    assert {n.namespace for n in export.nodes} == {"export"}
    assert export.inputs() == {"model", "test_encoded", "params:export"}
    assert export.outputs() == {"onnx_export", "export_report"}
    assert not {n.name for n in export.nodes} & {
        n.name for n in pipelines["train"].nodes
    }


@pytest.mark.slow
@pytest.mark.parametrize("model_name", ["DeepFM", "DCNv2"])
def test_export_end_to_end_after_train(model_name, project_copy, run_project, latest):
    """Two models trained on the demo slice, exported by ``kedro run
    --pipeline=export``, and scored by onnxruntime from the exported folder."""
    training = {**FAST_TRAINING["training"], "model": model_name}
    run_project(project_copy, runtime_params={"training": training})
    bootstrap_project(project_copy)
    with KedroSession.create(project_path=project_copy) as session:
        session.run(pipeline_names=["export"])

    data = project_copy / "data"
    report = json.loads(latest(data / "08_reporting/export/report.json").read_text())
    assert report["passed"] is True and report["model"] == model_name
    # 574: the seeded hash split's test rows of the 6,000 demo rows
    assert report["parity"]["rows"] == report["parity"]["test_rows"] == 574
    assert report["parity"]["max_abs_diff"] <= 1e-5

    folder = latest(data / "06_models/onnx_export")
    (hooks,) = (h for h in settings.HOOKS if isinstance(h, RunReportHooks))
    assert hooks.summary[1].startswith(
        f"  ONNX parity  {model_name} (dynamo exporter) matches torch on 574 test rows"
    )
    assert hooks.summary[2].endswith(str(folder.relative_to(project_copy)))
    model = OnnxModel(folder)
    spec = json.loads((folder / "preprocessing.json").read_text())
    test_encoded = pl.read_parquet(data / "05_model_input/test_encoded/*.parquet")
    predictions = pl.read_parquet(data / "07_model_output/test_predictions.parquet")
    feature_map = FeatureMap.from_dict(spec["feature_map"])
    probabilities = model.predict_proba(*onnx_inputs(test_encoded, feature_map))
    assert probabilities.shape == (574,)
    # the demo's counters are log-bucketed into ids: numerics is [batch, 0], and
    # still an input, as the spec says
    assert [i["name"] for i in spec["onnx"]["inputs"]] == model.input_names
    assert spec["onnx"]["inputs"][1]["shape"] == ["batch", 0]
    expected = predictions.get_column("probability").to_numpy()
    np.testing.assert_allclose(probabilities, expected, rtol=0, atol=1e-5)
    assert expected.std() > 0.01
