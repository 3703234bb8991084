"""The probable-leak check: a column that alone nearly determines the label is
flagged; near-unique ids and strong honest features are not."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ctrflow.data_quality.leaks import (
    MIN_CLASS_ROWS,
    check_leaks,
    single_column_aucs,
)
from ctrflow.data_quality.params import DataQualityParams, LeakParams
from ctrflow.data_quality.plots import data_quality_figure
from ctrflow.data_quality.report import DataQualityError, require_passed
from ctrflow.data_quality.validation import validate_tables
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(
    label="label",
    categorical=["ad_group", "request_id", "conversion_id"],
    numeric=["bid", "seconds_to_click", "dwell_seconds"],
)
LEAKS = {"conversion_id", "seconds_to_click", "dwell_seconds"}


def _logs(rows: int, seed: int) -> pl.DataFrame:
    """Ad logs with honest columns and three leaks.

    Honest: ``ad_group`` (50 values, click rate 2%-70%: a strong feature), ``bid``
    (a numeric shifted by the label), ``request_id`` (95% unique per row, no
    signal). Leaks: ``conversion_id`` (a fresh id on positives only, else null),
    ``seconds_to_click`` (set on positives only), ``dwell_seconds`` (0 on
    negatives, positive on clicks).
    """
    rng = np.random.default_rng(seed)
    ad_group = rng.integers(0, 50, rows)
    click_rate = 1 / (1 + np.exp(-(ad_group - 30) / 6))
    label = (rng.random(rows) < click_rate).astype(np.int8)
    row = np.arange(rows)
    unique = rng.random(rows) < 0.95
    request_id = np.where(
        unique, [f"r{seed}-{i}" for i in row], rng.integers(0, 500, rows).astype(str)
    )
    clicked = label == 1
    return pl.DataFrame(
        {
            "label": label,
            "ad_group": ad_group.astype(str),
            "request_id": request_id,
            "conversion_id": [
                f"conv{seed}-{i}" if c else None for i, c in enumerate(clicked)
            ],
            "bid": rng.normal(size=rows) + 0.8 * label,
            "seconds_to_click": np.where(clicked, rng.exponential(20, rows), np.nan),
            "dwell_seconds": np.where(clicked, rng.exponential(60, rows) + 1, 0.0),
        }
    ).with_columns(pl.col("seconds_to_click").fill_nan(None))


@pytest.fixture(scope="module")
def logs() -> dict[str, pl.DataFrame]:
    return {"train": _logs(20_000, seed=1), "valid": _logs(5_000, seed=2)}


@pytest.fixture(scope="module")
def aucs(logs) -> dict[str, float]:
    records = single_column_aucs(logs["train"], logs["valid"], SCHEMA)
    return {record["column"]: record["auc"] for record in records}


def test_label_only_id_and_label_derived_numerics_score_near_one(aucs):
    assert {column: aucs[column] for column in LEAKS} == {
        column: pytest.approx(1.0, abs=0.01) for column in LEAKS
    }


def test_near_unique_id_and_strong_honest_features_score_below_the_threshold(aucs):
    assert aucs["request_id"] == pytest.approx(0.5, abs=0.03)
    # strong, but honest: far from 0.98
    assert 0.8 < aucs["ad_group"] < 0.95
    assert 0.65 < aucs["bid"] < 0.8


def test_check_flags_exactly_the_leaks_with_a_message_on_what_to_do(logs):
    check = check_leaks(logs["train"], logs["valid"], SCHEMA, LeakParams())
    assert check["skipped"] is None
    assert [record["column"] for record in check["columns"]] == SCHEMA.features
    assert {leak["column"] for leak in check["probable_leaks"]} == LEAKS
    leak = check["probable_leaks"][0]
    assert set(leak) == {"column", "auc", "split", "message"}
    assert leak["split"] == "valid"
    assert f"column {leak['column']!r} alone predicts the label" in leak["message"]
    assert "feature_ranking.selection.never_keep" in leak["message"]
    assert "conf/<env>/parameters_data_quality.yml" in leak["message"]


def test_a_categorical_dtype_is_read_as_its_values(logs):
    as_categorical = {
        split: table.with_columns(
            pl.col("conversion_id", "ad_group").cast(pl.Categorical)
        )
        for split, table in logs.items()
    }
    check = check_leaks(
        as_categorical["train"], as_categorical["valid"], SCHEMA, LeakParams()
    )
    assert {leak["column"] for leak in check["probable_leaks"]} == LEAKS


def test_null_threshold_or_too_few_positives_skip_the_check(logs):
    off = check_leaks(
        logs["train"], logs["valid"], SCHEMA, LeakParams(max_single_column_auc=None)
    )
    assert off["columns"] == [] and off["probable_leaks"] == []
    assert "max_single_column_auc is null" in off["skipped"]
    valid = logs["valid"]
    few = pl.concat(
        [valid.filter(pl.col("label") == 0), valid.filter(pl.col("label") == 1).head(5)]
    )
    skipped = check_leaks(logs["train"], few, SCHEMA, LeakParams())
    assert skipped["probable_leaks"] == []
    assert f"fewer than {MIN_CLASS_ROWS} of one class" in skipped["skipped"]


def test_report_lists_probable_leaks_and_warns_of_each(logs):
    tables = {**logs, "test": logs["valid"]}
    report = validate_tables(tables, SCHEMA, DataQualityParams())
    assert report["success"] is True
    assert {leak["column"] for leak in report["probable_leaks"]} == LEAKS
    leak_warnings = [e for e in report["warnings"] if e["check"] == "leak"]
    assert {e["column"] for e in leak_warnings} == LEAKS
    assert {(e["split"], e["severity"]) for e in leak_warnings} == {
        ("valid", "warning")
    }
    assert report["leaks"]["threshold"] == 0.98
    checked = [
        e for e in report["splits"]["valid"]["expectations"] if e["check"] == "leak"
    ]
    assert len(checked) == len(SCHEMA.features)
    # the figure's last panel draws each column's AUC
    figure = data_quality_figure(report)
    leak_titles = [a.text for a in figure.layout.annotations if "Leak check" in a.text]
    assert leak_titles and all(column in leak_titles[0] for column in LEAKS)


def test_blocking_leak_severity_stops_the_run(logs):
    params = DataQualityParams(severity={"leak": "blocking"})
    report = validate_tables(logs, SCHEMA, params)
    assert report["success"] is False
    assert report["splits"]["valid"]["success"] is False
    with pytest.raises(
        DataQualityError,
        match=r"valid: single_column_auc on column 'conversion_id' "
        r"\(max_value=0.98\) \[leak\]: observed 1.0",
    ):
        require_passed(report)
