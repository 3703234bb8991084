"""Benchmark nodes one by one, the leaderboard slice run by Kedro's runner, and
the wiring (namespaces, tags, catalog factories, parameter validation)."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from kedro.config import OmegaConfigLoader
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro.validation import ParameterValidationError, ParameterValidator, TypeExtractor
from pydantic import ValidationError

from ctrflow import settings
from ctrflow.models.registry import MODEL_NAMES
from ctrflow.pipelines import evaluation, training
from ctrflow.pipelines.benchmark import create_pipeline
from ctrflow.pipelines.benchmark.nodes import (
    LEADERBOARD_SCHEMA,
    BenchmarkError,
    build_leaderboard,
    model_binder,
    plot_leaderboard,
)
from ctrflow.pipelines.benchmark.params import BenchmarkParams
from ctrflow.training.params import TrainingParams

_CONF = Path(__file__).resolve().parents[3] / "conf"
MODELS = ["LR", "DNN", "FCN"]
PARAMS = BenchmarkParams()
FINGERPRINT = {"sha256": {"all": "abc"}, "rows": {"train": 8, "valid": 1, "test": 1}}


def _benchmark(models: list[str] = MODELS):
    return create_pipeline(
        training.create_pipeline(), evaluation.create_pipeline(), models=models
    )


def _metrics(model: str, auc: float, logloss: float, fingerprint=FINGERPRINT) -> dict:
    """What ``compute_metrics`` writes, reduced to what the leaderboard reads."""
    return {
        "auc": auc,
        "logloss": logloss,
        "epochs": 3,
        "best_epoch": 2,
        "training": {
            "model": model,
            "train_seconds": 1.5,
            "train_samples_per_second": 1000.0,
        },
        "data_fingerprint": fingerprint,
    }


@pytest.fixture
def metrics() -> list[dict]:
    return [
        _metrics("LR", 0.93, 0.31),
        _metrics("DNN", 0.98, 0.16),
        _metrics("FCN", 0.95, 0.20),
    ]


@pytest.fixture
def bars() -> pl.DataFrame:
    """A BARS-shaped table: DNN is ``YoutubeDNN`` there, FCN is absent."""
    return pl.DataFrame(
        {
            "Year": [2007, 2016],
            "Model": ["LR", "YoutubeDNN"],
            "AUC": [0.9356, 0.9833],
            "Logloss": [0.3076, 0.1622],
        }
    )


def test_leaderboard_ranks_models_beside_bars(metrics, bars):
    board = build_leaderboard(PARAMS, bars, FINGERPRINT, *metrics)
    assert board.schema == pl.Schema(LEADERBOARD_SCHEMA)
    assert board.get_column("model").to_list() == ["DNN", "FCN", "LR"]
    rows = {row["model"]: row for row in board.iter_rows(named=True)}
    assert rows["DNN"]["bars_auc"] == 0.9833
    assert rows["DNN"]["bars_logloss"] == 0.1622
    assert rows["DNN"]["auc_diff"] == pytest.approx(0.98 - 0.9833)
    assert rows["LR"]["auc_diff"] == pytest.approx(0.93 - 0.9356)
    assert rows["FCN"]["bars_auc"] is None and rows["FCN"]["auc_diff"] is None
    assert rows["FCN"]["epochs"] == 3 and rows["FCN"]["best_epoch"] == 2
    assert rows["FCN"]["train_seconds"] == 1.5
    assert rows["FCN"]["train_samples_per_second"] == 1000.0


def test_leaderboard_without_bars_table_has_null_bars_columns(metrics):
    board = build_leaderboard(PARAMS, None, FINGERPRINT, *metrics)
    assert board.height == 3
    for column in ("bars_auc", "bars_logloss", "auc_diff"):
        assert board.get_column(column).is_null().all()


def test_leaderboard_keeps_the_models_with_metrics_of_the_current_data(metrics):
    older = _metrics("FGCNN", 0.99, 0.1, fingerprint={**FINGERPRINT, "rows": {}})
    board = build_leaderboard(PARAMS, None, FINGERPRINT, None, *metrics, older, None)
    assert board.get_column("model").to_list() == ["DNN", "FCN", "LR"]


def test_leaderboard_without_usable_metrics_says_how_to_run_models(metrics):
    with pytest.raises(BenchmarkError, match="--tags"):
        build_leaderboard(PARAMS, None, FINGERPRINT, None, None)
    with pytest.raises(BenchmarkError, match=r"\(3 of other data\)"):
        build_leaderboard(PARAMS, None, {"other": "data"}, *metrics)


def test_leaderboard_needs_the_bars_columns(metrics, bars):
    with pytest.raises(KeyError, match="Logloss"):
        build_leaderboard(PARAMS, bars.drop("Logloss"), FINGERPRINT, *metrics)


def test_model_binding_leaves_the_shared_parameters_alone():
    params = TrainingParams(model="DeepFM")
    bound = model_binder("FCN")(params)
    assert bound.model == "FCN" and params.model == "DeepFM"
    assert bound.models == params.models


def test_benchmark_models_is_refused_pointing_to_tags():
    with pytest.raises(ValidationError, match=r"--tags DeepFM,DCN"):
        BenchmarkParams(models=["LR", "FM"])
    raw = {"benchmark": {"models": ["LR"]}, "training": {}, "evaluation": {}}
    with pytest.raises(ParameterValidationError, match="benchmark.models"):
        ParameterValidator({"benchmark": _benchmark()}).validate_raw_params(raw)


def test_plot_shows_ours_and_bars(metrics, bars):
    figure = plot_leaderboard(build_leaderboard(PARAMS, bars, FINGERPRINT, *metrics))
    assert isinstance(figure, go.Figure)
    names = [trace.name for trace in figure.data]
    assert names == ["ctrflow", "BARS", "ctrflow", "BARS"]
    assert list(figure.data[0].x) == ["DNN", "FCN", "LR"]
    without = plot_leaderboard(build_leaderboard(PARAMS, None, FINGERPRINT, *metrics))
    assert [trace.name for trace in without.data] == ["ctrflow", "ctrflow"]


def test_leaderboard_slice_runs(metrics, bars):
    pipeline = _benchmark().from_nodes("build_leaderboard_node")
    catalog = DataCatalog(
        {
            "params:benchmark": MemoryDataset(PARAMS),
            "bars_leaderboard": MemoryDataset(bars),
            "data_fingerprint": MemoryDataset(FINGERPRINT),
            **{f"{m['training']['model']}.metrics": MemoryDataset(m) for m in metrics},
        }
    )
    SequentialRunner().run(pipeline, catalog)
    figure = catalog["benchmark_leaderboard_plot"].load()
    assert list(figure.data[0].x) == ["DNN", "FCN", "LR"]


def test_one_namespace_per_registered_model_with_shared_inputs():
    pipeline = _benchmark(list(MODEL_NAMES))
    assert {node.namespace for node in pipeline.nodes} - {None} == {
        *MODEL_NAMES,
        *(f"{name}.training" for name in MODEL_NAMES),
        *(f"{name}.evaluation" for name in MODEL_NAMES),
    }
    assert pipeline.inputs() == {
        "train_encoded", "valid_encoded", "test_encoded", "feature_map",
        "data_fingerprint", "parameters", "params:training", "params:evaluation",
        "params:benchmark", "params:schema", "bars_leaderboard",
    }  # fmt: skip
    for name in MODEL_NAMES:
        assert {f"{name}.model", f"{name}.metrics", f"{name}.training_history"} <= (
            pipeline.all_outputs()
        )
    # the training stage's node, fed the namespace's model
    trainer = next(
        n for n in pipeline.nodes if n.name == "DCN.training.train_model_node"
    )
    assert trainer.inputs == [
        "train_encoded", "valid_encoded", "feature_map", "DCN.training_params",
        "params:schema", "params:evaluation",
    ]  # fmt: skip


def test_tags_choose_models_and_always_keep_the_leaderboard():
    pipeline = _benchmark()
    chosen = pipeline.only_nodes_with_tags("DNN", "LR")
    names = {node.name for node in chosen.nodes}
    assert {"build_leaderboard_node", "plot_leaderboard_node"} <= names
    assert {node.namespace for node in chosen.nodes} - {None} == {
        "DNN", "DNN.training", "DNN.evaluation", "LR", "LR.training", "LR.evaluation"
    }  # fmt: skip
    # the models not chosen: their metrics are free inputs (None when never written)
    assert "FCN.metrics" in chosen.inputs()
    assert all("benchmark" in node.tags for node in pipeline.nodes)


def test_parameters_are_validated_against_their_models():
    requirements = TypeExtractor(
        {"benchmark": _benchmark()}
    ).extract_types_from_pipelines()
    assert requirements["training"] is TrainingParams
    assert requirements["benchmark"] is BenchmarkParams


def test_base_parameters_are_the_defaults():
    loader = OmegaConfigLoader(str(_CONF), **settings.CONFIG_LOADER_ARGS)
    block = loader["parameters"]["benchmark"]
    assert BenchmarkParams.model_validate(block) == BenchmarkParams()


def test_catalog_factories_give_each_namespace_its_own_versioned_files(tmp_path):
    loader = OmegaConfigLoader(str(_CONF), **settings.CONFIG_LOADER_ARGS)
    config = loader["catalog"]
    catalog = DataCatalog.from_config(config)
    for dataset, file in (
        ("DNN.metrics", "09_benchmark/DNN/metrics.json"),
        ("DNN.model", "09_benchmark/DNN/model.pt"),
        ("DNN.training_history", "09_benchmark/DNN/training_history.json"),
        ("DNN.learning_curve_plot", "09_benchmark/DNN/learning_curve.json"),
    ):
        described = str(catalog[dataset]._describe())
        assert file in described and "version" in described
    assert catalog["bars_leaderboard"].load() is None

    # a model never run has no metrics: its entry loads None, then its metrics
    entry = {**config["{name}.metrics"], "filepath": str(tmp_path / "metrics.json")}
    written = DataCatalog.from_config({"FCN.metrics": entry}, save_version="v1")
    assert written.load("FCN.metrics") is None
    written.save("FCN.metrics", {"auc": 0.5})
    again = DataCatalog.from_config({"FCN.metrics": entry})
    assert again.load("FCN.metrics") == {"auc": 0.5}
    saved = tmp_path / "metrics.json" / "v1" / "metrics.json"
    assert json.loads(saved.read_text()) == {"auc": 0.5}
