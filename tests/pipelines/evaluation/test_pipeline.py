"""Evaluation nodes one by one (the baseline's fit, the metrics' intervals and
warnings), and the metrics/plot slice run by Kedro's runner."""

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
    fit_baseline_model,
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
    "rows", "positives", "negatives",
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
def baseline_test_predictions(test_predictions) -> pl.DataFrame:
    """A weaker scorer of the same rows: the model's probabilities, blurred."""
    rng = np.random.default_rng(1)
    probabilities = test_predictions["probability"].to_numpy()
    blurred = np.clip(probabilities + rng.normal(0, 0.1, probabilities.size), 1e-3, 1)
    return test_predictions.with_columns(
        pl.Series("probability", blurred, dtype=pl.Float32)
    )


@pytest.fixture
def baseline_fit() -> dict:
    """What ``fit_baseline_model`` records (reduced to what the metrics read)."""
    return {
        "enabled": True,
        "valid_split": {"rows": 5000, "positives": 400, "negatives": 4600},
        "model": "LogisticRegression",
        "C": 0.1,
        "valid_auc": 0.69,
        "fit_seconds": 0.4,
    }


def _metrics(test_predictions, baseline_test_predictions, baseline_fit, **params):
    """``compute_metrics`` with this module's history, fingerprint and parameters."""
    return compute_metrics(
        test_predictions,
        baseline_test_predictions,
        baseline_fit,
        {"epochs": [], "best_epoch": None, "model": "DeepFM"},
        {"sha256": {"all": "ab"}},
        {},
        EvaluationParams(**params),
    )


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
    """The stage's inputs from earlier stages (but the splits and the model) and
    the configuration."""
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


def _encoded_split(seed: int, rows: int) -> pl.DataFrame:
    """An encoded split of ``lr_artifact``'s feature map; clicks follow C1 and I1."""
    rng = np.random.default_rng(seed)
    c1 = rng.integers(0, 5, rows)
    i1 = rng.normal(size=rows)
    clicked = rng.random(rows) < 1 / (1 + np.exp(1 - 0.5 * (c1 - 2) - i1))
    return pl.DataFrame(
        {
            "clicked": pl.Series(clicked, dtype=pl.Int8),
            "C1": pl.Series(c1, dtype=pl.Int32),
            "I1": pl.Series(i1, dtype=pl.Float32),
        }
    )


@pytest.fixture
def test_encoded() -> pl.DataFrame:
    return _encoded_split(0, 300)


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


