import polars as pl
import pytest

from ctrflow.ingestion import IngestionError, type_rows
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="label", numeric=["n"], categorical=["c"], sequence=["s"])


def _raw(**columns):
    return pl.DataFrame(columns, schema={k: pl.String for k in columns})


def _lines(rows, first=2):
    return pl.DataFrame(
        {"line_number": list(range(first, first + rows)), "raw_text": [None] * rows},
        schema={"line_number": pl.Int64, "raw_text": pl.String},
    )


def test_types_and_blanks_become_missing():
    raw = _raw(
        label=["1", "0"], n=["3", " "], c=["a", ""], s=["x^y", "z"], extra=["?", "?"]
    )
    result = type_rows(raw, SCHEMA, "f.csv", _lines(2))
    assert result.quarantined.height == 0
    typed = result.accepted
    assert typed.columns == ["label", "c", "n", "s"]
    assert typed.schema == {
        "label": pl.Int8, "c": pl.String, "n": pl.Float64, "s": pl.List(pl.String)
    }  # fmt: skip
    assert typed.rows() == [(1, "a", 3.0, ["x", "y"]), (0, None, None, ["z"])]


def test_non_numeric_values_are_quarantined_with_line_column_and_value():
    raw = _raw(
        label=["1", "0", "1"], n=["3", "abc", "x"], c=["a", "b", "c"], s=["", "", ""]
    )
    result = type_rows(raw, SCHEMA, "f.csv", _lines(3))
    assert result.accepted.height == 1
    assert result.quarantined.select("line_number", "column", "reason").rows() == [
        (3, "n", "not_a_number"),
        (4, "n", "not_a_number"),
    ]
    assert (
        result.quarantined["detail"][0] == "column 'n' holds 'abc', expected a number"
    )


@pytest.mark.parametrize(
    "label, reason",
    [("yes", "label_not_0_or_1"), ("1.5", "label_not_0_or_1"), ("2", "label_not_0_or_1"),
     ("-1", "label_not_0_or_1"), ("", "missing_label"), (" ", "missing_label")],
)  # fmt: skip
def test_bad_label_is_quarantined(label, reason):
    raw = _raw(label=["1", label], n=["1", "2"], c=["a", "b"], s=["", ""])
    result = type_rows(raw, SCHEMA, "f.tsv", _lines(2, first=1))
    assert result.accepted["label"].to_list() == [1]
    assert result.quarantined.select("line_number", "column", "reason").rows() == [
        (2, "label", reason)
    ]


def test_missing_schema_column_lists_what_the_file_has():
    raw = _raw(label=["1"], c=["a"])
    with pytest.raises(
        IngestionError,
        match=r"\['n', 's'\] are not in the file; it has \['label', 'c'\]",
    ):
        type_rows(raw, SCHEMA, "f.csv", _lines(1))


def test_a_quarantined_row_without_text_gets_its_fields_joined_back():
    raw = _raw(
        label=["1", "x"], n=["1", ""], c=["a", None], s=["", ""], extra=["e", "f"]
    )
    result = type_rows(raw, SCHEMA, "f.tsv", _lines(2), joined_with="\t")
    assert result.quarantined.select("line_number", "raw_text").rows() == [
        (3, "x\t\t\t\tf")
    ]
    as_json = type_rows(raw, SCHEMA, "f.tsv", _lines(2))
    assert as_json.quarantined["raw_text"].to_list() == [
        '{"label":"x","n":"","c":null,"s":""}'  # file order
    ]
