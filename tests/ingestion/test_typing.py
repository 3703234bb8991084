import polars as pl
import pytest

from ctrflow.ingestion import IngestionError, name_columns, split_randomly, type_table
from ctrflow.params import DatasetSchema, SplitRatios

SCHEMA = DatasetSchema(label="label", numeric=["n"], categorical=["c"], sequence=["s"])


def _raw(**columns):
    return pl.DataFrame(columns, schema={k: pl.String for k in columns})


def test_types_and_blanks_become_missing():
    raw = _raw(
        label=["1", "0"], n=["3", " "], c=["a", ""], s=["x^y", "z"], extra=["?", "?"]
    )
    typed = type_table(raw, SCHEMA, "f.csv", first_line=2)
    assert typed.columns == ["label", "c", "n", "s"]
    assert typed.schema == {
        "label": pl.Int8, "c": pl.String, "n": pl.Float64, "s": pl.List(pl.String)
    }  # fmt: skip
    assert typed.rows() == [(1, "a", 3.0, ["x", "y"]), (0, None, None, ["z"])]


def test_non_numeric_value_names_file_line_column_and_value():
    raw = _raw(
        label=["1", "0", "1"], n=["3", "abc", "x"], c=["a", "b", "c"], s=["", "", ""]
    )
    with pytest.raises(
        IngestionError, match=r"f\.csv:3: column 'n' holds 'abc'.*\(2 such"
    ):
        type_table(raw, SCHEMA, "f.csv", first_line=2)


@pytest.mark.parametrize("label", ["yes", "1.5"])
def test_unreadable_label(label):
    raw = _raw(label=["1", label], n=["1", "2"], c=["a", "b"], s=["", ""])
    with pytest.raises(
        IngestionError, match=f"f.tsv:2: column 'label' holds '{label}'"
    ):
        type_table(raw, SCHEMA, "f.tsv", first_line=1)


def test_empty_label_is_an_error():
    raw = _raw(label=["1", ""], n=["1", "2"], c=["a", "b"], s=["", ""])
    with pytest.raises(
        IngestionError, match=r"f.tsv:2: the label column 'label' is empty"
    ):
        type_table(raw, SCHEMA, "f.tsv", first_line=1)


def test_missing_schema_column_lists_what_the_file_has():
    raw = _raw(label=["1"], c=["a"])
    with pytest.raises(
        IngestionError,
        match=r"\['n', 's'\] are not in the file; it has \['label', 'c'\]",
    ):
        type_table(raw, SCHEMA, "f.csv", first_line=2)


def test_name_columns_of_headerless_file():
    raw = _raw(column_1=["1"], column_2=["2"], column_3=["a"], column_4=["x"])
    assert name_columns(raw, "f", None, SCHEMA).columns == ["label", "n", "c", "s"]
    assert name_columns(raw, "f", ["label", "c", "n", "s"], SCHEMA).columns == [
        "label",
        "c",
        "n",
        "s",
    ]
    with pytest.raises(
        IngestionError, match="has 4 tab/space-separated columns but .* names 3"
    ):
        name_columns(raw, "f", ["label", "c", "n"], SCHEMA)
    with_header = _raw(label=["1"])
    assert name_columns(with_header, "f", None, SCHEMA) is with_header


def test_random_split_is_seeded_exhaustive_and_disjoint():
    table = pl.DataFrame({"row": range(1000)})
    ratios = SplitRatios(train=0.7, valid=0.2, test=0.1)
    train, valid, test = split_randomly(table, ratios, seed=1)
    assert (train.height, valid.height, test.height) == (700, 200, 100)
    rows = pl.concat([train, valid, test])["row"]
    assert rows.n_unique() == 1000
    again = split_randomly(table, ratios, seed=1)
    assert again[1].equals(valid)
    assert not split_randomly(table, ratios, seed=2)[1].equals(valid)


def test_ratios_must_sum_to_one():
    with pytest.raises(ValueError, match="must sum to 1"):
        SplitRatios(train=0.8, valid=0.1, test=0.2)
