"""Exact statistics of a split in one streaming pass, and GX results made exact.

Great Expectations needs rows, so a split above ``max_validation_rows`` is validated
on a seeded sample (``ctrflow.sampling.seeded_sample``). The derived checks whose
statistic is an aggregation (``row_count``, ``label_values``, ``positive_rate``,
``null_fraction``, ``numeric_range``) are then evaluated over every row:
``split_statistics`` computes their numbers in one streaming pass and
``apply_exact_statistics`` writes them into GX's result (success, counts and
percentages as GX computes them), so the report and the Data Docs show the exact
values. ``columns_present`` is exact on the sample (same columns); the analyst's
own expectations (``custom``) and the unexpected examples are the sample's.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ctrflow.data_quality.params import DataQualityParams
from ctrflow.data_quality.suite import LABEL_VALUES
from ctrflow.sampling import Table, collect
from ctrflow.schema import DatasetSchema

EXACT_CHECKS = frozenset(
    {"row_count", "label_values", "positive_rate", "null_fraction", "numeric_range"}
)
_NOT_NULL = "expect_column_values_to_not_be_null"
_IN_SET = "expect_column_values_to_be_in_set"


def split_statistics(
    table: Table, schema: DatasetSchema, params: DataQualityParams
) -> dict[str, Any]:
    """Row count, nulls, value ranges and label statistics of one split, exactly.

    Args:
        table: the split, in memory or a scan (one streaming aggregation).
        schema: the label and numeric columns.
        params: ``numeric_ranges`` (out-of-range counts).

    Returns:
        ``{"rows": int, "nulls": {column: int} (every column), "ranges": {numeric
        column: [min, max]}, "label_mean": float | None (non-null labels),
        "label_unexpected": int (non-null labels not 0/1), "out_of_range": {column:
        int} (non-null values outside ``numeric_ranges``)}``; a schema column the
        table lacks is left out (the columns_present check reports it).

    Example::

        >>> table = pl.DataFrame({"y": [0, 1, 2, None], "x": [1.0, None, 5.0, -1.0]})
        >>> stats = split_statistics(table, DatasetSchema(label="y", numeric=["x"]),
        ...     DataQualityParams(numeric_ranges={"x": {"min": 0}}))
        >>> stats["rows"], stats["nulls"], stats["label_unexpected"], stats["out_of_range"]
        (4, {'y': 1, 'x': 1}, 1, {'x': 1})
    """
    columns = table.collect_schema().names()
    label = schema.label
    numeric = [c for c in schema.numeric if c in columns]
    exprs = [pl.len().alias("rows")]
    exprs += [pl.col(c).null_count().alias(f"nulls:{c}") for c in columns]
    for column in numeric:
        exprs += [
            pl.col(column).min().alias(f"min:{column}"),
            pl.col(column).max().alias(f"max:{column}"),
        ]
    if label in columns:
        value = pl.col(label)
        exprs += [
            value.cast(pl.Float64).mean().alias("label_mean"),
            (value.is_not_null() & ~value.is_in(list(LABEL_VALUES)))
            .sum()
            .alias("label_unexpected"),
        ]
    for column, bounds in params.numeric_ranges.items():
        if column not in columns:
            continue
        outside = pl.lit(False)
        if bounds.min is not None:
            outside |= pl.col(column) < bounds.min
        if bounds.max is not None:
            outside |= pl.col(column) > bounds.max
        # a null compares as null, and a null is not counted
        exprs.append(outside.sum().alias(f"out:{column}"))
    row = collect(table.lazy().select(exprs)).row(0, named=True)
    return {
        "rows": int(row["rows"]),
        "nulls": {c: int(row[f"nulls:{c}"]) for c in columns},
        "ranges": {c: [row[f"min:{c}"], row[f"max:{c}"]] for c in numeric},
        "label_mean": row.get("label_mean"),
        "label_unexpected": int(row.get("label_unexpected") or 0),
        "out_of_range": {
            c: int(row[f"out:{c}"]) for c in params.numeric_ranges if f"out:{c}" in row
        },
    }


def apply_exact_statistics(
    gx_result: dict[str, Any], stats: dict[str, Any], schema: DatasetSchema
) -> dict[str, Any]:
    """GX's result on a sample, with the exact checks re-evaluated from ``stats``.

    Each expectation of the families in ``EXACT_CHECKS`` gets GX's success, counts
    and percentages computed from ``stats`` (the whole split) instead of the
    sample; the sample's unexpected examples stay. The result's ``success`` and
    ``statistics`` are recounted. An expectation GX could not evaluate (a missing
    column) is left as it is.

    Args:
        gx_result: ``validate_table``'s result on the sample (changed in place).
        stats: ``split_statistics`` of the whole split.
        schema: names the label.

    Returns:
        ``gx_result``.
    """
    for item in gx_result["results"]:
        config = item["expectation_config"]
        check = (config.get("meta") or {}).get("check")
        column = config["kwargs"].get("column")
        if check not in EXACT_CHECKS or _raised(item):
            continue
        if column is not None and column not in stats["nulls"]:
            continue
        result = item.setdefault("result", {})
        success = _exact(config, check, column, stats, schema, result)
        if success is not None:
            item["success"] = success
    outcomes = [bool(item["success"]) for item in gx_result["results"]]
    gx_result["success"] = all(outcomes)
    evaluated, passed = len(outcomes), sum(outcomes)
    gx_result["statistics"] = {
        **gx_result.get("statistics", {}),
        "evaluated_expectations": evaluated,
        "successful_expectations": passed,
        "unsuccessful_expectations": evaluated - passed,
        "success_percent": passed / evaluated * 100 if evaluated else None,
    }
    return gx_result


def _exact(  # noqa: PLR0913, PLR0917 (one expectation's inputs)
    config: dict[str, Any],
    check: str,
    column: str | None,
    stats: dict[str, Any],
    schema: DatasetSchema,
    result: dict[str, Any],
) -> bool | None:
    """Writes the exact numbers into ``result``; returns the success (None: not
    an expectation this module evaluates)."""
    kwargs, rows = config["kwargs"], stats["rows"]
    if check == "row_count":
        result["observed_value"] = rows
        return _between(rows, kwargs)
    if check == "positive_rate":
        result["observed_value"] = stats["label_mean"]
        return stats["label_mean"] is not None and _between(stats["label_mean"], kwargs)
    nulls = stats["nulls"][column]
    if config["type"] == _NOT_NULL:
        result.update(
            element_count=rows,
            unexpected_count=nulls,
            unexpected_percent=nulls / rows * 100 if rows else None,
        )
        return _mostly(rows - nulls, rows, kwargs)
    if check == "label_values" and config["type"] == _IN_SET:
        unexpected = stats["label_unexpected"] if column == schema.label else None
    elif check == "numeric_range":
        unexpected = stats["out_of_range"].get(column)
    else:
        return None
    if unexpected is None:
        return None
    present = rows - nulls
    result.update(
        element_count=rows,
        unexpected_count=unexpected,
        unexpected_percent=unexpected / present * 100 if present else None,
        missing_count=nulls,
        missing_percent=nulls / rows * 100 if rows else None,
        unexpected_percent_total=unexpected / rows * 100 if rows else None,
        unexpected_percent_nonmissing=unexpected / present * 100 if present else None,
    )
    return _mostly(present - unexpected, present, kwargs)


def _between(value: float, kwargs: dict[str, Any]) -> bool:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    return (low is None or value >= low) and (high is None or value <= high)


def _mostly(good: int, total: int, kwargs: dict[str, Any]) -> bool:
    """GX's ``mostly``: the share of good values is at least it (1 when unset);
    nothing to check passes."""
    mostly = kwargs.get("mostly")
    return total == 0 or good / total >= (1.0 if mostly is None else mostly)


def _raised(item: dict[str, Any]) -> bool:
    info = item.get("exception_info") or {}
    if "raised_exception" in info:
        return bool(info["raised_exception"])
    return any(
        isinstance(value, dict) and value.get("raised_exception")
        for value in info.values()
    )
