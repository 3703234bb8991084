"""Event times: epoch seconds, milliseconds, ISO-8601; a bad one is quarantined."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from ctrflow.ingestion import IngestionError, type_rows
from ctrflow.ingestion.timestamps import TIMESTAMP_TYPE, parse_timestamp
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="label", categorical=["c"], timestamp="t")
NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # 1714564800 s


def _parsed(values, dtype=pl.String):
    frame = pl.DataFrame({"t": values}, schema={"t": dtype})
    return frame.select(parse_timestamp(pl.col("t"), dtype))["t"]


@pytest.mark.parametrize(
    "text",
    [
        "1714564800",  # epoch seconds
        "1714564800000",  # epoch milliseconds
        " 1714564800.0 ",
        "2024-05-01T12:00:00Z",
        "2024-05-01 12:00:00",  # no offset: UTC
        "2024-05-01T14:00:00+02:00",
        "2024-05-01T12:00",
        "2024-05-01T12:00:00.000",
    ],
)
def test_text_times_of_every_accepted_kind(text):
    parsed = _parsed([text])
    assert parsed.dtype == TIMESTAMP_TYPE and parsed.to_list() == [NOON]


def test_a_date_is_midnight_utc_and_nonsense_is_null():
    assert _parsed(["2024-05-01", "soon", "2024-13-01", "1e30", None]).to_list() == [
        datetime(2024, 5, 1, tzinfo=UTC),
        None,
        None,
        None,
        None,
    ]


def test_parquet_types():
    assert _parsed([1714564800], pl.Int64).to_list() == [NOON]
    assert _parsed([1714564800000], pl.Int64).to_list() == [NOON]
    naive = datetime(2024, 5, 1, 12)
    assert _parsed([naive], pl.Datetime("us")).to_list() == [NOON]
    berlin = pl.Series([naive]).dt.replace_time_zone("Europe/Berlin")
    assert _parsed(berlin, berlin.dtype).to_list() == [
        datetime(2024, 5, 1, 10, tzinfo=UTC)
    ]
    assert _parsed([date(2024, 5, 1)], pl.Date).to_list() == [
        datetime(2024, 5, 1, tzinfo=UTC)
    ]


def test_bad_and_missing_timestamps_are_quarantined_with_a_reason():
    raw = pl.DataFrame(
        {
            "label": ["1", "0", "1", "0"],
            "c": ["a", "b", "c", "d"],
            "t": ["1714564800", "yesterday", "", "2024-05-01T12:00:00Z"],
        }
    )
    lines = pl.DataFrame(
        {"line_number": [2, 3, 4, 5], "raw_text": [None] * 4},
        schema={"line_number": pl.Int64, "raw_text": pl.String},
    )
    result = type_rows(raw, SCHEMA, "f.csv", lines)
    assert result.accepted.schema == {
        "label": pl.Int8,
        "c": pl.String,
        "t": TIMESTAMP_TYPE,
    }
    assert result.accepted["t"].to_list() == [NOON, NOON]
    assert result.quarantined.select(
        "line_number", "column", "reason", "detail"
    ).rows() == [
        (
            3,
            "t",
            "not_a_timestamp",
            "column 't' holds 'yesterday', expected epoch seconds or milliseconds, "
            "or an ISO-8601 date-time",
        ),
        (4, "t", "missing_timestamp", "the timestamp column 't' is empty"),
    ]


def test_a_parquet_timestamp_of_a_type_that_holds_no_time_is_an_error():
    raw = pl.DataFrame({"label": [1], "c": ["a"], "t": [[1]]})
    lines = pl.DataFrame(
        {"line_number": [1], "raw_text": [None]},
        schema={"line_number": pl.Int64, "raw_text": pl.String},
    )
    with pytest.raises(
        IngestionError, match=r"'t' is List\(Int64\), expected a Datetime"
    ):
        type_rows(raw, SCHEMA, "f.parquet", lines, parquet=True)
