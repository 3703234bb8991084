import gzip
import subprocess
import sys

import pytest
from kedro.io import DataCatalog, DatasetError

from ctrflow.datasets import ImpressionLogDataset, RawLogs, RawLogsError
from ctrflow.ingestion import IngestionError, UnreadableLogsError
from ctrflow.ingestion.raw_logs import RawLogs as LibraryRawLogs


def _write(path, text, compress=False):
    if compress:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return str(path)


def test_one_file_is_the_part_all(tmp_path):
    path = _write(tmp_path / "a.tsv.gz", "1\t5\t\tab12\n0\t\t7\tcd34\n", compress=True)
    raw = ImpressionLogDataset(filepath=path, file_format="criteo_tsv").load()
    assert isinstance(raw, LibraryRawLogs) and RawLogs is LibraryRawLogs
    assert raw.frames["all"].row(0) == ("1", "5", None, "ab12")
    assert raw.sources == {"all": path} and raw.first_line == {"all": 1}
    assert len(raw.checksums["all"]) == 64
    assert raw.file_format == "criteo_tsv" and raw.joined_with == "\t"
    assert raw.rows_read == {"all": 2} and raw.rejected["all"].height == 0


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


def test_missing_split_file_names_the_part_and_the_catalog_entry(tmp_path):
    paths = {s: _write(tmp_path / f"{s}.csv", "a\n1\n") for s in ("train", "valid")}
    dataset = ImpressionLogDataset(
        filepaths={**paths, "test": str(tmp_path / "nope.csv")},
        file_format="csv",
        catalog_entry="my_logs",
    )
    with pytest.raises(
        RawLogsError,
        match=r"nope.csv \(part 'test'\)\. Check 'filepath' of the catalog entry "
        r"'my_logs'",
    ):
        dataset.load()


def test_an_unreadable_file_raises_a_dataset_error_with_the_readers_message(tmp_path):
    whole = gzip.compress(b"1\t2\n" * 2000)
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(RawLogsError) as error:
        ImpressionLogDataset(filepath=str(path), file_format="criteo_tsv").load()
    assert isinstance(error.value, DatasetError | IngestionError | UnreadableLogsError)
    assert str(error.value).startswith(f"{path}: the gzip data ends early (")
    assert isinstance(error.value.__cause__, EOFError)  # the reader's cause, kept


def test_kedro_passes_the_error_on_unwrapped(tmp_path):
    path = _write(tmp_path / "head.tsv", "label\tn\n")
    catalog = DataCatalog.from_config(
        {
            "raw_logs": {
                "type": "ctrflow.datasets.ImpressionLogDataset",
                "filepath": path,
                "file_format": "tsv",
            }
        }
    )
    with pytest.raises(DatasetError) as error:
        catalog.load("raw_logs")
    # the catalog prefixes the entry's name; the dataset's own wrapper adds nothing
    assert isinstance(error.value.__cause__, RawLogsError)
    assert str(error.value) == f"raw_logs: {error.value.__cause__}"
    assert str(error.value.__cause__).startswith(f"{path}: has a header line but no")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "exactly one of"),
        ({"filepath": "a", "filepaths": {"train": "a"}}, "exactly one of"),
        ({"filepaths": {"train": "a"}}, r"must name \['train', 'valid', 'test'\], or"),
        ({"filepaths": {"train": "a", "valid": "b"}}, "got \\['train', 'valid'\\]"),
        ({"filepath": "a", "header": "yes"}, "must be true, false or"),
        ({"filepath": "a", "header": {"tran": True}}, r"names part\(s\) \['tran'\]"),
        (
            {"filepath": "a", "file_format": "criteo_tsv", "header": True},
            "criteo_tsv files have no header line by definition",
        ),
        ({"filepath": "a", "file_format": "parquet", "header": False}, "Parquet"),
        ({"filepath": "a", "file_format": "xlsx"}, "not one of"),
    ],
)
def test_bad_configuration(kwargs, message):
    with pytest.raises(DatasetError, match=message):
        ImpressionLogDataset(**kwargs)


def test_train_and_test_only_and_a_header_per_file(tmp_path):
    paths = {
        "train": _write(tmp_path / "train.csv", "label,a\n1,x\n"),
        "test": _write(tmp_path / "test.csv", "0,y\n"),
    }
    raw = ImpressionLogDataset(
        filepaths=paths, file_format="csv", header={"test": False}
    ).load()
    assert sorted(raw.frames) == ["test", "train"]
    # train undecided (auto, for ingestion), test headerless as the catalog says
    assert raw.header == {"train": None, "test": False}
    assert raw.frames["test"].rows() == [("0", "y")] and raw.first_line["test"] == 1
    assert raw.first["train"].fields == ["label", "a"]
    both = {**paths, "test": _write(tmp_path / "test2.csv", "label,a\n0,y\n")}
    one_bool = ImpressionLogDataset(filepaths=both, file_format="csv", header=True)
    assert one_bool.load().header == {"train": True, "test": True}


def test_read_only(tmp_path):
    with pytest.raises(DatasetError, match="read-only"):
        dataset = ImpressionLogDataset(filepath=str(tmp_path / "a.csv"))
        dataset.save("rows")


def test_exists_when_every_file_does(tmp_path):
    path = _write(tmp_path / "a.csv", "a\n1\n")
    assert ImpressionLogDataset(filepath=path).exists()
    assert not ImpressionLogDataset(filepath=str(tmp_path / "b.csv")).exists()


def test_importing_the_datasets_imports_no_torch():
    code = (
        "import sys, ctrflow.datasets as d; assert 'torch' not in sys.modules; "
        "assert d.TorchModelDataset.__name__ == 'TorchModelDataset'; "
        "assert 'torch' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
