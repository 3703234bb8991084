"""build_report: counts, OOV against training, PSI, score shift, labels, warnings."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from ctrflow.ingestion.raw_logs import RawLogs
from ctrflow.scoring.batch import score_logs
from ctrflow.scoring.params import ScoringParams
from ctrflow.scoring.reference import psi
from ctrflow.scoring.report import build_report


def _raw_logs(frame: pl.DataFrame) -> RawLogs:
    return RawLogs(
        frames={"all": frame}, sources={"all": "new.csv"}, header={"all": True}
    )


def test_psi_by_hand():
    # shares 0.9 / 0.1 against 0.5 / 0.5: 0.4 ln(1.8) + (-0.4) ln(0.2)
    assert psi([0.5, 0.5], [9, 1]) == pytest.approx(
        0.4 * math.log(1.8) - 0.4 * math.log(0.2)
    )
    assert psi([0.5, 0.5], [0, 0]) is None


def test_rows_like_training_give_no_warning_and_label_metrics(
    demo_artifact, typed_demo_table
):
    raw = typed_demo_table(2_000).with_columns(
        pl.all().cast(pl.String)
    )  # the training rows
    params = ScoringParams(device="cpu", block_rows=700)
    scored = score_logs(_raw_logs(raw), demo_artifact, params)
    report = build_report(scored, demo_artifact, params)
    assert report["blocks"] == 3
    assert report["rows_in"] == report["rows_scored"] == 2_000
    assert report["rows_quarantined"] == 0
    assert report["warnings"] == []
    for name, oov in report["oov"].items():
        assert oov["rate"] == pytest.approx(demo_artifact.reference["oov_rate"][name])
    assert set(report["psi"]) == {"I1", "I2"}  # the log-bucketed counters
    assert all(
        value == pytest.approx(0.0, abs=1e-9) for value in report["psi"].values()
    )
    assert report["labels"]["rows"] == 2_000 and 0 < report["labels"]["auc"] < 1
    assert report["labels"]["logloss"] > 0


def test_shifted_rows_warn_above_the_thresholds(demo_artifact, demo_raw):
    raw = (
        demo_raw(400)
        .drop("label")
        .with_columns(
            pl.lit("unseen").alias("C3"),  # every value OOV
            (pl.col("I1").cast(pl.Float64) * 1000 + 5000).cast(pl.String).alias("I1"),
        )
    )
    raw = pl.concat([raw, raw.head(1).with_columns(pl.lit("x").alias("I2"))])
    params = ScoringParams(device="cpu", max_quarantine_rate=0.001)
    report = build_report(
        score_logs(_raw_logs(raw), demo_artifact, params), demo_artifact, params
    )
    assert report["oov"]["C3"]["rate"] == 1.0
    assert report["psi"]["I1"] > 0.2
    assert report["labels"] is None
    text = "\n".join(report["warnings"])
    assert "field 'C3': 100.00% of values unseen in training (OOV)" in text
    assert "numeric field 'I1': PSI" in text
    assert "1 of 401 rows (0.25%) quarantined" in text
    assert not any("'C1'" in w for w in report["warnings"])


def test_predictions_keep_keys_probability_and_version(demo_artifact, demo_raw):
    raw = demo_raw(30).with_row_index("id").with_columns(pl.col("id").cast(pl.String))
    demo_artifact.version = "2026-01-01T00.00.00.000Z"
    try:
        scored = score_logs(
            _raw_logs(raw),
            demo_artifact,
            ScoringParams(device="cpu", key_columns=["id"], block_rows=7),
        )
    finally:
        demo_artifact.version = None
    assert scored.predictions.columns == ["id", "probability", "model_version"]
    assert scored.predictions["id"].to_list() == [str(i) for i in range(30)]
    assert scored.predictions["probability"].dtype == pl.Float32
    assert scored.predictions["model_version"].unique().to_list() == [
        "2026-01-01T00.00.00.000Z"
    ]
    whole = score_logs(_raw_logs(raw), demo_artifact, ScoringParams(device="cpu"))
    np.testing.assert_allclose(
        scored.predictions["probability"].to_numpy(),
        whole.predictions["probability"].to_numpy(),
        rtol=0,
        atol=1e-7,
    )
