"""MovieLens node: the three RecBole files -> raw logs split by time."""

from __future__ import annotations

import hashlib
import logging

import polars as pl

from ctrflow.datasets import RawLogs
from ctrflow.preprocessing import MovieLensParams, movielens_impressions, split_by_time

logger = logging.getLogger(__name__)
_SPLITS = ("train", "valid", "test")


def prepare_movielens_logs(
    movielens_ratings: pl.DataFrame,
    movielens_users: pl.DataFrame,
    movielens_items: pl.DataFrame,
    params: MovieLensParams,
) -> RawLogs:
    """Impressions with a leak-free history, split by a global time cut.

    Args:
        movielens_ratings: ``ml-100k.inter`` as read (strings).
        movielens_users: ``ml-100k.user``.
        movielens_items: ``ml-100k.item``.
        params: label threshold, history length, split fractions.

    Returns:
        Raw logs with ``train``, ``valid`` and ``test`` parts (typed frames,
        read by ingestion as Parquet would be; ``ingestion.split: given``); the
        sha256 of each input table's CSV text is the fingerprint's checksum.
    """
    impressions = movielens_impressions(
        movielens_ratings, movielens_users, movielens_items, params
    )
    parts = dict(zip(_SPLITS, split_by_time(impressions, params), strict=True))
    for name, part in parts.items():
        logger.info(
            "movielens %s: %d rows, %s to %s, positive rate %.3f",
            name, part.height, part["timestamp"].min(), part["timestamp"].max(),
            part["label"].mean(),
        )  # fmt: skip
    inputs = {
        "ratings": movielens_ratings,
        "users": movielens_users,
        "items": movielens_items,
    }
    return RawLogs(
        frames={name: part.drop("timestamp") for name, part in parts.items()},
        sources={name: f"movielens_ratings ({name} by time)" for name in parts},
        checksums={
            name: hashlib.sha256(frame.write_csv().encode()).hexdigest()
            for name, frame in inputs.items()
        },
        file_format="parquet",
    )
