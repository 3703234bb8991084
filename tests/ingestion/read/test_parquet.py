import polars as pl
import pytest

from ctrflow.ingestion.errors import UnreadableLogsError
from ctrflow.ingestion.read.parquet import read_parquet


def test_parquet_keeps_its_types(tmp_path):
    path = tmp_path / "a.parquet"
    pl.DataFrame({"label": [1, 0], "x": [0.5, None]}).write_parquet(path)
    part = read_parquet(str(path))
    assert part.frame.schema == {"label": pl.Int64, "x": pl.Float64}
    assert part.lines.rows() == [(1, None), (2, None)]  # a row's line: its number
    assert part.rejected.height == 0 and part.rows_read == 2


def test_a_file_that_is_not_parquet(write_file):
    with pytest.raises(UnreadableLogsError, match=r"f.parquet: cannot read as Parquet"):
        read_parquet(write_file("f.parquet", "label\n1\n"))
