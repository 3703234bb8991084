"""Validates polars tables with Great Expectations 1.x in an ephemeral context.

Each split is a pandas dataframe asset of one in-memory pandas data source; the
polars table becomes pandas only here, at the check (``table.to_pandas()``). GX
computes every metric itself: about one second for a 160k x 40 table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import great_expectations as gx
import numpy as np
import polars as pl
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from ctrflow.data_quality.drift import TRAIN, compute_drift, null_fractions
from ctrflow.data_quality.leaks import LEAK_CHECK, check_leaks, leak_entries
from ctrflow.data_quality.params import DataQualityParams
from ctrflow.data_quality.report import add_entries, build_report
from ctrflow.data_quality.suite import build_expectation_suite
from ctrflow.schema import DatasetSchema

DATA_SOURCE_NAME = "ctrflow"
VALID = "valid"  # the split the leak check scores
# BASIC: observed value, unexpected count and percent and a few unexpected values
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 10}


def create_context() -> AbstractDataContext:
    """An ephemeral (in-memory) GX data context: no files, no analytics, no progress bars."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate_table(
    table: pl.DataFrame,
    suite: gx.ExpectationSuite,
    asset_name: str,
    context: AbstractDataContext,
) -> dict[str, Any]:
    """Validates one table against ``suite``.

    Args:
        table: the polars table; converted to pandas for GX.
        suite: the expectation suite (need not be saved in ``context``).
        asset_name: the GX data asset name, unique within ``context`` (the split).
        context: a data context, e.g. from ``create_context()``.

    Returns:
        GX's ``ExpectationSuiteValidationResult`` as strict JSON types
        (``result.to_json_dict()``, numpy scalars converted, NaN as None).
    """
    data_source = _pandas_data_source(context)
    asset = data_source.add_dataframe_asset(name=asset_name)
    batch_definition = asset.add_batch_definition_whole_dataframe(name="whole_table")
    batch = batch_definition.get_batch(
        batch_parameters={"dataframe": table.to_pandas()}
    )
    result = batch.validate(suite, result_format=RESULT_FORMAT)
    return _plain_json(result.to_json_dict())


def validate_tables(
    tables: Mapping[str, pl.DataFrame],
    schema: DatasetSchema,
    params: DataQualityParams,
) -> dict[str, Any]:
    """Validates every split against the suite built from ``schema`` and ``params``.

    Args:
        tables: split name (``train``, ``valid``, ``test``) -> table, in report order.
        schema: names the label and feature columns.
        params: thresholds and severities.

    Returns:
        The data-quality report (see ``ctrflow.data_quality.report.build_report``),
        with ``null_fractions`` (split -> column -> share missing) and, when there
        is a ``train`` split, ``drift`` (``ctrflow.data_quality.drift.compute_drift``);
        with ``train`` and ``valid`` splits, ``leaks``
        (``ctrflow.data_quality.leaks.check_leaks``); ``probable_leaks`` always
        (``[]`` when none or not checked).

    Raises:
        ValueError: a parameter names a column the schema does not have.
    """
    suite = build_expectation_suite(schema, params)
    context = create_context()
    results = {
        split: validate_table(table, suite, split, context)
        for split, table in tables.items()
    }
    row_counts = {split: table.height for split, table in tables.items()}
    report = build_report(results, row_counts)
    report["null_fractions"] = null_fractions(tables)
    if TRAIN in tables:
        report["drift"] = _plain_json(compute_drift(tables, schema, params.drift))
    report["probable_leaks"] = []
    if TRAIN in tables and VALID in tables:
        leaks = _plain_json(
            check_leaks(tables[TRAIN], tables[VALID], schema, params.leak, VALID)
        )
        report["probable_leaks"] = leaks.pop("probable_leaks")
        report["leaks"] = leaks
        add_entries(report, leak_entries(leaks, params.severity[LEAK_CHECK]))
    return report


def _pandas_data_source(context: AbstractDataContext) -> Any:
    try:
        return context.data_sources.get(DATA_SOURCE_NAME)
    except KeyError:
        return context.data_sources.add_pandas(name=DATA_SOURCE_NAME)


def _plain_json(value: Any) -> Any:
    """``value`` as strict JSON types: numpy scalars/arrays become Python ones, NaN and
    infinities become None (a JSON file must not hold ``NaN``)."""
    return _finite(json.loads(json.dumps(value, default=_numpy_default)))


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _numpy_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
