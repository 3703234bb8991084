"""Event times (``schema.timestamp``) as ``Datetime("ms", "UTC")``.

Accepted: an integer or decimal epoch (seconds below ``EPOCH_MS_FROM``,
milliseconds from it: 10^11 seconds is the year 5138, 10^11 ms is 1973),
ISO-8601 text (``2024-05-01``, ``2024-05-01T13:45``, ``2024-05-01 13:45:07.250``,
with ``Z`` or a ``+02:00`` offset; without an offset the time is UTC), and for
Parquet also ``Datetime`` (a naive one is UTC) and ``Date`` columns. Anything else
is null here, and ingestion quarantines the row (``not_a_timestamp``).
"""

from __future__ import annotations

import polars as pl

EPOCH_MS_FROM = 10**11
TIMESTAMP_TYPE = pl.Datetime("ms", "UTC")
# years 1 .. 9999 in ms: a larger epoch is not a time
_MS_RANGE = (-62_135_596_800_000, 253_402_300_799_999)
_WITH_OFFSET = ("%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z")
_WITHOUT_OFFSET = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d")
EXPECTED = "epoch seconds or milliseconds, or an ISO-8601 date-time"


def parse_timestamp(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """``value`` (a column of type ``dtype``) as ``TIMESTAMP_TYPE``; null where
    missing or not a time.

    Example::

        >>> frame = pl.DataFrame({"t": ["1700000000", "1700000000000", "2023-11-14T22:13:20Z", "soon"]})
        >>> frame.select(parse_timestamp(pl.col("t"), pl.String))["t"].cast(pl.String).to_list()
        ['2023-11-14 22:13:20.000+00:00', '2023-11-14 22:13:20.000+00:00', '2023-11-14 22:13:20.000+00:00', None]
    """
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            value = value.dt.replace_time_zone("UTC")
        return value.dt.convert_time_zone("UTC").dt.cast_time_unit("ms")
    if dtype == pl.Date:
        return value.cast(pl.Datetime("ms")).dt.replace_time_zone("UTC")
    if dtype != pl.String:
        return _from_epoch(value.cast(pl.Float64))
    text = value.str.strip_chars()
    iso = text.str.replace(r"[zZ]$", "+00:00").str.replace(
        r"^(\d{4}-\d\d-\d\d) ", "${1}T"
    )
    parsed = [
        iso.str.to_datetime(f, time_unit="ms", strict=False).dt.convert_time_zone("UTC")
        for f in _WITH_OFFSET
    ] + [
        iso.str.to_datetime(f, time_unit="ms", strict=False).dt.replace_time_zone("UTC")
        for f in _WITHOUT_OFFSET
    ]
    return pl.coalesce(_from_epoch(text.cast(pl.Float64, strict=False)), *parsed)


def _from_epoch(number: pl.Expr) -> pl.Expr:
    """Epoch seconds (below ``EPOCH_MS_FROM``) or milliseconds as a time."""
    ms = pl.when(number.abs() < EPOCH_MS_FROM).then(number * 1000).otherwise(number)
    in_range = ms.is_finite() & ms.is_between(*_MS_RANGE)
    return (
        pl.when(in_range)
        .then(ms.round().cast(pl.Int64))
        .otherwise(None)
        .cast(pl.Datetime("ms"))
        .dt.replace_time_zone("UTC")
    )
