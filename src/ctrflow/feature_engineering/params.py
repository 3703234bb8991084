"""Feature engineering's parameters: vocabularies and numeric transforms."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field

from ctrflow.schema import StrictParams

# min_count: auto: 2 up to AUTO_MIN_COUNT_ROWS train rows, then AUTO_MIN_COUNT_STEP
# more per tenfold (BARS Criteo_x1: 33M train rows, min count 10)
AUTO_MIN_COUNT = 2
AUTO_MIN_COUNT_ROWS = 1_000_000
AUTO_MIN_COUNT_STEP = 5


class FeatureEngineeringParams(StrictParams):
    """Vocabularies and numeric transforms, fit on train only.

    Attributes:
        min_count: categorical values seen fewer times in train share the OOV id;
            ``auto`` (``resolve_min_count``) grows it slowly with the train rows.
        numeric_transform: ``log_bucket`` turns a counter into a categorical id
            (``floor(log(x)^2)`` for x > 2, as in the Criteo winners' recipe);
            ``log1p`` and ``standardize`` keep it a float feature.
        max_sequence_length: behaviour sequences are cut to their last (most
            recent) ``max_sequence_length`` ids and padded after them to this length.
    """

    min_count: Annotated[int, Field(ge=1)] | Literal["auto"] = "auto"
    numeric_transform: Literal["log_bucket", "log1p", "standardize"] = "log_bucket"
    max_sequence_length: int = Field(20, ge=1)


def resolve_min_count(min_count: int | Literal["auto"], train_rows: int) -> int:
    """The min count used: an int as it is; ``auto`` is 2 up to 1M train rows, then
    5 more per tenfold, rounded (rare values of a large log are mostly noise; BARS
    uses 10 on Criteo_x1's 33M rows).

    Example::

        >>> [resolve_min_count("auto", rows) for rows in (200_000, 1_000_000,
        ...     2_000_000, 10_000_000, 33_000_000, 40_000_000, 100_000_000)]
        [2, 2, 4, 7, 10, 10, 12]
        >>> resolve_min_count(3, 40_000_000)
        3
    """
    if min_count != "auto":
        return min_count
    if train_rows <= AUTO_MIN_COUNT_ROWS:
        return AUTO_MIN_COUNT
    tenfolds = math.log10(train_rows / AUTO_MIN_COUNT_ROWS)
    return int(AUTO_MIN_COUNT + AUTO_MIN_COUNT_STEP * tenfolds + 0.5)
