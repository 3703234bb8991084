"""The run summary (ctrflow.hooks): its lines from metrics.json's keys, and the hook
on a real Kedro runner and catalog."""

from __future__ import annotations

import json

import polars as pl
import pytest
from kedro.framework.hooks.manager import _create_hook_manager, _register_hooks
from kedro.io import DataCatalog, MemoryDataset, Version
from kedro.pipeline import Node, Pipeline
from kedro.runner import SequentialRunner
from kedro_datasets.json import JSONDataset

from ctrflow.hooks import BROWSE, RunReportHooks, Step, digest, format_summary

INTERVAL = {"low": 0.7301, "high": 0.7523, "level": 0.95, "method": "DeLong"}
METRICS = {
    "auc": 0.74123,
    "auc_ci": INTERVAL,
    "logloss": 0.45012,
    "rows": 20_000,
    "positives": 4_321,
    "negatives": 15_679,
    "baseline": {
        "model": "LogisticRegression",
        "auc": 0.7211,
        "auc_ci": {**INTERVAL, "low": 0.71, "high": 0.7322},
        "logloss": 0.46,
        "fit_seconds": 1.5,
    },
    "auc_vs_baseline": {
        "difference": 0.02013,
        "low": 0.011,
        "high": 0.029,
        "p_value": 0.00012,
    },
    "warnings": ["too few positives", "model does not beat the baseline"],
    "parameters": {"training": {"max_epochs": 2}},
}


def test_train_summary_states_the_figures_the_warnings_and_the_artifacts():
    lines = format_summary(
        ["train"],
        {
            "metrics": digest("metrics", METRICS),
            "quarantined_rows": 12,
            "data_quality_report": digest(
                "data_quality_report",
                {
                    "success": True,
                    "warnings": [{}],
                    "blocking_failures": [],
                    "probable_leaks": [{"column": "C7", "auc": 0.99}],
                },
            ),
        },
        {"metrics": "m/v/metrics.json", "quarantined_rows": "q/v/q.parquet"},
    )
    assert lines == [
        "Run finished: pipeline train",
        "  test AUC     0.7412 (95% CI 0.7301-0.7523) on 20,000 test rows, 4,321 clicks",
        "  baseline AUC 0.7211 (95% CI 0.7100-0.7322) (LogisticRegression)",
        "  model - base +0.0201 (95% CI +0.0110 to +0.0290, p=0.00012)",
        "  logloss      0.4501 (baseline 0.4600)",
        "  data quality passed, 0 blocking failures, 1 warnings; probable leaks: C7",
        "  warnings     too few positives",
        "               model does not beat the baseline",
        "  metrics      m/v/metrics.json",
        "  quarantined  12 rows: q/v/q.parquet",
        f"  browse       {BROWSE}",
    ]


def test_summary_without_the_new_metrics_keys_shows_what_there_is():
    lines = format_summary(
        ["train"], {"metrics": {"auc": 0.7, "logloss": 0.5}, "quarantined_rows": 0}, {}
    )
    assert lines[1:3] == ["  test AUC     0.7000", "  logloss      0.5000"]
    assert not any("baseline" in line or "quarantined" in line for line in lines)
    assert lines[-1].startswith("  browse ")


def test_benchmark_summary_names_the_best_models():
    board = pl.DataFrame({"model": ["DeepFM", "LR"], "auc": [0.75, 0.7]})
    lines = format_summary(
        ["benchmark"],
        {"benchmark_leaderboard": digest("benchmark_leaderboard", board)},
        {
            "benchmark_leaderboard": "data/09_benchmark/leaderboard.csv/v/leaderboard.csv"
        },
    )
    assert lines[1] == "  best AUC     DeepFM 0.7500, LR 0.7000 (of 2 models)"
    assert lines[2].startswith("  leaderboard  data/09_benchmark/leaderboard.csv/")


def test_export_summary_states_the_parity_and_the_folder():
    report = {
        "model": "DeepFM",
        "exporter": "dynamo",
        "opset": 18,
        "parity": {"rows": 600, "test_rows": 600, "max_abs_diff": 1.19e-7,
                   "worst_row": 3, "atol": 1e-5},
        "passed": True,
    }  # fmt: skip
    lines = format_summary(
        ["export"],
        {"export_report": digest("export_report", report)},
        {"onnx_export": "data/06_models/onnx_export/v/onnx_export"},
    )
    assert lines[1] == (
        "  ONNX parity  DeepFM (dynamo exporter) matches torch on 600 test rows: "
        "max |p_onnx - p_torch| 1.2e-07 (tolerance 1e-05)"
    )
    assert lines[2] == "  ONNX export  data/06_models/onnx_export/v/onnx_export"


