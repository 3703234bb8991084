"""Data quality with Great Expectations 1.x: suite, validation, report, gate, Data Docs.

Pure functions, no Kedro: ``validate_tables`` builds the suite from the dataset schema
and ``DataQualityParams``, validates each split in an ephemeral GX context and returns
a JSON-serialisable report; ``require_passed`` raises ``DataQualityError`` when a
blocking expectation failed; ``render_data_docs`` renders the report's GX results as
one HTML page; ``data_quality_figure`` draws it with plotly. ``compute_drift``
compares valid and test with train (OOV rate, PSI, label rate).
"""

from ctrflow.data_quality.data_docs import render_data_docs
from ctrflow.data_quality.drift import (
    compute_drift,
    null_fractions,
    population_stability_index,
)
from ctrflow.data_quality.expectations import check_expectation, expectation_classes
from ctrflow.data_quality.plots import data_quality_figure
from ctrflow.data_quality.report import (
    DataQualityError,
    build_report,
    describe_failure,
    require_passed,
    summarise_report,
)
from ctrflow.data_quality.suite import build_expectation_suite
from ctrflow.data_quality.validation import (
    create_context,
    validate_table,
    validate_tables,
)

__all__ = [
    "DataQualityError",
    "build_expectation_suite",
    "build_report",
    "check_expectation",
    "compute_drift",
    "data_quality_figure",
    "expectation_classes",
    "null_fractions",
    "population_stability_index",
    "create_context",
    "describe_failure",
    "render_data_docs",
    "require_passed",
    "summarise_report",
    "validate_table",
    "validate_tables",
]
