import polars as pl

from ctrflow.ingestion.quarantine import QUARANTINE_SCHEMA, quarantine_lines


def test_quarantine_lines_have_no_column_and_one_reason():
    lines = pl.DataFrame(
        {"line_number": [3, 7], "raw_text": ["", "a\tb"], "_count": [1, 2]}
    )
    rows = quarantine_lines(
        "f.tsv", lines, "wrong_field_count", pl.format("{} field(s)", "_count")
    )
    assert rows.schema == QUARANTINE_SCHEMA
    assert rows.rows() == [
        ("f.tsv", 3, None, "wrong_field_count", "1 field(s)", ""),
        ("f.tsv", 7, None, "wrong_field_count", "2 field(s)", "a\tb"),
    ]
    assert quarantine_lines("f", lines.clear(), "empty_line", pl.lit("")).height == 0
