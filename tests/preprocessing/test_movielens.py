"""MovieLens preparation: the history is leak-free (strictly earlier, positives
only, the same user), the split is a time cut, the raw logs feed ingestion."""

import numpy as np
import polars as pl
import pytest

from ctrflow.datasets.movielens import movielens_raw_logs
from ctrflow.ingestion.params import IngestionParams
from ctrflow.pipelines.ingestion.nodes import split_logs
from ctrflow.preprocessing import (
    MovieLensParams,
    behaviour_history,
    movielens_impressions,
    split_by_time,
)
from ctrflow.schema import DatasetSchema


def _random_events(rows=400, seed=0):
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "user_id": rng.integers(0, 6, rows).astype(str),
            "item_id": [f"i{x}" for x in rng.integers(0, 40, rows)],
            "timestamp": rng.integers(0, 60, rows),  # many ties
            "label": rng.integers(0, 2, rows).astype(np.int8),
        }
    )


def test_history_holds_only_strictly_earlier_positives_of_the_same_user():
    events = _random_events()
    history = behaviour_history(events, max_history=1000)
    rows = events.to_dicts()
    for row, items in zip(rows, history.to_list(), strict=True):
        expected = sorted(
            (r["timestamp"], r["item_id"])
            for r in rows
            if r["user_id"] == row["user_id"]
            and r["label"] == 1
            and r["timestamp"] < row["timestamp"]
        )
        assert items == [item for _, item in expected]


def test_history_keeps_the_most_recent_items():
    events = pl.DataFrame(
        {
            "user_id": ["u"] * 5 + ["v"],
            "item_id": ["a", "b", "c", "d", "e", "f"],
            "timestamp": [1, 2, 3, 4, 5, 9],
            "label": [1, 1, 0, 1, 1, 1],
        }
    )
    assert behaviour_history(events, max_history=2).to_list() == [
        [], ["a"], ["a", "b"], ["a", "b"], ["b", "d"], []
    ]  # fmt: skip


def test_time_split_never_puts_a_later_row_before_an_earlier_split():
    events = _random_events(1000)
    train, valid, test = split_by_time(events, MovieLensParams())
    assert train.height + valid.height + test.height == events.height
    assert train["timestamp"].max() < valid["timestamp"].min()
    assert valid["timestamp"].max() < test["timestamp"].min()


def test_impressions_join_side_features_and_label_by_rating(movielens_frames):
    frame = movielens_impressions(*movielens_frames, MovieLensParams())
    assert frame["label"].to_list() == [1, 0, 1, 1, 0]
    assert frame["genre"].to_list() == [
        "Animation",
        "Action",
        "Drama",
        "Animation",
        "Drama",
    ]
    assert frame["zip_prefix"].to_list() == ["857", "857", "857", "940", "940"]
    assert frame["release_year"][1] is None
    assert frame["history"].to_list() == [[], ["10"], ["10"], [], ["10"]]


def test_raw_logs_give_ingestion_three_typed_parts(movielens_frames):
    params = MovieLensParams(valid_fraction=0.2, test_fraction=0.2)
    raw = movielens_raw_logs(*movielens_frames, params)
    assert sorted(raw.frames) == ["test", "train", "valid"]
    assert sum(f.height for f in raw.frames.values()) == 5
    schema = DatasetSchema(
        label="label",
        categorical=["user_id", "item_id", "genre"],
        sequence=["history"],
        sequence_vocabulary={"history": "item_id"},
    )
    train, valid, test, fingerprint, quarantined = split_logs(
        raw, schema, IngestionParams(split="given")
    )
    assert quarantined.height == 0
    assert train.height + valid.height + test.height == 5
    assert train.schema["history"] == pl.List(pl.String)
    assert set(fingerprint["sha256"]) == {"ratings", "users", "items"}


def test_params_leave_rows_to_train_on():
    with pytest.raises(ValueError, match="leave rows"):
        MovieLensParams(valid_fraction=0.5, test_fraction=0.5)
