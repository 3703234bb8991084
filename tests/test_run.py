"""The whole project as a user runs it: `kedro run --pipeline=train` on a demo slice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kedro.framework.project import settings
from kedro.framework.startup import bootstrap_project

from ctrflow.hooks import RunReportHooks
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
    # 6,000 rows split by a seeded hash of each row: counts near 80/10/10 %,
    # the same on every run (seed 2024)
    assert metrics["rows"] == 574  # the test split
    assert metrics["auc"] > 0.6
    assert metrics["parameters"]["training"]["max_epochs"] == 2
    assert metrics["data_fingerprint"]["rows"] == {
        "train": 4763,
        "valid": 663,
        "test": 574,
    }
    for plot in ("roc", "calibration", "learning_curve"):
        assert latest(data / f"08_reporting/evaluation/{plot}.json").stat().st_size > 0
    assert latest(data / "06_models/model.pt").stat().st_size > 0
    assert latest(data / "04_feature/feature_ranking/ranking.csv").stat().st_size > 0
    report = json.loads(
        latest(data / "08_reporting/data_quality/report.json").read_text()
    )
    assert report["success"] is True
    (hooks,) = (h for h in settings.HOOKS if isinstance(h, RunReportHooks))
    summary = "\n".join(hooks.summary)
    assert f"test AUC     {metrics['auc']:.4f}" in summary
    assert "rows         train 4,763, valid 663, test 574; 0 quarantined" in summary
    metrics_line = next(line for line in hooks.summary if line.startswith("  metrics "))
    # relative to the working directory when under it, else absolute
    assert (project_copy / metrics_line.split()[-1]).is_file()
    assert hooks.summary[-1].startswith("  browse       kedro viz run")


@pytest.mark.slow
def test_a_rerun_returns_the_checkpointed_model_without_training(
    project_copy, latest, run_project
):
    histories = project_copy / "data/06_models/training_history.json"
    run_project(project_copy, runtime_params=FAST_TRAINING)
    first = json.loads(latest(histories).read_text())
    # the node checkpointed each epoch under the project's data/06_models
    assert (project_copy / "data/06_models/checkpoints/DeepFM.ckpt").is_file()

    run_project(project_copy, runtime_params=FAST_TRAINING)
    versions = sorted(histories.glob(f"*/{histories.name}"))
    assert len(versions) == 2
    second = json.loads(versions[-1].read_text())
    # the same epochs, timings included: the checkpoint's, no epoch ran again
    assert second["epochs"] == first["epochs"]


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


def _kedro(
    project: Path, *args: str, command: str = "run"
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kedro", *command.split(), *args],
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
    _assert_ends_with_one_error_block(result, project_copy, "parameters (no node ran)")


def _assert_ends_with_one_error_block(
    result: subprocess.CompletedProcess, project: Path, where: str
) -> None:
    """The run exits non-zero, prints no traceback and ends its error output with
    the block; the log file holds the traceback."""
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    block = result.stderr.strip().splitlines()
    assert block[0] == block[-1] == "-" * 72
    assert block[1].startswith("kedro run failed: ")
    assert f"  where  {where}" in block
    assert any(line.startswith("  do     ") for line in block)
    assert "  log    logs/ctrflow.log (the full traceback;" in "\n".join(block)
    assert (
        "Traceback (most recent call last)"
        in (project / "logs" / "ctrflow.log").read_text()
    )


@pytest.mark.slow
def test_a_failing_node_ends_with_one_error_block(project_copy):
    result = _kedro(
        project_copy, "--pipeline=ingestion", "--params=ingestion.split=given"
    )
    _assert_ends_with_one_error_block(
        result, project_copy, "node ingestion.split_logs_node"
    )
    assert "ingestion.split is 'given', which needs raw_logs parts" in result.stderr


@pytest.mark.slow
def test_a_successful_run_ends_with_its_summary_and_no_warning(project_copy):
    result = _kedro(project_copy, "--pipeline=ingestion")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-3:] == [
        "Run finished: pipeline ingestion",
        "  rows         train 4,763, valid 663, test 574; 0 quarantined",
        "  browse       kedro viz run (lineage and plots, http://127.0.0.1:4141), or "
        "kedro viz build --include-previews (a static site in ./build)",
    ]
    output = result.stdout + result.stderr
    for noise in ("DeprecationWarning", "register_new_resolver", "Traceback"):
        assert noise not in output
    assert (
        "Run finished: pipeline ingestion"
        in (project_copy / "logs" / "ctrflow.log").read_text()
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", ["registry list", "catalog list-patterns"])
def test_project_commands_print_no_deprecation_warning(project_copy, command):
    result = _kedro(project_copy, command=command)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "Warning" not in output and "register_new_resolver" not in output
