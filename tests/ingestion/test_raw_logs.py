import polars as pl

from ctrflow.ingestion.quarantine import empty_quarantine
from ctrflow.ingestion.raw_logs import (
    LINE_INFO_SCHEMA,
    RawLogs,
    RawPart,
    joined_fields,
    numbered_lines,
)


def test_numbered_lines_have_no_text():
    lines = numbered_lines(2, 3)
    assert lines.schema == LINE_INFO_SCHEMA
    assert lines.rows() == [(2, None), (3, None), (4, None)]
    assert numbered_lines(1, 0).schema == LINE_INFO_SCHEMA


def test_joined_fields_write_a_null_cell_as_an_empty_field():
    frame = pl.DataFrame({"a": ["1", None], "b": [None, "x"], "n": [3, 4]})
    assert frame.select(joined_fields(frame, "\t")).to_series().to_list() == [
        "1\t\t3",
        "\tx\t4",
    ]


def test_line_info_defaults_to_numbers_from_the_first_line():
    raw = RawLogs(
        frames={"train": pl.DataFrame({"a": [1, 2]})},
        sources={"train": "t"},
        first_line={"train": 2},
        file_format="parquet",
    )
    assert raw.line_info("train").rows() == [(2, None), (3, None)]
    assert raw.raw_text("train").to_list() == [None, None]
    no_first_line = RawLogs(frames={"all": pl.DataFrame({"a": [1]})}, sources={})
    assert no_first_line.line_info("all")["line_number"].to_list() == [1]


def test_raw_text_joins_the_fields_of_rows_without_text():
    raw = RawLogs(
        frames={"all": pl.DataFrame({"a": ["1", "0"], "b": [None, "y"]})},
        sources={"all": "f"},
        lines={
            "all": pl.DataFrame({"line_number": [2, 4], "raw_text": [None, "kept"]})
        },
        joined_with="\t",
    )
    assert raw.raw_text("all").to_list() == ["1\t", "kept"]
    assert raw.raw_text("all").name == "raw_text"


def test_from_parts_keeps_each_part_and_joins_tab_separated_text():
    part = RawPart(
        source="t.tsv",
        frame=pl.DataFrame({"a": ["1"]}),
        lines=numbered_lines(2, 1),
        rejected=empty_quarantine(),
        rows_read=1,
        first_line=2,
        checksum="c",
    )
    raw = RawLogs.from_parts({"train": part, "valid": part, "test": part}, "tsv")
    assert raw.sources == {"train": "t.tsv", "valid": "t.tsv", "test": "t.tsv"}
    assert raw.checksums["valid"] == "c" and raw.first_line["test"] == 2
    assert raw.rows_read == {"train": 1, "valid": 1, "test": 1}
    assert raw.file_format == "tsv" and raw.joined_with == "\t"
    assert raw.lines["train"] is part.lines and raw.rejected["test"] is part.rejected
    assert RawLogs.from_parts({"all": part}, "criteo_tsv").joined_with == "\t"
    for file_format in ("csv", "parquet", "libsvm"):
        assert RawLogs.from_parts({"all": part}, file_format).joined_with is None