def test_a_lazy_scan_of_shards_is_scored_block_by_block(
    lr_artifact, test_encoded, tmp_path
):
    for index, shard in enumerate(test_encoded.iter_slices(70)):
        shard.write_parquet(tmp_path / f"part-{index:05d}.parquet")
    scan = pl.scan_parquet(tmp_path / "*.parquet")
    params = EvaluationParams(batch_size=64, device="cpu")

    assert score_test_set(lr_artifact, scan, params).equals(
        score_test_set(lr_artifact, test_encoded, params)
    )
    blocks = artifact_module.predict_proba(lr_artifact, scan, 64, "cpu", block_rows=50)
    np.testing.assert_array_equal(
        blocks, artifact_module.predict_proba(lr_artifact, test_encoded, 64, "cpu")
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


@pytest.fixture
def baseline(baseline_test_predictions, baseline_fit) -> tuple[pl.DataFrame, dict]:
    return baseline_test_predictions, baseline_fit


def test_compute_metrics_records_summary_history_and_provenance(
    test_predictions, baseline, training_history, data_fingerprint, parameters
):
    metrics = compute_metrics(
        test_predictions,
        *baseline,
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
    test_predictions, baseline_test_predictions, baseline_fit
):
    coarse, fine = (
        _metrics(
            test_predictions, baseline_test_predictions, baseline_fit,
            calibration_bins=bins,
        )["ece"]
        for bins in (2, 50)
    )  # fmt: skip
    assert coarse != fine


def test_compute_metrics_single_class_raises(baseline_fit):
    clicks_only = pl.DataFrame({"label": [1, 1, 1], "probability": [0.2, 0.5, 0.9]})
    with pytest.raises(ValueError, match="single class"):
        _metrics(clicks_only, clicks_only, baseline_fit)


def test_compute_metrics_names_a_missing_column(
    test_predictions, baseline_test_predictions, baseline_fit
):
    with pytest.raises(KeyError, match="probability"):
        _metrics(
            test_predictions.drop("probability"), baseline_test_predictions,
            baseline_fit,
        )  # fmt: skip


def test_metrics_follow_the_contract(
    test_predictions, baseline_test_predictions, baseline_fit, caplog
):
    metrics = _metrics(test_predictions, baseline_test_predictions, baseline_fit)

    labels = test_predictions["label"].to_numpy()
    assert metrics["negatives"] == labels.size - labels.sum()
    ci = metrics["auc_ci"]
    assert set(ci) == {"low", "high", "level", "method"}
    assert ci["low"] < metrics["auc"] < ci["high"] and ci["high"] - ci["low"] < 0.1
    assert (ci["level"], ci["method"]) == (0.95, "DeLong")
    baseline = metrics["baseline"]
    assert {"model", "auc", "auc_ci", "logloss", "fit_seconds"} <= set(baseline)
    assert baseline["model"] == "LogisticRegression" and baseline["fit_seconds"] == 0.4
    assert baseline["auc"] < metrics["auc"]  # the blurred scorer is weaker
    assert set(baseline["auc_ci"]) == set(ci)
    comparison = metrics["auc_vs_baseline"]
    assert set(comparison) == {"difference", "low", "high", "p_value"}
    assert comparison["difference"] == pytest.approx(metrics["auc"] - baseline["auc"])
    assert 0 < comparison["low"] < comparison["difference"] < comparison["high"]
    # enough of both classes, a narrow interval, the baseline beaten: no warning
    assert metrics["warnings"] == []
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    json.dumps(metrics, allow_nan=False)


def test_too_few_positives_are_a_warning(baseline_fit, caplog):
    # the case: 20 positives in 800 test rows
    rng = np.random.default_rng(5)
    labels = np.r_[np.ones(20, np.int8), np.zeros(780, np.int8)]
    probabilities = 1 / (1 + np.exp(-(labels + rng.normal(size=labels.size) - 3)))
    few = pl.DataFrame(
        {"label": labels, "probability": probabilities.astype(np.float32)}
    )
    metrics = _metrics(few, few, {**baseline_fit, "enabled": False})

    (warning,) = metrics["warnings"]
    low, high = metrics["auc_ci"]["low"], metrics["auc_ci"]["high"]
    assert high - low > 0.1
    assert warning.startswith(
        f"test AUC {metrics['auc']:.4f} (95% CI {low:.2f}–{high:.2f}, "
        "20 positives: too few to trust, 780 negatives)"
    )
    assert "evaluation.min_positives = 100" in warning
    assert "evaluation.max_auc_ci_half_width" in warning
    assert [r.levelname for r in caplog.records].count("WARNING") == 1
    # the thresholds are parameters: lowered, the same split is trusted
    trusted = _metrics(
        few, few, {**baseline_fit, "enabled": False},
        min_positives=10, max_auc_ci_half_width=0.2,
    )  # fmt: skip
    assert trusted["warnings"] == []


def test_a_small_validation_split_is_a_warning(
    test_predictions, baseline_test_predictions, baseline_fit
):
    small = {"rows": 300, "positives": 30, "negatives": 270}
    metrics = _metrics(
        test_predictions,
        baseline_test_predictions,
        {**baseline_fit, "valid_split": small},
    )
    (warning,) = metrics["warnings"]
    assert warning.startswith("validation split: 30 positives, 270 negatives")
    assert "evaluation.min_positives = 100" in warning


def test_a_model_worse_than_the_baseline_is_a_warning(
    test_predictions, baseline_test_predictions, baseline_fit
):
    # swapped: the blurred scores are the model's now
    metrics = _metrics(baseline_test_predictions, test_predictions, baseline_fit)
    assert metrics["auc_vs_baseline"]["high"] < 0
    (warning,) = metrics["warnings"]
    assert warning.startswith(
        "the model is worse than the LogisticRegression baseline (C=0.1"
    )


def test_a_model_no_better_than_the_baseline_does_not_beat_it(
    test_predictions, baseline_fit
):
    # the baseline's own scores: difference 0, its interval [0, 0] includes 0
    metrics = _metrics(test_predictions, test_predictions, baseline_fit)
    assert metrics["auc_vs_baseline"]["difference"] == 0
    (warning,) = metrics["warnings"]
    assert warning.startswith("the model does not beat the LogisticRegression")


def test_a_disabled_baseline_leaves_its_keys_empty(test_predictions, baseline_fit):
    empty = pl.DataFrame(schema={"label": pl.Int8, "probability": pl.Float32})
    metrics = _metrics(
        test_predictions,
        empty,
        {"enabled": False, "valid_split": baseline_fit["valid_split"]},
    )
    assert metrics["baseline"] is None and metrics["auc_vs_baseline"] is None
    assert metrics["warnings"] == []


def test_baseline_predictions_of_other_rows_are_refused(
    test_predictions, baseline_test_predictions, baseline_fit
):
    with pytest.raises(ValueError, match="not of the model's test rows"):
        _metrics(test_predictions, baseline_test_predictions.head(10), baseline_fit)


# --- fit_baseline_model -------------------------------------------------------------


def test_fit_baseline_model_scores_the_test_rows(lr_artifact, test_encoded):
    train, valid = _encoded_split(1, 600), _encoded_split(2, 300)
    predictions, record = fit_baseline_model(
        train, valid, test_encoded, lr_artifact.feature_map.to_dict(),
        EvaluationParams(),
    )  # fmt: skip

    assert predictions.schema == pl.Schema(
        {"label": pl.Int8, "probability": pl.Float32}
    )
    assert predictions["label"].to_list() == test_encoded["clicked"].to_list()
    assert predictions["probability"].is_between(0, 1).all()
    positives = int(valid["clicked"].sum())
    assert record["valid_split"] == {
        "rows": 300, "positives": positives, "negatives": 300 - positives,
    }  # fmt: skip
    assert record["model"] == "LogisticRegression" and record["enabled"] is True
    assert record["C"] in EvaluationParams().baseline.c_values
    assert 1 <= len(record["grid"]) <= len(EvaluationParams().baseline.c_values)
    assert record["columns"] == 5 + 1  # C1's 5 ids, I1
    assert record["valid_auc_ci"]["method"] == "DeLong"
    assert record["fit_seconds"] > 0
    json.dumps(record, allow_nan=False)


def test_fit_baseline_model_disabled_fits_nothing(lr_artifact, test_encoded):
    params = EvaluationParams(baseline={"enabled": False})
    predictions, record = fit_baseline_model(
        test_encoded, test_encoded, test_encoded, lr_artifact.feature_map.to_dict(),
        params,
    )  # fmt: skip
    assert predictions.height == 0 and predictions.columns == ["label", "probability"]
    assert set(record) == {"enabled", "valid_split"} and record["enabled"] is False


# --- plot nodes ---------------------------------------------------------------------------


def test_plot_nodes_return_figures(
    test_predictions, baseline_test_predictions, baseline_fit, training_history
):
    params = EvaluationParams(roc_points=20, calibration_bins=4)
    roc = plot_roc(test_predictions, baseline_test_predictions, params)
    assert isinstance(roc, go.Figure) and len(roc.data[0].x) <= 20
    assert [trace.name.split(" (")[0] for trace in roc.data] == [
        "ROC", "baseline LR", "chance",
    ]  # fmt: skip
    assert len(roc.data[1].x) <= 20
    calibration = plot_calibration(test_predictions, params)
    assert len(calibration.data[2].y) == 4
    learning_curve = plot_learning_curve(training_history, baseline_fit)
    assert list(learning_curve.data[0].x) == [1, 2, 3]
    assert list(learning_curve.data[-1].y) == [0.69, 0.69]  # baseline's valid AUC


def test_plots_without_a_baseline_draw_the_model_alone(
    test_predictions, training_history
):
    empty = pl.DataFrame(schema={"label": pl.Int8, "probability": pl.Float32})
    roc = plot_roc(test_predictions, empty, EvaluationParams())
    assert [trace.name for trace in roc.data][1:] == ["chance"]
    learning_curve = plot_learning_curve(training_history, {"enabled": False})
    assert [trace.name for trace in learning_curve.data] == [
        "train loss", "valid logloss", "valid AUC",
    ]  # fmt: skip


def test_plot_learning_curve_needs_the_epochs(training_history, baseline_fit):
    del training_history["epochs"]
    with pytest.raises(KeyError, match="epochs"):
        plot_learning_curve(training_history, baseline_fit)


# --- the pipeline -------------------------------------------------------------------------


def test_pipeline_matches_the_stage_contract():
    pipeline = create_pipeline()
    assert pipeline.inputs() == {
        "model", "train_encoded", "valid_encoded", "test_encoded", "feature_map",
        "training_history", "data_fingerprint", "parameters", "params:evaluation",
    }  # fmt: skip
    assert pipeline.outputs() == {
        "metrics",
        "roc_plot",
        "calibration_plot",
        "learning_curve_plot",
    }
    assert {"test_predictions", "baseline_test_predictions", "baseline_fit"} <= (
        pipeline.all_outputs()
    )


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


def test_metrics_and_plots_slice_runs(
    test_predictions, baseline_test_predictions, baseline_fit, upstream
):
    scored = {
        "test_predictions": test_predictions,
        "baseline_test_predictions": baseline_test_predictions,
        "baseline_fit": baseline_fit,
    }
    catalog = DataCatalog(
        {name: MemoryDataset(data) for name, data in {**scored, **upstream}.items()}
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
    outputs = (
        "test_predictions", "baseline_test_predictions", "baseline_fit", "metrics",
        "{plot}_plot",
    )  # fmt: skip
    paths = {name: tmp_path / entries[name]["filepath"].lstrip("/") for name in outputs}
    catalog = DataCatalog.from_config(
        {name: {**entries[name], "filepath": str(path)} for name, path in paths.items()}
    )
    inputs = {
        "model": lr_artifact,
        "train_encoded": _encoded_split(1, 600),
        "valid_encoded": _encoded_split(2, 300),
        "test_encoded": test_encoded,
        "feature_map": lr_artifact.feature_map.to_dict(),
        **upstream,
    }
    for name, data in inputs.items():
        catalog[name] = data

    SequentialRunner().run(create_pipeline(), catalog)

    # versioned: <filepath>/<version>/<file name>, one version per run
    (metrics_file,) = paths["metrics"].glob(f"*/{paths['metrics'].name}")
    metrics = json.loads(metrics_file.read_text())
    assert metrics["rows"] == test_encoded.height
    assert metrics["positives"] == test_encoded["clicked"].sum()
    assert metrics["baseline"]["model"] == "LogisticRegression"
    assert metrics["baseline"]["auc"] > 0.6  # clicks follow C1 and I1
    (fit_file,) = paths["baseline_fit"].glob(f"*/{paths['baseline_fit'].name}")
    assert json.loads(fit_file.read_text())["C"] == metrics["baseline"]["C"]
    baseline = pl.read_parquet(paths["baseline_test_predictions"])
    assert baseline["label"].to_list() == test_encoded["clicked"].to_list()
    for plot in ("roc", "calibration", "learning_curve"):
        assert isinstance(catalog.load(f"{plot}_plot"), go.Figure)
        plot_path = Path(str(paths["{plot}_plot"]).replace("{plot}", plot))
        assert len(list(plot_path.glob(f"*/{plot_path.name}"))) == 1
    predictions = pl.read_parquet(paths["test_predictions"])
    assert predictions.columns == ["label", "probability"]
    assert predictions.height == test_encoded.height
