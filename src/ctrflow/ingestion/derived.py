"""Derived categorical features (``schema.derived``): one pure polars function, so
that ingestion and scoring compute them with exactly the same code.

An event time (a ``Datetime`` in UTC, as ``ctrflow.ingestion.timestamps`` types
it) gives its ``hour`` (0-23), ``weekday`` (1 = Monday .. 7 = Sunday) and ``day``
(of the month, 1-31); a numeric column gives the interval of ``buckets`` its value
falls in. Every derived column is text (``String``), like every categorical column
of the typed tables; a missing input stays missing.
"""

from __future__ import annotations

import polars as pl

from ctrflow.schema import DerivedFeature

_PARTS = {
    "hour": lambda time: time.dt.hour(),
    "weekday": lambda time: time.dt.weekday(),
    "day": lambda time: time.dt.day(),
}


def derived_expressions(spec: DerivedFeature) -> list[pl.Expr]:
    """The expressions of one derived feature's columns (``spec.names``)."""
    source = pl.col(spec.column)
    if spec.extract:
        time = source.dt.convert_time_zone("UTC")
        return [
            _PARTS[kind](time).cast(pl.String).alias(name)
            for kind, name in zip(spec.extract, spec.names, strict=True)
        ]
    return [bucket_expression(source, spec.buckets).alias(spec.names[0])]


def bucket_expression(value: pl.Expr, edges: list[float]) -> pl.Expr:
    """The interval of ``edges`` each value falls in, closed on the left, as text.

    Example::

        >>> frame = pl.DataFrame({"x": [-1.0, 0.0, 5.0, 10.0, None]})
        >>> frame.select(bucket_expression(pl.col("x"), [0, 10]))["x"].to_list()
        ['[-inf, 0)', '[0, 10)', '[0, 10)', '[10, inf)', None]
    """
    bounds = ["-inf", *(f"{edge:g}" for edge in edges), "inf"]
    labels = [f"[{low}, {high})" for low, high in zip(bounds, bounds[1:], strict=False)]
    index = pl.sum_horizontal([(value >= edge).cast(pl.Int32) for edge in edges])
    return (
        pl.when(value.is_not_null())
        .then(index.replace_strict(range(len(labels)), labels, return_dtype=pl.String))
        .otherwise(None)
    )


def add_derived(table: pl.DataFrame, derived: list[DerivedFeature]) -> pl.DataFrame:
    """``table`` with every derived feature's columns appended (in ``derived``'s
    order); the other columns are shared, not copied.

    Args:
        table: a typed table holding each spec's ``column`` (the timestamp as a
            ``Datetime``, a bucketed column as a number).
        derived: ``schema.derived`` (or the feature map's copy, when scoring).

    Raises:
        KeyError: a spec's input column is not in ``table``.
    """
    missing = [d.column for d in derived if d.column not in table.columns]
    if missing:
        raise KeyError(
            f"derived features need column(s) {missing}, which the table lacks; "
            f"it has {table.columns}"
        )
    if not derived:
        return table
    return table.with_columns(
        expression for spec in derived for expression in derived_expressions(spec)
    )
