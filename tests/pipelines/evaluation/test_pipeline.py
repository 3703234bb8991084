"""Evaluation nodes one by one, and the metrics/plot slice run by Kedro's runner."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest
import torch
from kedro.config import OmegaConfigLoader
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro.validation import TypeExtractor
from pydantic import ValidationError

from ctrflow.evaluation.metrics import summarise_predictions
from ctrflow.evaluation.params import EvaluationParams
from ctrflow.feature_engineering.feature_map import (
    CategoricalField,
    FeatureMap,
    NumericField,
)
from ctrflow.models import build_model
from ctrflow.models.batch import Batch
from ctrflow.models.lr import LRConfig
from ctrflow.pipelines.evaluation import create_pipeline
from ctrflow.pipelines.evaluation.nodes import (
    compute_metrics,
    plot_calibration,
    plot_learning_curve,
    plot_roc,
    score_test_set,
)
from ctrflow.training import artifact as artifact_module
from ctrflow.training.artifact import ModelArtifact
from ctrflow.training.params import TrainingParams

_CONF = Path(__file__).resolve().parents[3] / "conf"
_SUMMARY_KEYS = {
    "auc", "logloss", "predicted_mean", "observed_rate", "calibration_ratio", "ece",
    "rows", "positives",
}  # fmt: skip


def _project_config(key: str) -> dict:
    """The project's resolved base configuration (``catalog``, ``parameters``)."""
    loader = OmegaConfigLoader(str(_CONF), base_env="base", default_run_env="local")
    return loader[key]


@pytest.fixture
def test_predictions() -> pl.DataFrame:
    rng = np.random.default_rng(42)
    probabilities = rng.beta(1, 12, size=5000).astype(np.float32)
    labels = (rng.random(5000) < probabilities).astype(np.int8)
    return pl.DataFrame({"label": labels, "probability": probabilities})


@pytest.fixture
def training_history() -> dict:
    epochs = [
        {
            "epoch": epoch,
            "train_loss": 0.48 - 0.01 * epoch,
            "valid_auc": auc,
            "valid_logloss": 0.45 - 0.005 * epoch,
            "learning_rate": 1e-3,
            "seconds": 2.0,
        }
        for epoch, auc in ((1, 0.70), (2, 0.72), (3, 0.71))
    ]
    return {
        "epochs": epochs,
        "best_epoch": 2,
        "train_seconds": 6.0,
        "train_samples_per_second": 12_000.0,
        "model": "DeepFM",
        "device": "cpu",
    }


@pytest.fixture
def data_fingerprint() -> dict:
    return {"sha256": {"all": "ab" * 32}, "rows": {"train": 8, "valid": 1, "test": 1}}


@pytest.fixture
def parameters() -> dict:
    """Kedro's validated ``parameters``: typed blocks appear as pydantic models."""
    return {
        "evaluation": EvaluationParams(calibration_bins=5),
        "training": TrainingParams(),
        "schema": {"label": "label", "categorical": ["C1"], "numeric": []},
        "threshold": float("inf"),
    }


def _values(array) -> np.ndarray:
    """A trace's data, also when a copy encoded it as plotly's typed array (bdata)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


@pytest.fixture
def upstream(training_history, data_fingerprint, parameters) -> dict:
    """The stage's inputs from earlier stages and the configuration."""
    return {
        "training_history": training_history,
        "data_fingerprint": data_fingerprint,
        "parameters": parameters,
        "params:evaluation": parameters["evaluation"],
    }


# --- score_test_set -----------------------------------------------------------------


def _fake_predict_proba(returned: np.ndarray, calls: list):
    def predict_proba(artifact, encoded, batch_size, device):
        calls.append(
            {"batch_size": batch_size, "device": device, "rows": encoded.height}
        )
        return returned

    return predict_proba


def test_score_test_set_pairs_labels_with_probabilities(monkeypatch):
    calls: list = []
    probabilities = np.array([0.1, 0.8, 0.3], dtype=np.float32)
    # the node imports the trainer when it runs (registering imports no torch)
    monkeypatch.setattr(
        artifact_module, "predict_proba", _fake_predict_proba(probabilities, calls)
    )
    artifact = SimpleNamespace(feature_map=SimpleNamespace(label="clicked"))
    encoded = pl.DataFrame({"clicked": [0, 1, 0], "C1": [3, 4, 5]})

    scored = score_test_set(
        artifact, encoded, EvaluationParams(batch_size=2, device="cpu")
    )

    assert scored.schema == pl.Schema({"label": pl.Int8, "probability": pl.Float32})
    assert scored["label"].to_list() == [0, 1, 0]
    np.testing.assert_array_equal(scored["probability"].to_numpy(), probabilities)
    assert calls == [{"batch_size": 2, "device": "cpu", "rows": 3}]


