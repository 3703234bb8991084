"""score_logs on files as ImpressionLogDataset reads them: a header without the
label, a headerless file with it, rows read = scored + quarantined."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ctrflow.datasets import ImpressionLogDataset
from ctrflow.ingestion.errors import IngestionError
from ctrflow.schema import DatasetSchema
from ctrflow.scoring.batch import score_logs
from ctrflow.scoring.errors import ScoringError
from ctrflow.scoring.params import ScoringParams

SCHEMA = DatasetSchema(label="y", numeric=["n"], categorical=["c"])


@pytest.fixture(scope="module")
def artifact(make_artifact):
    table = pl.DataFrame(
        {
            "y": pl.Series([0, 1] * 20, dtype=pl.Int8),
            "c": ["a", "b", "c", "d"] * 10,
            "n": [float(i % 7) for i in range(40)],
        }
    )
    return make_artifact(table, SCHEMA, ["c", "n"])


def test_a_headed_file_without_label_and_a_headerless_one_with_it_agree(
    artifact, tmp_path
):
    headed = tmp_path / "headed.csv"
    headed.write_text("c,n,id\na,1,r1\nb,oops,r2\nzz,3,r3\n")
    bare = tmp_path / "bare.tsv"
    bare.write_text("0\t1\ta\n1\toops\tb\n0\t3\tzz\n")  # label, numeric, categorical
    params = ScoringParams(device="cpu", key_columns=["id"])
    one = score_logs(
        ImpressionLogDataset(str(headed), file_format="csv").load(), artifact, params
    )
    two = score_logs(
        ImpressionLogDataset(str(bare), file_format="tsv", header=False).load(),
        artifact,
        params.model_copy(update={"key_columns": []}),
    )
    assert one.rows_in == two.rows_in == 3
    assert one.predictions["id"].to_list() == ["r1", "r3"]
    assert one.quarantined["line_number"].to_list() == [3]  # after the header
    assert two.quarantined["line_number"].to_list() == [2]
    assert one.quarantined["raw_text"].to_list() == ["b,oops,r2"]
    np.testing.assert_array_equal(
        one.predictions["probability"].to_numpy(),
        two.predictions["probability"].to_numpy(),
    )
    assert one.labels is None and two.labels.tolist() == [0, 0]
    assert one.oov["c"] == 1  # 'zz'


def test_a_file_lacking_a_schema_column_is_named(artifact, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text("c,id\na,r1\n")
    with pytest.raises(
        IngestionError, match=r"schema columns \['n'\] are not in the file"
    ):
        score_logs(
            ImpressionLogDataset(str(path), file_format="csv").load(),
            artifact,
            ScoringParams(),
        )


def test_a_headerless_file_of_another_width_asks_for_column_order(artifact, tmp_path):
    path = tmp_path / "new.tsv"
    path.write_text("1\ta\tx\ty\n")
    raw = ImpressionLogDataset(str(path), file_format="tsv", header=False).load()
    with pytest.raises(ScoringError, match=r"has 4 columns.*score.column_order"):
        score_logs(raw, artifact, ScoringParams())


def test_a_headerless_file_in_another_order_stops_saying_what_to_set(
    artifact, tmp_path
):
    """Named by the schema's order (label, numeric, categorical) its columns are
    wrong: every row fails typing, and the run stops naming score.column_order
    instead of quarantining the whole file."""
    bare = tmp_path / "other_order.csv"
    bare.write_text("a,1\nb,2\nc,3\n")  # categorical, numeric
    raw = ImpressionLogDataset(str(bare), file_format="csv", header=False).load()
    with pytest.raises(ScoringError, match=r"3 of 3 rows could not be typed.*"
                       r"\['n', 'c'\].*score\.column_order"):  # fmt: skip
        score_logs(raw, artifact, ScoringParams(device="cpu"))
    raw = ImpressionLogDataset(str(bare), file_format="csv", header=False).load()
    named = score_logs(  # naming the columns consumes the frames read: read again
        raw, artifact, ScoringParams(device="cpu", column_order=["c", "n"])
    )
    assert named.predictions.height == 3
