import polars as pl
import pytest

from ctrflow.datasets import ImpressionLogDataset
from ctrflow.ingestion.quarantine import empty_quarantine
from ctrflow.ingestion.raw_logs import (
    BLOCK_ROWS_ENV,
    LINE_INFO_SCHEMA,
    RawLogs,
    RawPart,
    default_block_rows,
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


def test_blocks_cut_a_part_and_hand_each_rejected_line_to_one_block(
    write_file, monkeypatch
):
    # lines 3 and 8 are rejected by the read step (wrong field count), line 10 too
    lines = ["1\t1\ta", "0\t2\tb", "1\t3", "0\t4\td", "1\t5\te", "0\t6\tf", "1\t7\tg"]
    lines += ["1", "0\t9\ti", "1"]
    path = write_file("logs.tsv", "\n".join(lines) + "\n")
    raw = ImpressionLogDataset(filepath=path, file_format="criteo_tsv", block_rows=3)
    blocks = list(raw.load().blocks("all"))
    assert [b.lines["line_number"].to_list() for b in blocks] == [
        [1, 2, 4], [5, 6, 7], [9],
    ]  # fmt: skip
    assert [b.rejected["line_number"].to_list() for b in blocks] == [[3], [], [8, 10]]
    assert [b.frame.height for b in blocks] == [3, 3, 1]
    # the environment's default, and a clear error for a bad value
    monkeypatch.setenv(BLOCK_ROWS_ENV, "2")
    assert default_block_rows() == 2
    monkeypatch.setenv(BLOCK_ROWS_ENV, "lots")
    with pytest.raises(
        ValueError, match="CTRFLOW_BLOCK_ROWS='lots' must be a positive"
    ):
        default_block_rows()


def test_an_empty_part_still_gives_one_block():
    raw = RawLogs(frames={"all": pl.DataFrame({"a": []}, schema={"a": pl.String})},
                  sources={"all": "f"}, block_rows=5)  # fmt: skip
    (block,) = raw.blocks("all")
    assert block.frame.height == 0 and block.rejected.height == 0