@pytest.fixture
def lr_artifact() -> ModelArtifact:
    """A logistic regression with random weights on one categorical, one numeric."""
    torch.manual_seed(0)
    feature_map = FeatureMap(
        label="clicked",
        categorical=[CategoricalField("C1", ["a", "b", "c"], offset=0)],
        numeric=[NumericField("I1", "log1p")],
    )
    model = build_model("LR", feature_map.field_spec, LRConfig())
    with torch.no_grad():
        for weights in model.parameters():
            weights.normal_()  # zeros would score every row 0.5
    return ModelArtifact(model, "LR", {}, feature_map, {})


@pytest.fixture
def test_encoded() -> pl.DataFrame:
    rng = np.random.default_rng(0)
    rows = 300
    return pl.DataFrame(
        {
            "clicked": pl.Series(rng.random(rows) < 0.3, dtype=pl.Int8),
            "C1": pl.Series(rng.integers(0, 5, rows), dtype=pl.Int32),
            "I1": pl.Series(rng.normal(size=rows), dtype=pl.Float32),
        }
    )


def test_score_test_set_scores_a_real_artifact(lr_artifact, test_encoded):
    scored = score_test_set(
        lr_artifact, test_encoded, EvaluationParams(batch_size=64, device="cpu")
    )

    batch = Batch(
        torch.from_numpy(test_encoded["C1"].to_numpy()[:, None].copy()),
        torch.from_numpy(test_encoded["I1"].to_numpy()[:, None].copy()),
    )
    with torch.no_grad():
        logits = lr_artifact.model(batch).logits
    assert scored["label"].to_list() == test_encoded["clicked"].to_list()
    np.testing.assert_allclose(
        scored["probability"].to_numpy(), torch.sigmoid(logits).numpy(), rtol=1e-5
    )


def test_score_test_set_rejects_a_wrong_number_of_probabilities(monkeypatch):
    monkeypatch.setattr(
        artifact_module,
        "predict_proba",
        _fake_predict_proba(np.zeros(2, np.float32), []),
    )
    artifact = SimpleNamespace(feature_map=SimpleNamespace(label="clicked"))
    with pytest.raises(ValueError, match="for 3 test rows"):
        score_test_set(
            artifact, pl.DataFrame({"clicked": [0, 1, 0]}), EvaluationParams()
        )


# --- compute_metrics ----------------------------------------------------------------------


def test_compute_metrics_records_summary_history_and_provenance(
    test_predictions, training_history, data_fingerprint, parameters
):
    metrics = compute_metrics(
        test_predictions,
        training_history,
        data_fingerprint,
        parameters,
        EvaluationParams(),
    )

    expected = summarise_predictions(
        test_predictions["label"].to_numpy(),
        test_predictions["probability"].to_numpy(),
        10,
    )
    assert {key: metrics[key] for key in _SUMMARY_KEYS} == expected
    assert metrics["rows"] == 5000
    assert 0.5 < metrics["auc"] < 1.0
    assert metrics["epochs"] == 3 and metrics["best_epoch"] == 2
    assert metrics["training"] == {
        "best_epoch": 2,
        "train_seconds": 6.0,
        "train_samples_per_second": 12_000.0,
        "model": "DeepFM",
        "device": "cpu",
    }
    assert metrics["data_fingerprint"] == data_fingerprint
    # pydantic blocks dumped, non-finite floats spelled out: strict JSON
    assert metrics["parameters"]["evaluation"]["calibration_bins"] == 5
    assert metrics["parameters"]["training"]["model"] == "DeepFM"
    assert metrics["parameters"]["threshold"] == "inf"
    json.dumps(metrics, allow_nan=False)
    assert set(metrics["versions"]) >= {
        "kedro", "kedro-datasets", "torch", "polars", "numpy", "great_expectations",
        "outrank", "plotly", "scikit-learn", "python",
    }  # fmt: skip
    assert metrics["versions"]["kedro"].startswith("1.7")
    assert metrics["evaluated_at"].endswith("+00:00")


def test_compute_metrics_uses_the_configured_bins(
    test_predictions, training_history, data_fingerprint, parameters
):
    coarse, fine = (
        compute_metrics(
            test_predictions, training_history, data_fingerprint, parameters,
            EvaluationParams(calibration_bins=bins),
        )["ece"]
        for bins in (2, 50)
    )  # fmt: skip
    assert coarse != fine


def test_compute_metrics_single_class_raises(
    training_history, data_fingerprint, parameters
):
    clicks_only = pl.DataFrame({"label": [1, 1, 1], "probability": [0.2, 0.5, 0.9]})
    with pytest.raises(ValueError, match="single class"):
        compute_metrics(
            clicks_only,
            training_history,
            data_fingerprint,
            parameters,
            EvaluationParams(),
        )


