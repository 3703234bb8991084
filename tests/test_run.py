"""The whole project as a user runs it: `kedro run --pipeline=train` on a demo slice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kedro.framework.startup import bootstrap_project

from ctrflow.pipeline_registry import STAGES, register_pipelines

FAST_TRAINING = {
    "training": {
        "max_epochs": 2,
        "progress_bar": False,
        "models": {"LR": {}, "DeepFM": {"hidden_units": [64, 64], "embedding_dim": 8}},
    }
}


@pytest.mark.slow
def test_train_pipeline_end_to_end_on_a_demo_slice(project_copy, latest, run_project):
    run_project(project_copy, runtime_params=FAST_TRAINING)
    data = project_copy / "data"
    metrics = json.loads(
        latest(data / "08_reporting/evaluation/metrics.json").read_text()
    )
    assert metrics["rows"] == 600  # the test split of 6,000 rows
    assert metrics["auc"] > 0.6
    assert metrics["parameters"]["training"]["max_epochs"] == 2
    assert metrics["data_fingerprint"]["rows"] == {
        "train": 4800,
        "valid": 600,
        "test": 600,
    }
    for plot in ("roc", "calibration", "learning_curve"):
        assert latest(data / f"08_reporting/evaluation/{plot}.json").stat().st_size > 0
    assert latest(data / "06_models/model.pt").stat().st_size > 0
    assert latest(data / "04_feature/feature_ranking/ranking.csv").stat().st_size > 0
    report = json.loads(
        latest(data / "08_reporting/data_quality/report.json").read_text()
    )
    assert report["success"] is True


def test_train_is_all_six_stages_in_order():
    bootstrap_project(Path(__file__).resolve().parents[1])
    pipelines = register_pipelines()
    train_nodes = {node.name for node in pipelines["train"].nodes}
    for stage in STAGES:
        assert {node.name for node in pipelines[stage].nodes} <= train_nodes
        assert all(stage in node.tags for node in pipelines[stage].nodes)
    assert pipelines["__default__"] is pipelines["train"]
    order = [node.name for node in pipelines["train"].nodes]
    assert order.index("ingestion.split_logs_node") < order.index(
        "training.train_model_node"
    )


def _kedro(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kedro", "run", *args],
        cwd=project, check=False, capture_output=True, text=True, timeout=300,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"},
    )  # fmt: skip


@pytest.mark.parametrize(
    "override, expected",
    [
        (
            "training.modle=DeepFM",
            "unknown key 'modle' (did you mean 'model'?); valid keys: model, models,",
        ),
        ("training.model=DeepFMM", "'FGCNN' or 'DIN'"),
        ("ingestion.ratios.train=0.9", "must sum to 1"),
    ],
)
def test_bad_parameter_fails_before_any_node_runs(project_copy, override, expected):
    result = _kedro(project_copy, "--pipeline=train", f"--params={override}")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "ParameterValidationError" in output or "Parameter validation failed" in output
    )
    assert expected in " ".join(output.split())  # the console wraps long lines
    assert not list((project_copy / "data" / "02_intermediate").glob("*.parquet"))
