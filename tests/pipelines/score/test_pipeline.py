"""The score pipeline end to end: train on the demo slice, then score a headerless
file of new rows without labels through `kedro run --pipeline=score`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ctrflow.datasets import ShardedParquetDataset
from ctrflow.demo_data import CATEGORICAL, NUMERIC
from ctrflow.pipeline_registry import register_pipelines
from ctrflow.scoring.scorer import RowError, Scorer

FAST_TRAINING = {
    "training": {
        "max_epochs": 2,
        "progress_bar": False,
        "model": "DeepFM",
        "models": {"DeepFM": {"hidden_units": [32, 32], "embedding_dim": 8}},
    }
}
NEW_LOGS = """
new_logs:
  type: ctrflow.datasets.ImpressionLogDataset
  filepath: data/01_raw/new/new_logs.tsv
  file_format: tsv
  header: false
  catalog_entry: new_logs
"""
GOOD_AT = (0, 1, 2)  # bad rows go after these many good ones


def _kedro(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kedro", "run", "--pipeline=score", *args],
        cwd=project, check=False, capture_output=True, text=True, timeout=300,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"},
    )  # fmt: skip


def _raw_rows(test_table: pl.DataFrame) -> pl.DataFrame:
    """The typed test rows back as the text a file holds: numeric, then
    categorical columns (the Criteo order without the label), missing = empty."""
    return test_table.select(
        pl.col(c).cast(pl.String).fill_null("") for c in [*NUMERIC, *CATEGORICAL]
    )


def _write_new_logs(path: Path, rows: pl.DataFrame) -> list[int]:
    """The rows as a headerless TSV without label, with two bad lines inserted;
    returns the bad lines' line numbers."""
    lines = ["\t".join(row) for row in rows.iter_rows()]
    not_a_number = lines[1].split("\t")
    not_a_number[0] = "abc"  # I1
    bad = ["\t".join(not_a_number), "1\t2\t3"]  # text in I1; too few fields
    lines = lines[:2] + bad[:1] + lines[2:5] + bad[1:] + lines[5:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return [3, 7]


def test_score_is_registered_and_not_part_of_train():
    pipelines = register_pipelines()
    assert {n.name for n in pipelines["score"].nodes} == {"score.score_new_logs_node"}
    assert not {n.name for n in pipelines["score"].nodes} & {
        n.name for n in pipelines["train"].nodes
    }
    assert pipelines["score"].inputs() == {"new_logs", "model", "params:score"}


@pytest.mark.slow
def test_scoring_headerless_unlabelled_logs_replays_evaluation(
    project_copy, run_project, latest
):
    run_project(project_copy, runtime_params=FAST_TRAINING)
    data = project_copy / "data"
    # the demo's own new_logs: its labelled logs, AUC and log loss reported
    result = _kedro(project_copy)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(latest(data / "08_reporting/score/report.json").read_text())
    assert report["rows_in"] == report["rows_scored"] == 6_000
    assert report["labels"]["rows"] == 6_000 and report["labels"]["auc"] > 0.6

    test_table = ShardedParquetDataset(str(data / "02_intermediate/test")).load()
    expected = pl.read_parquet(data / "07_model_output/test_predictions.parquet")
    raw = _raw_rows(test_table)
    bad_lines = _write_new_logs(data / "01_raw/new/new_logs.tsv", raw)
    (project_copy / "conf/local/catalog.yml").write_text(NEW_LOGS)

    result = _kedro(project_copy)
    assert result.returncode == 0, result.stderr[-3000:]
    model_file = latest(data / "06_models/model.pt")
    version = model_file.parent.name
    predictions = pl.read_parquet(latest(data / "07_model_output/predictions.parquet"))
    report = json.loads(latest(data / "08_reporting/score/report.json").read_text())
    quarantine = pl.read_parquet(latest(data / "08_reporting/score/quarantine.parquet"))

    # the same rows get evaluation's probabilities
    assert predictions.height == test_table.height
    np.testing.assert_allclose(
        predictions["probability"].to_numpy(),
        expected["probability"].to_numpy(),
        rtol=0,
        atol=1e-6,
    )
    assert predictions["model_version"].unique().to_list() == [version]
    # rows in = scored + quarantined, each bad row kept with its reason
    assert report["rows_in"] == test_table.height + 2
    assert report["rows_scored"] == test_table.height
    assert report["rows_quarantined"] == 2 == quarantine.height
    assert sorted(quarantine["line_number"].to_list()) == bad_lines
    assert set(quarantine["reason"]) == {"not_a_number", "wrong_field_count"}
    assert (
        "column 'I1' holds 'abc', expected a number" in quarantine["detail"].to_list()
    )
    assert report["quarantined_by_reason"] == {
        "not_a_number": 1,
        "wrong_field_count": 1,
    }
    assert report["model_version"] == version
    assert report["labels"] is None  # no label column
    assert report["scores"]["reference"]["split"] == "valid"
    assert set(report["oov"]) == set(report["oov"]) & {*NUMERIC, *CATEGORICAL}
    assert all(value is not None and value >= 0 for value in report["psi"].values())

    _check_the_online_scorer(model_file, version, raw, predictions)

    # an older version, named with --load-versions, is the one used and recorded
    run_project(project_copy, runtime_params=FAST_TRAINING)
    newest = latest(data / "06_models/model.pt").parent.name
    assert newest != version
    result = _kedro(project_copy, f"--load-versions=model:{version}")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(latest(data / "08_reporting/score/report.json").read_text())
    assert report["model_version"] == version
    # score.model_version does the same
    result = _kedro(project_copy, f"--params=score.model_version={version}")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(latest(data / "08_reporting/score/report.json").read_text())
    assert report["model_version"] == version


def _check_the_online_scorer(
    model_file: Path, version: str, raw: pl.DataFrame, predictions: pl.DataFrame
) -> None:
    """``Scorer.predict`` on the raw rows as dicts gives the pipeline's probabilities;
    a bad row raises ``RowError`` naming its index and field."""
    scorer = Scorer.from_artifact(model_file)
    assert scorer.version == version
    rows = raw.to_dicts()
    np.testing.assert_array_equal(
        scorer.predict(rows), predictions["probability"].to_numpy()
    )
    bad = [rows[0], {**rows[1], "I3": "seven"}]
    with pytest.raises(RowError, match=r"row 1, field 'I3': column 'I3' holds") as e:
        scorer.predict(bad)
    assert (e.value.row, e.value.field) == (1, "I3")