def test_compute_metrics_names_a_missing_column(
    test_predictions, training_history, data_fingerprint, parameters
):
    with pytest.raises(KeyError, match="probability"):
        compute_metrics(
            test_predictions.drop("probability"),
            training_history, data_fingerprint, parameters, EvaluationParams(),
        )  # fmt: skip


# --- plot nodes ---------------------------------------------------------------------------


def test_plot_nodes_return_figures(test_predictions, training_history):
    params = EvaluationParams(roc_points=20, calibration_bins=4)
    roc = plot_roc(test_predictions, params)
    assert isinstance(roc, go.Figure) and len(roc.data[0].x) <= 20
    calibration = plot_calibration(test_predictions, params)
    assert len(calibration.data[2].y) == 4
    learning_curve = plot_learning_curve(training_history)
    assert list(learning_curve.data[0].x) == [1, 2, 3]


def test_plot_learning_curve_needs_the_epochs(training_history):
    del training_history["epochs"]
    with pytest.raises(KeyError, match="epochs"):
        plot_learning_curve(training_history)


# --- the pipeline -------------------------------------------------------------------------


def test_pipeline_matches_the_stage_contract():
    pipeline = create_pipeline()
    assert pipeline.inputs() == {
        "model", "test_encoded", "training_history", "data_fingerprint", "parameters",
        "params:evaluation",
    }  # fmt: skip
    assert pipeline.outputs() == {
        "metrics",
        "roc_plot",
        "calibration_plot",
        "learning_curve_plot",
    }
    assert "test_predictions" in pipeline.all_outputs()


def test_kedro_validates_params_evaluation_as_evaluation_params():
    requirements = TypeExtractor(
        {"evaluation": create_pipeline()}
    ).extract_types_from_pipelines()
    assert requirements == {"evaluation": EvaluationParams}


def test_parameters_file_is_valid_and_typos_are_refused():
    block = _project_config("parameters")["evaluation"]
    assert EvaluationParams.model_validate(block) == EvaluationParams()
    with pytest.raises(ValidationError, match="calibration_bin"):
        EvaluationParams.model_validate({**block, "calibration_bin": 5})


def test_metrics_and_plots_slice_runs(test_predictions, upstream):
    catalog = DataCatalog(
        {
            name: MemoryDataset(data)
            for name, data in {"test_predictions": test_predictions, **upstream}.items()
        }
    )
    pipeline = create_pipeline().from_nodes(
        "evaluation.compute_metrics_node", "evaluation.plot_roc_node",
        "evaluation.plot_calibration_node", "evaluation.plot_learning_curve_node",
    )  # fmt: skip

    outputs = SequentialRunner().run(pipeline, catalog)

    plots = {"roc_plot", "calibration_plot", "learning_curve_plot"}
    assert set(outputs) == {"metrics", *plots}
    metrics = catalog.load("metrics")
    assert metrics["rows"] == test_predictions.height
    assert metrics["parameters"]["evaluation"]["calibration_bins"] == 5
    # figures come back through MemoryDataset's deepcopy, arrays as plotly typed arrays
    assert _values(catalog.load("calibration_plot").data[2].y).sum() == metrics["rows"]
    assert len(_values(catalog.load("calibration_plot").data[2].y)) == 5  # params' bins
    for name in plots:
        assert isinstance(catalog.load(name), go.Figure)


def test_whole_stage_saves_through_the_project_catalog(
    tmp_path, lr_artifact, test_encoded, upstream
):
    """Every output persisted as conf/base/catalog.yml says (files under tmp_path)."""
    entries = _project_config("catalog")
    paths = {
        name: tmp_path / entries[name]["filepath"].lstrip("/")
        for name in ("test_predictions", "metrics", "{plot}_plot")
    }
    catalog = DataCatalog.from_config(
        {name: {**entries[name], "filepath": str(path)} for name, path in paths.items()}
    )
    inputs = {"model": lr_artifact, "test_encoded": test_encoded, **upstream}
    for name, data in inputs.items():
        catalog[name] = data

    SequentialRunner().run(create_pipeline(), catalog)

    # versioned: <filepath>/<version>/<file name>, one version per run
    (metrics_file,) = paths["metrics"].glob(f"*/{paths['metrics'].name}")
    metrics = json.loads(metrics_file.read_text())
    assert metrics["rows"] == test_encoded.height
    assert metrics["positives"] == test_encoded["clicked"].sum()
    for plot in ("roc", "calibration", "learning_curve"):
        assert isinstance(catalog.load(f"{plot}_plot"), go.Figure)
        plot_path = Path(str(paths["{plot}_plot"]).replace("{plot}", plot))
        assert len(list(plot_path.glob(f"*/{plot_path.name}"))) == 1
    predictions = pl.read_parquet(paths["test_predictions"])
    assert predictions.columns == ["label", "probability"]
    assert predictions.height == test_encoded.height
