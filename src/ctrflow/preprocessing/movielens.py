"""MovieLens (RecBole atomic files) -> CTR impressions with a leak-free history.

Each rating is an impression: label 1 when ``rating >= positive_rating``. Its
``history`` is the same user's *earlier positively rated* movies: ratings with a
timestamp strictly below the row's (a rating at the same second is not history,
whichever comes first in the file), oldest first, at most ``max_history`` of the
most recent. The split is a global time cut, so no train row is later than a
valid or test row. A row's history may hold ratings of its own split (they are
earlier than the row: what a live system knows at that moment).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, model_validator

from ctrflow.schema import StrictParams

HISTORY = "history"


class MovieLensParams(StrictParams):
    """How MovieLens ratings become impressions (``conf/movielens``: ``movielens``).

    Attributes:
        positive_rating: ratings at or above this are clicks (label 1).
        max_history: keep at most this many of the most recent history items
            (feature engineering cuts further to ``max_sequence_length``).
        valid_fraction: share of rows, by time, in the validation split.
        test_fraction: share of rows, the latest, in the test split.
        zip_prefix_length: the user's zip code is cut to this many characters.
    """

    positive_rating: float = 4.0
    max_history: int = Field(50, ge=1)
    valid_fraction: float = Field(0.1, gt=0, lt=1)
    test_fraction: float = Field(0.1, gt=0, lt=1)
    zip_prefix_length: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _train_left(self) -> MovieLensParams:
        if self.valid_fraction + self.test_fraction >= 1:
            raise ValueError(
                "valid_fraction + test_fraction must leave rows to train on"
            )
        return self


def _strip_types(frame: pl.DataFrame) -> pl.DataFrame:
    """RecBole headers ``name:type`` -> ``name``; empty cells -> null."""
    frame = frame.rename({c: c.split(":")[0] for c in frame.columns})
    return frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.strip_chars() == "")
        .then(None)
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in frame.columns
    )


def behaviour_history(
    events: pl.DataFrame, max_history: int, *, user: str = "user_id",
    item: str = "item_id", time: str = "timestamp", label: str = "label",
) -> pl.Series:  # fmt: skip
    """For each row, the same user's positive items with a strictly earlier time.

    Vectorised: the positives of each user, in (time, item) order, are one list;
    an as-of join finds how many of them are strictly earlier than each row
    (ties on time count as not earlier), and the row's history is that prefix's
    last ``max_history`` items.

    Args:
        events: one row per interaction with ``user``, ``item`` (strings),
            ``time`` (sortable) and a 0/1 ``label``.
        max_history: the most recent items kept.

    Returns:
        ``List(String)`` aligned with ``events`` (empty list: no earlier positive).

    Example::

        >>> events = pl.DataFrame({
        ...     "user_id": ["u", "u", "u", "v"], "item_id": ["a", "b", "c", "d"],
        ...     "timestamp": [1, 2, 2, 3], "label": [1, 1, 0, 1]})
        >>> behaviour_history(events, 10).to_list()
        [[], ['a'], ['a'], []]
    """
    positives = events.filter(pl.col(label) == 1).sort([user, time, item])
    per_user = positives.group_by(user, maintain_order=True).agg(
        pl.col(item).alias("_items")
    )
    # number of positives up to and including each distinct (user, time)
    counts = (
        positives.group_by([user, time], maintain_order=True)
        .len("_n")
        .with_columns(pl.col("_n").cum_sum().over(user).alias("_before"))
        .select(user, time, "_before")
        .sort(time)
    )
    rows = (
        events.select(user, time)
        .with_row_index("_row")
        .sort(time)
        .join_asof(
            counts,
            on=time,
            by=user,
            strategy="backward",
            allow_exact_matches=False,  # the same second is not earlier
            check_sortedness=False,  # both sides are sorted by time
        )
        .join(per_user, on=user, how="left")
        .sort("_row")
    )
    known = pl.col("_before").fill_null(0).cast(pl.Int64)
    start = (known - max_history).clip(lower_bound=0)
    history = (
        pl.col("_items")
        .fill_null(pl.lit([], dtype=pl.List(pl.String)))
        .list.slice(start, known - start)
    )
    return rows.select(history.alias(HISTORY)).to_series()


def split_by_time(
    frame: pl.DataFrame, params: MovieLensParams, time: str = "timestamp"
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Global time cut: the latest ``test_fraction`` of rows is test, the
    ``valid_fraction`` before it valid, the rest train. Cuts fall on timestamps
    (rows sharing a timestamp stay in one split), so shares are approximate.

    Example::

        >>> frame = pl.DataFrame({"timestamp": list(range(10))})
        >>> [s.height for s in split_by_time(frame, MovieLensParams())]
        [8, 1, 1]
    """
    times = frame.get_column(time).sort()
    rows = times.len()
    valid_start = times[int(rows * (1 - params.valid_fraction - params.test_fraction))]
    test_start = times[int(rows * (1 - params.test_fraction))]
    value = pl.col(time)
    return (
        frame.filter(value < valid_start),
        frame.filter((value >= valid_start) & (value < test_start)),
        frame.filter(value >= test_start),
    )


def movielens_impressions(
    ratings: pl.DataFrame,
    users: pl.DataFrame,
    items: pl.DataFrame,
    params: MovieLensParams,
) -> pl.DataFrame:
    """One impression per rating: label, ids, side features and the history.

    Args:
        ratings: ``ml-100k.inter`` (``user_id``, ``item_id``, ``rating``,
            ``timestamp``; RecBole ``name:type`` headers are fine).
        users: ``ml-100k.user`` (``age``, ``gender``, ``occupation``, ``zip_code``).
        items: ``ml-100k.item`` (``release_year``, ``class``: space-separated
            genres, of which the first becomes ``genre``).
        params: the label threshold and history length.

    Returns:
        Columns ``label`` (Int8), ``timestamp`` (Int64), ``user_id``,
        ``item_id``, ``age``, ``gender``, ``occupation``, ``zip_prefix``,
        ``release_year``, ``genre`` (strings, null = missing) and ``history``
        (``List(String)`` of item ids), in the ratings' order.
    """
    ratings, users, items = (_strip_types(f) for f in (ratings, users, items))
    events = ratings.select(
        (pl.col("rating").cast(pl.Float64) >= params.positive_rating)
        .cast(pl.Int8)
        .alias("label"),
        pl.col("timestamp").cast(pl.Float64).cast(pl.Int64),
        "user_id",
        "item_id",
    )
    users = users.select(
        "user_id",
        "age",
        "gender",
        "occupation",
        pl.col("zip_code").str.slice(0, params.zip_prefix_length).alias("zip_prefix"),
    )
    items = items.select(
        "item_id",
        "release_year",
        pl.col("class").str.split(" ").list.first().alias("genre"),
    )
    history = behaviour_history(events, params.max_history)
    return (
        events.join(users, on="user_id", how="left", maintain_order="left")
        .join(items, on="item_id", how="left", maintain_order="left")
        .with_columns(history)
    )