def test_score_summary_states_the_rows_the_model_the_labels_and_the_files():
    report = {
        "model_name": "DeepFM", "model_version": "2026-12-02T15.00.00.000Z",
        "rows_in": 1002, "rows_scored": 1000, "rows_quarantined": 2,
        "labels": {"auc": 0.81234, "logloss": 0.45678, "rows": 1000, "positives": 250},
        "warnings": ["field C3: 7.0% of rows unseen in training (training: 1.0%)"],
        "oov": {}, "psi": {},
    }  # fmt: skip
    paths = {
        "predictions": "data/07_model_output/predictions.parquet/v/predictions.parquet",
        "scoring_report": "data/08_reporting/score/report.json/v/report.json",
        "scoring_quarantine": "data/08_reporting/score/quarantine.parquet/v/q.parquet",
    }
    lines = format_summary(
        ["score"], {"scoring_report": digest("scoring_report", report)}, paths
    )
    assert lines[1:5] == [
        "  scored       1,000 of 1,002 rows with DeepFM 2026-12-02T15.00.00.000Z; "
        "2 quarantined",
        "  labels       AUC 0.8123, logloss 0.4568 on 1,000 labelled rows",
        "  warnings     field C3: 7.0% of rows unseen in training (training: 1.0%)",
        f"  predictions  {paths['predictions']}",
    ]
    assert lines[5] == f"  report       {paths['scoring_report']}"
    assert lines[6] == f"  quarantined  2 rows: {paths['scoring_quarantine']}"
    # nothing quarantined: no quarantine line
    clean = {**report, "rows_quarantined": 0}
    lines = format_summary(
        ["score"], {"scoring_report": digest("scoring_report", clean)}, paths
    )
    assert not any("quarantined  " in line for line in lines)


def _metrics_of(scores: dict) -> dict:
    return {**METRICS, "auc": scores["auc"]}


def _scores() -> dict:
    return {"auc": 0.8}


def _run_with_hooks(catalog: DataCatalog, hooks: RunReportHooks) -> Pipeline:
    pipeline = Pipeline(
        [
            Node(_scores, None, "scores", name="scores_node"),
            Node(_metrics_of, "scores", "metrics", name="metrics_node"),
        ]
    )
    manager = _create_hook_manager()
    _register_hooks(manager, [hooks])
    SequentialRunner().run(pipeline, catalog, manager)
    return pipeline


def test_hook_summarises_a_real_run_with_the_versioned_metrics_path(tmp_path):
    version = "2026-01-02T03.04.05.678Z"
    catalog = DataCatalog(
        {
            "metrics": JSONDataset(
                filepath=str(tmp_path / "metrics.json"), version=Version(None, version)
            )
        }
    )
    hooks = RunReportHooks()
    pipeline = _run_with_hooks(catalog, hooks)
    summary = hooks.after_pipeline_run(
        run_params={"pipeline_names": ["evaluation"]},
        pipeline=pipeline,
        catalog=catalog,
    )
    saved = tmp_path / "metrics.json" / version / "metrics.json"
    assert json.loads(saved.read_text())["auc"] == 0.8
    assert summary[1].startswith("  test AUC     0.8000 (95% CI 0.7301-0.7523)")
    assert f"  metrics      {saved.as_posix()}" in summary
    assert hooks.failed_step is None


def test_hook_summary_survives_memory_datasets_and_missing_ones():
    catalog = DataCatalog({"metrics": MemoryDataset()})
    hooks = RunReportHooks()
    pipeline = _run_with_hooks(catalog, hooks)
    catalog.release("metrics")
    summary = hooks.after_pipeline_run(
        run_params={"pipeline_names": []}, pipeline=pipeline, catalog=catalog
    )
    assert summary[0] == "Run finished: pipeline __default__"
    assert summary[1].startswith("  test AUC     0.8000")  # seen as it was saved
    assert not any(line.startswith("  metrics ") for line in summary)


def _fails(scores: dict) -> dict:
    raise ValueError("no metrics today")


def test_hook_records_the_node_that_failed():
    pipeline = Pipeline(
        [
            Node(_scores, None, "scores", name="scores_node"),
            Node(_fails, "scores", "metrics", name="metrics_node"),
        ]
    )
    hooks = RunReportHooks()
    manager = _create_hook_manager()
    _register_hooks(manager, [hooks])
    with pytest.raises(ValueError, match="no metrics today"):
        SequentialRunner().run(pipeline, DataCatalog(), manager)
    assert hooks.failed_step == Step("running", "metrics_node")
    assert hooks.failed_step.describe() == "node metrics_node"
    assert (
        Step("loading", "n", "raw_logs").describe()
        == "node n, loading dataset 'raw_logs'"
    )
