"""Benchmark nodes one by one, the leaderboard slice run by Kedro's runner, and
the wiring (namespaces, catalog factories, parameter validation)."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from kedro.config import OmegaConfigLoader
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro.validation import TypeExtractor
from pydantic import ValidationError

from ctrflow.pipelines.benchmark import create_pipeline
from ctrflow.pipelines.benchmark.model_list import configured_models
from ctrflow.pipelines.benchmark.nodes import (
    LEADERBOARD_SCHEMA,
    BenchmarkError,
    benchmark_models_check,
    build_leaderboard,
    model_binder,
    plot_leaderboard,
)
from ctrflow.pipelines.benchmark.params import BenchmarkParams
from ctrflow.training.params import TrainingParams

_CONF = Path(__file__).resolve().parents[3] / "conf"
MODELS = ["LR", "DNN", "FCN"]
PARAMS = BenchmarkParams(models=MODELS)


def _metrics(model: str, auc: float, logloss: float) -> dict:
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
    board = build_leaderboard(PARAMS, bars, *metrics)
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
    board = build_leaderboard(PARAMS, None, *metrics)
    assert board.height == 3
    for column in ("bars_auc", "bars_logloss", "auc_diff"):
        assert board.get_column(column).is_null().all()


def test_leaderboard_refuses_metrics_of_other_models(metrics, bars):
    with pytest.raises(BenchmarkError, match="expected benchmark.models"):
        build_leaderboard(PARAMS, bars, *reversed(metrics))
    with pytest.raises(BenchmarkError, match="expected benchmark.models"):
        build_leaderboard(PARAMS, bars, *metrics[:2])


def test_leaderboard_needs_the_bars_columns(metrics, bars):
    with pytest.raises(KeyError, match="Logloss"):
        build_leaderboard(PARAMS, bars.drop("Logloss"), *metrics)


def test_model_list_check_and_binding():
    check = benchmark_models_check(MODELS)
    assert check(PARAMS) == MODELS
    with pytest.raises(BenchmarkError, match="was built for"):
        check(BenchmarkParams(models=["LR", "DNN"]))
    params = TrainingParams(model="DeepFM")
    bound = model_binder("FCN")(params, MODELS)
    assert bound.model == "FCN" and params.model == "DeepFM"
    assert bound.models == params.models
    with pytest.raises(BenchmarkError, match="not in benchmark.models"):
        model_binder("FGCNN")(params, MODELS)


def test_benchmark_params_refuse_unknown_and_repeated_models():
    with pytest.raises(ValidationError, match="DeepFMM"):
        BenchmarkParams(models=["DeepFMM"])
    with pytest.raises(ValidationError, match="more than once"):
        BenchmarkParams(models=["LR", "LR"])
    with pytest.raises(ValidationError, match="empty"):
        BenchmarkParams(models=[])
    # `kedro run --params` cannot pass a list (it splits on commas)
    assert BenchmarkParams(models="LR  FM").models == ["LR", "FM"]


def test_plot_shows_ours_and_bars(metrics, bars):
    figure = plot_leaderboard(build_leaderboard(PARAMS, bars, *metrics))
    assert isinstance(figure, go.Figure)
    names = [trace.name for trace in figure.data]
    assert names == ["ctrflow", "BARS", "ctrflow", "BARS"]
    assert list(figure.data[0].x) == ["DNN", "FCN", "LR"]
    without = plot_leaderboard(build_leaderboard(PARAMS, None, *metrics))
    assert [trace.name for trace in without.data] == ["ctrflow", "ctrflow"]


def test_leaderboard_slice_runs(metrics, bars):
    pipeline = create_pipeline(MODELS).from_nodes("build_leaderboard_node")
    catalog = DataCatalog(
        {
            "params:benchmark": MemoryDataset(PARAMS),
            "bars_leaderboard": MemoryDataset(bars),
            **{f"{m['training']['model']}.metrics": MemoryDataset(m) for m in metrics},
        }
    )
    SequentialRunner().run(pipeline, catalog)
    figure = catalog["benchmark_leaderboard_plot"].load()
    assert list(figure.data[0].x) == ["DNN", "FCN", "LR"]


def test_one_namespace_per_model_with_shared_inputs():
    pipeline = create_pipeline(MODELS)
    assert {node.namespace for node in pipeline.nodes} == {*MODELS, None}
    assert pipeline.inputs() == {
        "train_encoded", "valid_encoded", "test_encoded", "feature_map",
        "data_fingerprint", "parameters", "params:training", "params:evaluation",
        "params:benchmark", "bars_leaderboard",
    }  # fmt: skip
    for name in MODELS:
        assert {f"{name}.model", f"{name}.metrics", f"{name}.training_history"} <= (
            pipeline.all_outputs()
        )


def test_parameters_are_validated_against_their_models():
    requirements = TypeExtractor(
        {"benchmark": create_pipeline(MODELS)}
    ).extract_types_from_pipelines()
    assert requirements["training"] is TrainingParams
    assert requirements["benchmark"] is BenchmarkParams


def test_base_parameters_list_every_model_and_build_the_pipeline():
    loader = OmegaConfigLoader(str(_CONF), base_env="base", default_run_env="local")
    block = loader["parameters"]["benchmark"]
    assert BenchmarkParams.model_validate(block) == BenchmarkParams()
    assert configured_models(_CONF.parent) == BenchmarkParams().models


def test_catalog_factories_give_each_namespace_its_own_versioned_files():
    loader = OmegaConfigLoader(str(_CONF), base_env="base", default_run_env="local")
    catalog = DataCatalog.from_config(loader["catalog"])
    for dataset, file in (
        ("DNN.metrics", "09_benchmark/DNN/metrics.json"),
        ("DNN.model", "09_benchmark/DNN/model.pt"),
        ("DNN.training_history", "09_benchmark/DNN/training_history.json"),
        ("DNN.learning_curve_plot", "09_benchmark/DNN/learning_curve.json"),
    ):
        described = str(catalog[dataset]._describe())
        assert file in described and "version" in described
    assert catalog["bars_leaderboard"].load() is None
