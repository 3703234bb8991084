"""`kedro run --pipeline=benchmark` end to end on a small demo slice: every
registered model, one epoch each, one leaderboard row per model; `--tags` runs
some models and the leaderboard gathers every model with metrics of the data."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from ctrflow.models.registry import MODEL_NAMES
from ctrflow.pipeline_registry import register_pipelines

# the stages that produce the benchmark's inputs (encoded splits, feature map, ...)
DATA_STAGES = ["ingestion", "data_quality", "feature_ranking", "feature_engineering"]


@pytest.fixture(scope="module")
def fast(small_models) -> dict:
    """Runtime parameters: one epoch of each model's small test config."""
    return {
        "feature_ranking": {"auc_vs_k": {"enabled": False}},
        "training": {
            "max_epochs": 1,
            "batch_size": 512,
            "num_threads": 1,
            "progress_bar": False,
            "models": {
                name: {**config, **({} if name == "LR" else {"embedding_dim": 4})}
                for name, config in small_models.items()
            },
        },
    }


def _run(
    project: Path, params: dict, pipelines: list[str], tags: list[str] | None = None
) -> None:
    bootstrap_project(project)
    # from the project folder, as `kedro run` is (checkpoints land in the copy)
    with (
        contextlib.chdir(project),
        KedroSession.create(project_path=project, runtime_params=params) as session,
    ):
        session.run(pipeline_names=pipelines, tags=tags)


def _board(project: Path, latest: Callable[[Path], Path]) -> pl.DataFrame:
    return pl.read_csv(latest(project / "data/09_benchmark/leaderboard.csv"))


@pytest.mark.slow
def test_benchmark_trains_every_model_and_writes_a_leaderboard(
    tmp_path, fast, latest, make_project_copy
):
    project = make_project_copy(tmp_path, demo_rows=4_000)
    _run(project, fast, DATA_STAGES)
    _run(project, fast, ["benchmark"])

    data = project / "data"
    board = _board(project, latest)
    assert sorted(board.get_column("model")) == sorted(MODEL_NAMES)
    assert all(math.isfinite(auc) and auc > 0 for auc in board.get_column("auc"))
    assert board.get_column("epochs").to_list() == [1] * len(MODEL_NAMES)
    assert board.get_column("bars_auc").is_null().all()  # the demo has no BARS table
    assert board.get_column("auc").to_list() == sorted(board["auc"], reverse=True)
    for name in MODEL_NAMES:
        metrics = json.loads(
            latest(data / f"09_benchmark/{name}/metrics.json").read_text()
        )
        assert metrics["training"]["model"] == name
        assert latest(data / f"09_benchmark/{name}/model.pt").stat().st_size > 0
    assert latest(data / "08_reporting/benchmark/leaderboard.json").stat().st_size > 0


@pytest.mark.slow
def test_tags_run_some_models_and_the_leaderboard_gathers_the_others(
    tmp_path, fast, latest, make_project_copy
):
    project = make_project_copy(tmp_path, demo_rows=4_000)
    _run(project, fast, DATA_STAGES)
    _run(project, fast, ["benchmark"], tags=["LR", "FM"])
    assert sorted(_board(project, latest).get_column("model")) == ["FM", "LR"]
    assert not (project / "data/09_benchmark/DNN").exists()

    _run(project, fast, ["benchmark"], tags=["DNN"])  # LR and FM: same data, kept
    assert sorted(_board(project, latest).get_column("model")) == ["DNN", "FM", "LR"]

    # new data (another split seed): the other models' metrics are left out
    bootstrap_project(project)
    with KedroSession.create(
        project_path=project, runtime_params={**fast, "ingestion": {"seed": 7}}
    ) as session:
        session.run(pipeline_names=DATA_STAGES)
    _run(project, fast, ["benchmark"], tags=["FM"])
    assert _board(project, latest).get_column("model").to_list() == ["FM"]


def test_benchmark_has_one_namespace_per_model_and_is_not_part_of_train():
    pipelines = register_pipelines()
    benchmark = pipelines["benchmark"]
    namespaces = {node.namespace for node in benchmark.nodes} - {None}
    assert {ns.split(".")[0] for ns in namespaces} == set(MODEL_NAMES)
    assert all("benchmark" in node.tags for node in benchmark.nodes)
    assert not {node.name for node in benchmark.nodes} & {
        node.name for node in pipelines["train"].nodes
    }
    names = {node.name for node in benchmark.nodes}
    for name in MODEL_NAMES:
        assert f"{name}.training.train_model_node" in names
