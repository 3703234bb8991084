"""Dataset-specific preparation of raw files into impression logs (pure functions)."""

from ctrflow.preprocessing.movielens import (
    MovieLensParams,
    behaviour_history,
    movielens_impressions,
    split_by_time,
)

__all__ = [
    "MovieLensParams",
    "behaviour_history",
    "movielens_impressions",
    "split_by_time",
]
