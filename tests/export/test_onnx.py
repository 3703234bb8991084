"""ONNX export: two models through onnxruntime match torch within 1e-5 on random
demo-shaped rows, at any batch size; DIN takes its sequences; the TorchScript
fallback and its failure are named."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from ctrflow.export import onnx as export_module
from ctrflow.export.onnx import ExportError, build_onnx_export, export_onnx
from ctrflow.export.params import ExportParams
from ctrflow.export.parity import onnx_inputs
from ctrflow.export.runtime import OnnxModel
from ctrflow.training.artifact import predict_proba

ATOL = ExportParams().parity_atol


def _assert_matches_torch(export, artifact, encoded) -> None:
    """onnxruntime's probabilities of ``export`` are torch's within ``ATOL``."""
    model = OnnxModel.from_bytes(export.onnx_model, export.preprocessing)
    np.testing.assert_allclose(
        model.predict_proba(*onnx_inputs(encoded, artifact.feature_map)),
        predict_proba(artifact, encoded, device="cpu"),
        atol=ATOL,
        rtol=0,
    )


@pytest.mark.parametrize("name", ["DeepFM", "DCNv2"])
def test_an_export_matches_torch_within_the_tolerance(
    name, tmp_path, make_artifact, random_encoded
):
    artifact = make_artifact(name)
    result = export_onnx(artifact, tmp_path / "export")
    assert result.exporter == "dynamo" and result.fallback_reason is None
    assert result.model_path.is_file() and result.preprocessing_path.is_file()
    graph = onnx.load(result.model_path)
    onnx.checker.check_model(graph)
    assert [i.name for i in graph.graph.input] == ["ids", "numerics"]
    assert [o.name for o in graph.graph.output] == ["logits"]
    assert max(o.version for o in graph.opset_import if o.domain == "") == 18

    encoded = random_encoded(artifact.feature_map, 2000)
    expected = predict_proba(artifact, encoded, device="cpu")
    actual = OnnxModel(result.folder).predict_proba(
        *onnx_inputs(encoded, artifact.feature_map)
    )
    assert actual.dtype == np.float32 and actual.shape == (2000,)
    # the probabilities spread: the comparison is not between two constants
    assert expected.std() > 0.01
    np.testing.assert_allclose(actual, expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("rows", [1, 257])
def test_the_batch_axis_is_dynamic(rows, make_artifact, random_encoded):
    artifact = make_artifact("DeepFM")
    export = build_onnx_export(artifact)
    encoded = random_encoded(artifact.feature_map, rows, seed=rows)
    model = OnnxModel.from_bytes(export.onnx_model, export.preprocessing)
    logits = model.predict_logits(*onnx_inputs(encoded, artifact.feature_map))
    assert logits.shape == (rows,)
    _assert_matches_torch(export, artifact, encoded)


def test_a_model_in_training_mode_is_exported_in_eval_mode_and_left_as_is(
    make_artifact, random_encoded
):
    artifact = make_artifact("DNN")  # batch-norm and dropout in its MLP
    artifact.model.train()
    export = build_onnx_export(artifact)
    assert artifact.model.training  # the caller's model is untouched
    artifact.model.eval()
    _assert_matches_torch(export, artifact, random_encoded(artifact.feature_map, 300))


def test_a_fixed_batch_takes_exactly_the_example_rows(make_artifact, random_encoded):
    artifact = make_artifact("LR")
    export = build_onnx_export(artifact, ExportParams(dynamic_batch=False))
    model = OnnxModel.from_bytes(export.onnx_model, export.preprocessing)
    assert export.preprocessing["onnx"]["inputs"][0]["shape"] == [None, 26]
    assert model.predict_logits(
        *onnx_inputs(random_encoded(artifact.feature_map, 8), artifact.feature_map)
    ).shape == (8,)
    with pytest.raises(Exception, match="(?i)dimension|shape"):
        model.predict_logits(
            *onnx_inputs(random_encoded(artifact.feature_map, 9), artifact.feature_map)
        )


def test_din_takes_its_behaviour_sequences(make_artifact, random_encoded):
    artifact = make_artifact("DIN", sequence=True)
    export = build_onnx_export(artifact)
    inputs = export.preprocessing["onnx"]["inputs"]
    assert [(i["name"], i["shape"]) for i in inputs] == [
        ("ids", ["batch", 26]),
        ("numerics", ["batch", 13]),
        ("sequences", ["batch", 1, 6]),
    ]
    model = OnnxModel.from_bytes(export.onnx_model, export.preprocessing)
    encoded = random_encoded(artifact.feature_map, 500)
    ids, numerics, sequences = onnx_inputs(encoded, artifact.feature_map)
    expected = predict_proba(artifact, encoded, device="cpu")
    np.testing.assert_allclose(
        model.predict_proba(ids, numerics, sequences), expected, atol=ATOL, rtol=0
    )
    with pytest.raises(ValueError, match="sequences"):
        model.predict_logits(ids, numerics)


def test_the_torchscript_exporter_takes_over_when_dynamo_fails(
    monkeypatch, make_artifact, random_encoded
):
    def fail(*args, **kwargs):
        raise RuntimeError("unsupported operator aten::example")

    monkeypatch.setattr(export_module, "_export_dynamo", fail)
    artifact = make_artifact("FM")
    export = build_onnx_export(artifact)
    assert export.exporter == "torchscript"
    assert export.fallback_reason == "RuntimeError: unsupported operator aten::example"
    assert export.preprocessing["onnx"]["exporter"] == "torchscript"
    _assert_matches_torch(export, artifact, random_encoded(artifact.feature_map, 300))


def test_both_exporters_failing_names_the_model_and_both_errors(
    monkeypatch, make_artifact
):
    def fail(name):
        def exporter(*args, **kwargs):
            raise RuntimeError(f"{name} cannot")

        return exporter

    monkeypatch.setattr(export_module, "_export_dynamo", fail("dynamo"))
    monkeypatch.setattr(export_module, "_export_torchscript", fail("torchscript"))
    with pytest.raises(
        ExportError, match=r"LR cannot be exported.*dynamo cannot.*torchscript cannot"
    ):
        build_onnx_export(make_artifact("LR"))
