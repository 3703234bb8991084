"""The MovieLens raw-logs dataset: conf/movielens's `raw_logs` entry reads the three
RecBole files into the same raw logs as the `movielens` pipeline node did before
(the files read as that node's catalog read them, then the same preparation).

The real files are ../shared/data/movielens_100k (or $CTRFLOW_SHARED_DATA); the
tests that need them skip with a message where they are absent.
"""

from __future__ import annotations

import gzip
import hashlib

import polars as pl
import pytest
from kedro.config import OmegaConfigLoader
from kedro.io import DataCatalog, DatasetError
from kedro_datasets.polars import EagerPolarsDataset
from pydantic import ValidationError

from ctrflow import settings
from ctrflow.datasets import MovieLensLogsDataset
from ctrflow.preprocessing.movielens import (
    MovieLensParams,
    movielens_impressions,
    split_by_time,
)

FILES = {
    "ratings": "ml-100k.inter.gz",
    "users": "ml-100k.user.gz",
    "items": "ml-100k.item.gz",
}
# how conf/movielens/catalog.yml read the files for the old prepare node
_OLD_READ = {"separator": "\t", "quote_char": None, "infer_schema": False}


def _write(path, frame: pl.DataFrame) -> str:
    with gzip.open(path, "wt") as file:
        file.write(frame.write_csv(separator="\t"))
    return str(path)


@pytest.fixture
def small_files(tmp_path, movielens_frames) -> dict[str, str]:
    ratings, users, items = movielens_frames
    return {
        name: _write(tmp_path / f"{name}.gz", frame)
        for name, frame in (("ratings", ratings), ("users", users), ("items", items))
    }


def _old_node(files: dict, params: MovieLensParams) -> dict:
    """What the removed ``prepare_movielens_logs`` node returned, from the files
    read as its catalog read them: frames, sources and checksums."""
    tables = {
        name: EagerPolarsDataset(
            filepath=str(path), file_format="csv", load_args=_OLD_READ
        ).load()
        for name, path in files.items()
    }
    impressions = movielens_impressions(
        tables["ratings"], tables["users"], tables["items"], params
    )
    parts = dict(zip(("train", "valid", "test"), split_by_time(impressions, params)))
    return {
        "frames": {name: part.drop("timestamp") for name, part in parts.items()},
        "sources": {name: f"movielens_ratings ({name} by time)" for name in parts},
        "checksums": {
            name: hashlib.sha256(frame.write_csv().encode()).hexdigest()
            for name, frame in tables.items()
        },
    }


def _assert_same(raw, expected: dict) -> None:
    assert sorted(raw.frames) == sorted(expected["frames"])
    for name, frame in expected["frames"].items():
        assert raw.frames[name].equals(frame), name
    assert raw.sources == expected["sources"]
    assert raw.checksums == expected["checksums"]
    assert raw.file_format == "parquet"


def test_loads_what_the_old_node_built(small_files):
    options = {"valid_fraction": 0.2, "test_fraction": 0.2}
    raw = MovieLensLogsDataset(**small_files, options=options).load()
    _assert_same(raw, _old_node(small_files, MovieLensParams(**options)))
    assert sum(frame.height for frame in raw.frames.values()) == 5


def test_a_wrong_option_fails_naming_the_key(small_files):
    with pytest.raises(ValidationError, match="max_histroy"):
        MovieLensLogsDataset(**small_files, options={"max_histroy": 5})


def test_a_missing_file_is_named(small_files, tmp_path):
    dataset = MovieLensLogsDataset(**{**small_files, "users": str(tmp_path / "no.gz")})
    assert not dataset.exists()
    with pytest.raises(DatasetError, match="no.gz"):
        dataset.load()


@pytest.mark.shared_data
def test_the_movielens_environment_loads_the_real_files_as_before(
    monkeypatch, shared_data, shared_dataset, project_root
):
    folder = shared_dataset("movielens_100k", *FILES.values())
    monkeypatch.setenv("CTRFLOW_SHARED_DATA", str(shared_data))
    loader = OmegaConfigLoader(
        str(project_root / "conf"), env="movielens", **settings.CONFIG_LOADER_ARGS
    )
    entry = loader["catalog"]["raw_logs"]
    raw = DataCatalog.from_config({"raw_logs": entry}).load("raw_logs")
    # the options that were parameters `movielens:` of conf/movielens before
    params = MovieLensParams(**entry["options"])
    assert params == MovieLensParams(
        positive_rating=4, max_history=50, valid_fraction=0.1, test_fraction=0.1,
        zip_prefix_length=3,
    )  # fmt: skip
    files = {name: folder / file for name, file in FILES.items()}
    _assert_same(raw, _old_node(files, params))
    assert {name: frame.height for name, frame in raw.frames.items()} == {
        "train": 79_999, "valid": 10_001, "test": 10_000
    }  # fmt: skip
