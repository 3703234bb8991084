"""The Great Expectations suite derived from the dataset schema and its thresholds.

Every expectation belongs to one check family (``columns_present``, ``label_values``,
``row_count``, ``null_fraction``, ``numeric_range``, ``positive_rate``); its ``meta``
records the family (``check``) and the family's severity from
``DataQualityParams.severity`` (``blocking`` or ``warning``). GX's own ``severity``
field is set to match (``critical`` / ``warning``) and its ``notes`` say it in words,
so the raw GX results and the Data Docs carry it too.

Example::

    >>> from ctrflow.data_quality.params import DataQualityParams
    >>> from ctrflow.schema import DatasetSchema
    >>> schema = DatasetSchema(label="clicked", categorical=["site"], numeric=["age"])
    >>> suite = build_expectation_suite(schema, DataQualityParams())
    >>> [e.expectation_type for e in suite.expectations][:3]
    ['expect_table_row_count_to_be_between', 'expect_column_to_exist', 'expect_column_to_exist']
    >>> suite.expectations[0].meta
    {'check': 'row_count', 'severity': 'blocking'}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from ctrflow.data_quality.expectations import check_expectation
from ctrflow.data_quality.params import (
    LABEL_COLUMN,
    DataQualityParams,
    Severity,
    ValueRange,
)
from ctrflow.schema import DatasetSchema, where_to_set

SUITE_NAME = "ctrflow_data_quality"
CUSTOM_CHECK = "custom"  # the family of the expectations listed in parameters
LABEL_VALUES = (0, 1)

# our severity -> GX's FailureSeverity value
_GX_SEVERITY: dict[Severity, str] = {"blocking": "critical", "warning": "warning"}


def build_expectation_suite(
    schema: DatasetSchema, params: DataQualityParams, name: str = SUITE_NAME
) -> gx.ExpectationSuite:
    """Builds the expectation suite every split is validated against.

    Checks, in this order: row count >= ``min_rows``; every schema column present;
    label not null and in {0, 1}; label mean (positive rate) within
    ``positive_rate``; null fraction of each feature column <= ``max_null_fraction``
    (or its entry in ``null_fraction_overrides``); each ``numeric_ranges`` column
    within its bounds (nulls are not range violations); then each of
    ``params.expectations`` (family ``custom``, its own severity).

    Args:
        schema: names the label and the feature columns.
        params: thresholds and the severity of each check family.
        name: the suite's name, shown in the GX results and Data Docs.

    Returns:
        An unsaved ``gx.ExpectationSuite`` (no data context needed to build it).

    Raises:
        ValueError: ``null_fraction_overrides`` names a column that is not a feature
            of the schema, ``numeric_ranges`` one that is not a numeric column,
            ``expectations`` one that is not in the schema, or
            ``drift.oov_rate_overrides`` one that is not categorical.
    """
    _check_columns_known(schema, params)
    label = schema.label
    expectations: list[gxe.Expectation] = []

    def add(
        check: str, expectation_class: type[gxe.Expectation], **kwargs: Any
    ) -> None:
        severity = params.severity[check]
        expectations.append(
            expectation_class(
                **kwargs,
                meta={"check": check, "severity": severity},
                severity=_GX_SEVERITY[severity],
                notes=f"Severity: {severity} ({check} check)",
            )
        )

    add("row_count", gxe.ExpectTableRowCountToBeBetween, min_value=params.min_rows)
    for column in schema.columns:
        add("columns_present", gxe.ExpectColumnToExist, column=column)
    add("label_values", gxe.ExpectColumnValuesToNotBeNull, column=label)
    add(
        "label_values",
        gxe.ExpectColumnValuesToBeInSet,
        column=label,
        value_set=list(LABEL_VALUES),
    )
    if _has_bound(params.positive_rate):
        add(
            "positive_rate",
            gxe.ExpectColumnMeanToBeBetween,
            column=label,
            **_bounds(params.positive_rate),
        )
    for column in schema.features:
        max_null = params.null_fraction_overrides.get(column, params.max_null_fraction)
        # round: 1 - 0.45 is 0.5499999999999999 in floating point
        add(
            "null_fraction",
            gxe.ExpectColumnValuesToNotBeNull,
            column=column,
            mostly=round(1.0 - max_null, 12),
        )
    for column, value_range in params.numeric_ranges.items():
        if _has_bound(value_range):
            add(
                "numeric_range",
                gxe.ExpectColumnValuesToBeBetween,
                column=column,
                **_bounds(value_range),
            )
    for spec in params.expectations:
        expectation = check_expectation(
            spec.expectation, _column(spec.column, schema), spec.kwargs
        )
        expectation.meta = {"check": CUSTOM_CHECK, "severity": spec.severity}
        expectation.severity = _GX_SEVERITY[spec.severity]
        expectation.notes = (
            f"Severity: {spec.severity} (from data_quality.expectations)"
        )
        expectations.append(expectation)
    return gx.ExpectationSuite(name=name, expectations=expectations)


def _check_columns_known(schema: DatasetSchema, params: DataQualityParams) -> None:
    """Raises ValueError naming parameter keys that are not columns of the schema."""
    _require_columns(
        "null_fraction_overrides", params.null_fraction_overrides, "feature", schema,
        "features",
    )  # fmt: skip
    unknown = sorted(
        {_column(s.column, schema) for s in params.expectations if s.column is not None}
        - set(schema.columns)
    )
    if unknown:
        raise ValueError(
            f"data_quality.expectations name column(s) {unknown}, which are not in "
            f"the schema (columns: {schema.columns}); "
            + where_to_set("data_quality.expectations")
            + f" ({LABEL_COLUMN!r} names the label column whatever it is called)"
        )
    _require_columns(
        "drift.oov_rate_overrides", params.drift.oov_rate_overrides, "categorical",
        schema, "categorical_fields",
    )  # fmt: skip
    _require_columns(
        "numeric_ranges", params.numeric_ranges, "numeric", schema, "numeric"
    )


def _require_columns(
    key: str, named: Iterable[str], kind: str, schema: DatasetSchema, attribute: str
) -> None:
    """Raises ValueError when ``data_quality.<key>`` names columns that are not
    among the schema's ``attribute`` (its ``kind`` columns)."""
    columns = getattr(schema, attribute)
    unknown = sorted(set(named) - set(columns))
    if unknown:
        raise ValueError(
            f"data_quality.{key} names {unknown}, which are not {kind} columns of the "
            f"schema ({attribute}: {columns}); " + where_to_set(f"data_quality.{key}")
        )


def _column(column: str | None, schema: DatasetSchema) -> str | None:
    """An expectation's column, with ``schema.label`` replaced by the label's name."""
    return schema.label if column == LABEL_COLUMN else column


def _has_bound(value_range: ValueRange) -> bool:
    return value_range.min is not None or value_range.max is not None


def _bounds(value_range: ValueRange) -> dict[str, float]:
    """``min_value`` / ``max_value`` kwargs for the bounds that are set."""
    bounds = {"min_value": value_range.min, "max_value": value_range.max}
    return {key: value for key, value in bounds.items() if value is not None}
