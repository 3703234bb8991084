"""Validates polars tables with Great Expectations 1.x in an ephemeral context.

Each split is a pandas dataframe asset of one in-memory pandas data source; the
polars table becomes pandas only here, at the check (``table.to_pandas()``). GX
computes every metric itself: about one second for a 160k x 40 table. A split
(in memory or a ``LazyFrame`` scan) above ``max_validation_rows`` reaches GX as a
seeded sample; the checks that are aggregations are then computed over all of it
by polars' streaming engine (``validate_tables``).
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

from ctrflow.data_quality.drift import TRAIN, compute_drift
from ctrflow.data_quality.leaks import LEAK_CHECK, check_leaks, leak_entries
from ctrflow.data_quality.params import DataQualityParams
from ctrflow.data_quality.report import add_entries, build_report
from ctrflow.data_quality.statistics import apply_exact_statistics, split_statistics
from ctrflow.data_quality.suite import build_expectation_suite
from ctrflow.sampling import Table, seeded_sample
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
    tables: Mapping[str, Table],
    schema: DatasetSchema,
    params: DataQualityParams,
) -> dict[str, Any]:
    """Validates every split against the suite built from ``schema`` and ``params``.

    A split (in memory or a scan) is aggregated exactly by polars' streaming
    engine: row count, nulls, value ranges, the label checks and drift. Great
    Expectations and the leak check need rows: a split above
    ``params.max_validation_rows`` gives them a seeded sample of that many rows
    (``ctrflow.sampling.seeded_sample``), and the exact checks' results are then
    replaced by the whole split's (``ctrflow.data_quality.statistics``).

    Args:
        tables: split name (``train``, ``valid``, ``test``) -> table, in report order.
        schema: names the label and feature columns.
        params: thresholds, severities and the validation sample's size and seed.

    Returns:
        The data-quality report (see ``ctrflow.data_quality.report.build_report``),
        with per split ``validation`` (``rows``, ``validated_rows``, ``sampled``,
        ``note``: "validated on a seeded sample of N of M rows" or None),
        ``null_fractions`` (split -> column -> share missing), ``value_ranges``
        (split -> numeric column -> [min, max]) and, when there is a ``train``
        split, ``drift`` (``ctrflow.data_quality.drift.compute_drift``); with
        ``train`` and ``valid`` splits, ``leaks``
        (``ctrflow.data_quality.leaks.check_leaks``, on the samples);
        ``probable_leaks`` always (``[]`` when none or not checked).

    Raises:
        ValueError: a parameter names a column the schema does not have.
    """
    suite = build_expectation_suite(schema, params)
    context = create_context()
    stats = {
        split: split_statistics(table, schema, params)
        for split, table in tables.items()
    }
    samples = {
        split: seeded_sample(
            table, params.max_validation_rows, params.seed, stats[split]["rows"]
        )
        for split, table in tables.items()
    }
    results = {}
    for split, sample in samples.items():
        results[split] = validate_table(sample, suite, split, context)
        if sample.height < stats[split]["rows"]:
            apply_exact_statistics(results[split], stats[split], schema)
    row_counts = {split: split_stats["rows"] for split, split_stats in stats.items()}
    report = build_report(results, row_counts)
    for split, sample in samples.items():
        report["splits"][split]["validation"] = validation_note(
            sample.height, row_counts[split], params.seed
        )
    report["null_fractions"] = {
        split: {
            column: count / s["rows"] if s["rows"] else 0.0
            for column, count in s["nulls"].items()
        }
        for split, s in stats.items()
    }
    report["value_ranges"] = _plain_json({s: v["ranges"] for s, v in stats.items()})
    if TRAIN in tables:
        report["drift"] = _plain_json(compute_drift(tables, schema, params.drift))
    report["probable_leaks"] = []
    if TRAIN in tables and VALID in tables:
        leaks = _plain_json(
            check_leaks(samples[TRAIN], samples[VALID], schema, params.leak, VALID)
        )
        report["probable_leaks"] = leaks.pop("probable_leaks")
        report["leaks"] = leaks
        add_entries(report, leak_entries(leaks, params.severity[LEAK_CHECK]))
    return report


def validation_note(validated_rows: int, rows: int, seed: int) -> dict[str, Any]:
    """What Great Expectations saw of a split: all rows, or a seeded sample.

    Example::

        >>> validation_note(1_000, 5_000, seed=7)["note"]
        'validated on a seeded sample of 1,000 of 5,000 rows (seed 7); row counts, nulls, value ranges, label checks and drift over all rows'
    """
    sampled = validated_rows < rows
    return {
        "rows": rows,
        "validated_rows": validated_rows,
        "sampled": sampled,
        "seed": seed if sampled else None,
        "note": (
            f"validated on a seeded sample of {validated_rows:,} of {rows:,} rows "
            f"(seed {seed}); row counts, nulls, value ranges, label checks and "
            "drift over all rows"
            if sampled
            else None
        ),
    }


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
