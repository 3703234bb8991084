"""The header decided per file: a headed train beside headerless valid/test files,
column_order for csv, and the message for a first line that looks like data."""

import pytest

from ctrflow.datasets import ImpressionLogDataset
from ctrflow.ingestion import IngestionError, name_columns
from ctrflow.ingestion.params import IngestionParams
from ctrflow.pipelines.ingestion.nodes import split_logs
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="label", numeric=["n"], categorical=["c"])
GIVEN = IngestionParams(split="given")


def _raw(write_file, file_format, files, **kwargs):
    paths = {part: write_file(f"{part}.{file_format}", text) for part, text in files}
    where = {"filepath": paths["all"]} if "all" in paths else {"filepaths": paths}
    dataset = ImpressionLogDataset(**where, file_format=file_format, **kwargs).load()
    return dataset, paths


@pytest.mark.parametrize("file_format, sep", [("csv", ","), ("tsv", "\t")])
def test_headerless_valid_and_test_take_the_headed_trains_names(
    write_file, file_format, sep
):
    # the first data lines would make a header with a name twice ('0'): the bug
    rows = ["0", "0", "v"], ["1", "2", "w"]
    data = "".join(sep.join(r) + "\n" for r in rows)
    raw, paths = _raw(
        write_file,
        file_format,
        [
            ("train", sep.join(["label", "n", "c"]) + "\n" + data),
            ("valid", data),
            ("test", data),
        ],
    )
    train, valid, test, fingerprint, quarantine = split_logs(raw, SCHEMA, GIVEN)
    assert quarantine.height == 0
    for table in (train, valid, test):
        assert table.columns == ["label", "c", "n"]
        assert table.rows() == [(0, "v", 0.0), (1, "w", 2.0)]
    # the headerless files' first line is a row: every line counted
    assert fingerprint["ingestion"]["valid"]["rows_read"] == 2
    assert fingerprint["ingestion"]["train"]["rows_read"] == 2


def test_column_order_names_a_headerless_csv(write_file):
    raw, _ = _raw(write_file, "csv", [("train", "v,1,3\n"), ("test", "w,0,4\n")])
    params = IngestionParams(split="given", column_order=["c", "label", "n"])
    train, valid, test, _, _ = split_logs(raw, SCHEMA, params)
    assert (train.height + valid.height, test.rows()) == (1, [(0, "w", 4.0)])


def test_column_order_set_and_every_file_headed_must_match_the_headers(write_file):
    files = [("train", "label,n,c\n1,2,x\n"), ("test", "label,n,c\n0,3,y\n")]
    raw, _ = _raw(write_file, "csv", files)
    same = IngestionParams(split="given", column_order=["label", "n", "c"])
    assert split_logs(raw, SCHEMA, same)[2].height == 1
    raw, paths = _raw(write_file, "csv", files)
    other = IngestionParams(split="given", column_order=["label", "c", "n"])
    with pytest.raises(
        IngestionError,
        match=r"train.csv: ingestion.column_order \['label', 'c', 'n'\] names the "
        r"columns of files without header, but every file .* header is \['label', "
        r"'n', 'c'\]. Remove it .*set header: false",
    ):
        split_logs(raw, SCHEMA, other)


def test_a_first_line_that_looks_like_data_says_what_to_set(write_file):
    raw, paths = _raw(
        write_file,
        "csv",
        [("train", "10001868339616595934,0,1\n5,1,2\n"), ("test", "7,0,1\n")],
    )
    with pytest.raises(IngestionError) as error:
        name_columns(raw, SCHEMA, None)
    message = str(error.value)
    assert message.startswith(
        f"{paths['train']}: its first line ['10001868339616595934', '0', '1'] looks "
        "like data, not a header naming the schema's columns ['label', 'c', 'n'], so "
        "it has no header, and nothing names its columns"
    )
    assert (
        "set ingestion.column_order in conf/<env>/parameters_ingestion.yml" in message
    )


def test_a_header_of_other_names_is_not_taken_for_data(write_file):
    raw, paths = _raw(
        write_file, "csv", [("train", "clicked,site\n1,a\n"), ("test", "0,b\n")]
    )
    with pytest.raises(
        IngestionError,
        match=r"train.csv:1: the first line \['clicked', 'site'\] names none of the "
        r"schema's columns .* looks like a header with other names",
    ):
        name_columns(raw, SCHEMA, None)


def test_the_catalog_header_overrides_the_guess(write_file):
    # 'label' as a value: auto would take the line for a header; the catalog says not
    raw, _ = _raw(
        write_file,
        "tsv",
        [("train", "label\tn\tc\n1\t2\tx\n"), ("test", "0\t3\tlabel\n")],
        header={"test": False},
    )
    named = name_columns(raw, SCHEMA, None)
    assert named.header == {"train": True, "test": False}
    assert named.frames["test"].rows() == [("0", "3", "label")]
    assert named.first_line == {"train": 2, "test": 1}


def test_a_decided_header_with_another_width_than_the_lines_is_an_error(write_file):
    raw, _ = _raw(write_file, "csv", [("all", "label,n\n1,2,x\n0,3,y\n")])
    with pytest.raises(
        IngestionError,
        match=r"all.csv:1: the header names 2 column\(s\) but most lines have 3",
    ):
        name_columns(raw, SCHEMA, None)


def test_a_headerless_first_line_of_the_wrong_width_is_quarantined(write_file):
    raw, _ = _raw(
        write_file,
        "csv",
        [("train", "label,n,c\n1,2,x\n"), ("test", "0,3\n1,4,y\n0,5,z\n")],
    )
    named = name_columns(raw, SCHEMA, None)
    assert named.rows_read["test"] == 3 and named.frames["test"].height == 2
    assert named.rejected["test"].select("line_number", "reason", "detail").rows() == [
        (1, "wrong_field_count", "2 comma-separated field(s), expected 3")
    ]


def test_siblings_with_different_headers_cannot_name_a_headerless_file(write_file):
    raw, _ = _raw(
        write_file,
        "csv",
        [
            ("train", "label,n,c\n1,2,x\n"),
            ("valid", "label,c,n\n1,x,2\n"),
            ("test", "0,3,y\n"),
        ],
    )
    with pytest.raises(IngestionError, match=r"test.csv has no header and its sibl"):
        name_columns(raw, SCHEMA, None)


def test_name_columns_consumes_the_raw_frames(write_file):
    raw, _ = _raw(write_file, "csv", [("all", "label,n,c\n1,2,x\n")])
    named = name_columns(raw, SCHEMA, None)
    assert raw.frames["all"].height == 0  # its columns freed
    assert named.frames["all"].columns == ["label", "n", "c"]
