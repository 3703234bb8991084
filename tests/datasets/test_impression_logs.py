import gzip

import polars as pl
import pytest
from kedro.io import DatasetError

from ctrflow.datasets import ImpressionLogDataset


def _write(path, text, compress=False):
    if compress:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return str(path)


def test_criteo_tsv_gzip_without_header(tmp_path):
    path = _write(tmp_path / "a.tsv.gz", "1\t5\t\tab12\n0\t\t7\tcd34\n", compress=True)
    raw = ImpressionLogDataset(filepath=path, file_format="criteo_tsv").load()
    frame = raw.frames["all"]
    assert frame.columns == ["column_1", "column_2", "column_3", "column_4"]
    assert frame.row(0) == ("1", "5", None, "ab12")
    assert raw.first_line == {"all": 1}
    assert len(raw.checksums["all"]) == 64


def test_csv_and_tsv_with_header(tmp_path):
    csv = _write(tmp_path / "a.csv", 'label,user,item\r\n1,"u,1",i1\r\n0,u2,i2\r\n')
    tsv = _write(tmp_path / "a.tsv", "label\tuser\n1\tu1\n")
    frame = ImpressionLogDataset(filepath=csv, file_format="csv").load().frames["all"]
    assert frame.columns == ["label", "user", "item"]
    assert (
        frame.row(0) == ("1", "u,1", "i1") and frame.row(1)[2] == "i2"
    )  # CRLF stripped
    raw = ImpressionLogDataset(filepath=tsv, file_format="tsv").load()
    assert raw.frames["all"].row(0) == ("1", "u1") and raw.first_line["all"] == 2


def test_parquet_keeps_its_types(tmp_path):
    path = tmp_path / "a.parquet"
    pl.DataFrame({"label": [1, 0], "x": [0.5, None]}).write_parquet(path)
    frame = (
        ImpressionLogDataset(filepath=str(path), file_format="parquet")
        .load()
        .frames["all"]
    )
    assert frame.schema == {"label": pl.Int64, "x": pl.Float64}


def test_libsvm_takes_feature_indices_and_maps_minus_one_to_zero(tmp_path):
    path = _write(tmp_path / "a.libfm", "-1 12:1 900:1 5001:1\n1 13:1 901:1 5002:1\n")
    frame = (
        ImpressionLogDataset(filepath=path, file_format="libsvm").load().frames["all"]
    )
    assert frame.rows() == [("0", "12", "900", "5001"), ("1", "13", "901", "5002")]


def test_given_splits(tmp_path):
    paths = {
        s: _write(tmp_path / f"{s}.csv", "label,a\n1,x\n")
        for s in ("train", "valid", "test")
    }
    raw = ImpressionLogDataset(filepaths=paths, file_format="csv").load()
    assert sorted(raw.frames) == ["test", "train", "valid"]
    assert raw.sources["valid"] == paths["valid"]


def test_missing_file_names_the_path(tmp_path):
    dataset = ImpressionLogDataset(
        filepath=str(tmp_path / "nope.tsv"), file_format="tsv"
    )
    with pytest.raises(DatasetError, match="nope.tsv"):
        dataset.load()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "exactly one of"),
        ({"filepath": "a", "filepaths": {"train": "a"}}, "exactly one of"),
        ({"filepaths": {"train": "a"}}, "must name exactly"),
        ({"filepath": "a", "file_format": "xlsx"}, "not one of"),
    ],
)
def test_bad_configuration(kwargs, message):
    with pytest.raises(DatasetError, match=message):
        ImpressionLogDataset(**kwargs)


def test_read_only(tmp_path):
    with pytest.raises(DatasetError, match="read-only"):
        dataset = ImpressionLogDataset(filepath=str(tmp_path / "a.csv"))
        dataset.save("rows")


def test_lines_keep_their_number_and_raw_text_and_bad_lines_are_set_aside(tmp_path):
    # gzip is recognised by its magic bytes, whatever the name
    path = _write(
        tmp_path / "a.txt", "label\tn\n1\t2\n\n0\t3\textra\r\n1\t4\r\n", compress=True
    )
    raw = ImpressionLogDataset(filepath=path, file_format="tsv").load()
    assert raw.frames["all"].rows() == [("1", "2"), ("1", "4")]
    # a tab-separated row's text is its fields joined back (not kept twice)
    assert raw.lines["all"]["line_number"].to_list() == [2, 5]
    assert raw.raw_text("all").to_list() == ["1\t2", "1\t4"]
    assert raw.rejected["all"].select("line_number", "reason", "raw_text").rows() == [
        (3, "empty_line", ""),
        (4, "wrong_field_count", "0\t3\textra"),
    ]
    assert raw.rows_read == {"all": 4}


def test_headerless_width_is_that_of_most_lines(tmp_path):
    path = _write(tmp_path / "a.tsv", "1\t2\tx\n0\t3\ty\n1\t4\n")
    raw = ImpressionLogDataset(filepath=path, file_format="criteo_tsv").load()
    assert raw.frames["all"].width == 3 and raw.frames["all"].height == 2
    assert raw.rejected["all"]["detail"].to_list() == [
        "2 tab-separated field(s), expected 3"
    ]
