"""The data-quality report: a JSON-serialisable summary of GX results, and its gate.

Report layout (``build_report``)::

    {
      "success": bool,                  # no blocking expectation failed in any split
      "suite_name": str,
      "great_expectations_version": str,
      "row_counts": {split: int},
      "blocking_failures": [entry, ...],  # failed blocking expectations, all splits
      "warnings": [entry, ...],           # failed warning expectations, all splits
      "splits": {split: {"success": bool, "row_count": int, "statistics": {...},
                         "expectations": [entry, ...], "gx_result": {...},
                         "validation": {"rows", "validated_rows", "sampled",
                                        "seed", "note"}}},  # by validate_tables
      "null_fractions": {split: {column: float}},   # added by validate_tables
      "value_ranges": {split: {column: [min, max]}},  # numeric columns, all rows
      "drift": {...},  # OOV, PSI, label rate: ctrflow.data_quality.drift.compute_drift
      "leaks": {...},  # single-column AUCs: ctrflow.data_quality.leaks.check_leaks
      "probable_leaks": [{"column", "auc", "split", "message"}, ...],  # [] when none
    }

The leak check's entries (check ``leak``, one per column) join the validation
split's ``expectations``, and a probable leak is a warning (or, with
``severity.leak: blocking``, a blocking failure) like a failed expectation.

An entry describes one expectation on one split: ``split``, ``expectation`` (GX
type), ``check`` (family), ``column`` (None for table-level ones), ``kwargs``,
``severity``, ``success``, ``observed_value``, ``element_count``,
``unexpected_count``, ``unexpected_percent``, ``unexpected_examples`` (a few distinct
unexpected values) and ``exception`` (why GX could not evaluate it, else None).
``gx_result`` is GX's own ``result.to_json_dict()``, from which Data Docs render.

A split above ``max_validation_rows`` is validated by GX on a seeded sample
(``validation.note`` says "validated on a seeded sample of N of M rows"); its
``row_count``, ``label_values``, ``positive_rate``, ``null_fraction`` and
``numeric_range`` entries (and their ``gx_result`` items) hold the exact numbers of
every row (``ctrflow.data_quality.statistics``); ``custom`` expectations, the
unexpected examples and the leak check are the sample's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations as gx

from ctrflow.schema import where_to_set

MAX_EXAMPLES = 5
_NOT_NULL = "expect_column_values_to_not_be_null"


class DataQualityError(Exception):
    """A blocking data-quality expectation failed; the message lists each failure."""


def build_report(
    results: Mapping[str, dict[str, Any]], row_counts: Mapping[str, int]
) -> dict[str, Any]:
    """Summarises GX validation results, one per split.

    Args:
        results: split -> GX ``ExpectationSuiteValidationResult`` as a JSON dict.
        row_counts: split -> number of rows validated.

    Returns:
        The report (layout in the module docstring).
    """
    splits: dict[str, dict[str, Any]] = {}
    blocking_failures: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    for split, result in results.items():
        entries = [_entry(split, item) for item in result["results"]]
        failed = [entry for entry in entries if not entry["success"]]
        split_blocking = [entry for entry in failed if entry["severity"] == "blocking"]
        blocking_failures += split_blocking
        warnings += [entry for entry in failed if entry["severity"] != "blocking"]
        splits[split] = {
            "success": not split_blocking,
            "row_count": row_counts[split],
            "statistics": result.get("statistics", {}),
            "expectations": entries,
            "gx_result": result,
        }
    suite_names = {result.get("suite_name") for result in results.values()}
    return {
        "success": not blocking_failures,
        "suite_name": suite_names.pop() if len(suite_names) == 1 else None,
        "great_expectations_version": gx.__version__,
        "row_counts": dict(row_counts),
        "blocking_failures": blocking_failures,
        "warnings": warnings,
        "splits": splits,
    }


def add_entries(report: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """Adds entries of checks computed outside GX (same layout) to ``report``: to
    their split's ``expectations``, and the failed ones to ``warnings`` or
    ``blocking_failures`` (updating ``success``)."""
    for entry in entries:
        split = report["splits"][entry["split"]]
        split["expectations"].append(entry)
        if entry["success"]:
            continue
        if entry["severity"] == "blocking":
            report["blocking_failures"].append(entry)
            split["success"] = report["success"] = False
        else:
            report["warnings"].append(entry)


def require_passed(report: Mapping[str, Any]) -> None:
    """Stops the run when a blocking expectation failed.

    Args:
        report: a report from ``validate_tables`` / the ``data_quality_report`` dataset.

    Raises:
        DataQualityError: listing, one line each, the split, expectation, column,
            observed value and unexpected counts of every failed blocking expectation.
        ValueError: ``report`` is not a data-quality report.
    """
    if "success" not in report or "blocking_failures" not in report:
        raise ValueError(
            "not a data-quality report (expected the keys 'success' and "
            f"'blocking_failures', got {sorted(report)})"
        )
    if report["success"]:
        return
    failures = report["blocking_failures"]
    lines = [
        f"Data quality check failed: {len(failures)} blocking expectation(s) failed.",
        *(f"  - {describe_failure(entry)}" for entry in failures),
        "Fix the input data, or change the check's threshold or severity: "
        f"{where_to_set('data_quality.severity.<check>')}. Full results: the "
        "data_quality_report and data_quality_docs datasets.",
    ]
    raise DataQualityError("\n".join(lines))


def describe_failure(entry: Mapping[str, Any]) -> str:
    """One line for a failed expectation: where, what was expected, what was observed.

    Example::

        >>> describe_failure({"split": "train", "check": "label_values",
        ...     "expectation": "expect_column_values_to_be_in_set", "column": "label",
        ...     "kwargs": {"column": "label", "value_set": [0, 1]},
        ...     "observed_value": None, "element_count": 2000, "unexpected_count": 5,
        ...     "unexpected_percent": 0.25, "unexpected_examples": [2], "exception": None})
        "train: expect_column_values_to_be_in_set on column 'label' (value_set=[0, 1]) [label_values]: 5 of 2,000 rows unexpected (0.25%), e.g. [2]"
    """
    where = f"{entry['split']}: {entry['expectation']}"
    if entry.get("column") is not None:
        where += f" on column {entry['column']!r}"
    expected = ", ".join(
        f"{key}={value!r}" for key, value in entry["kwargs"].items() if key != "column"
    )
    if expected:
        where += f" ({expected})"
    return f"{where} [{entry['check']}]: {_describe_outcome(entry)}"


def summarise_report(report: Mapping[str, Any]) -> str:
    """One line: status, rows per split, number of expectations, failures, warnings."""
    status = "passed" if report["success"] else "FAILED"
    rows = ", ".join(
        f"{split} {count:,}" for split, count in report["row_counts"].items()
    )
    evaluated = sum(len(split["expectations"]) for split in report["splits"].values())
    drift = len((report.get("drift") or {}).get("warnings", []))
    leaks = len(report.get("probable_leaks") or [])
    sampled = [
        f"{split} {split_report['validation']['validated_rows']:,}"
        for split, split_report in report["splits"].items()
        if (split_report.get("validation") or {}).get("sampled")
    ]
    quarantine = report.get("quarantine")
    kept_aside = ""
    if quarantine is not None:
        reasons = ", ".join(f"{r} {n}" for r, n in quarantine["by_reason"].items())
        kept_aside = f"; {quarantine['rows']} row(s) quarantined in ingestion"
        kept_aside += f" ({reasons})" if reasons else ""
    return (
        f"Data quality {status}: rows {rows}; {evaluated} expectations evaluated; "
        f"{len(report['blocking_failures'])} blocking failure(s), "
        f"{len(report['warnings'])} warning(s), {drift} drift warning(s), "
        f"{leaks} probable leak(s){kept_aside}"
        + (
            f"; GX validated seeded samples ({', '.join(sampled)} rows)"
            if sampled
            else ""
        )
    )


def _entry(split: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """The report entry for one GX ``ExpectationValidationResult`` JSON dict."""
    config = item["expectation_config"]
    meta = config.get("meta") or {}
    kwargs = {
        key: value for key, value in config["kwargs"].items() if key != "batch_id"
    }
    result = item.get("result") or {}
    return {
        "split": split,
        "expectation": config["type"],
        "check": meta.get("check"),
        "column": kwargs.get("column"),
        "kwargs": kwargs,
        # an expectation without our meta (not from build_expectation_suite) blocks
        "severity": meta.get("severity", "blocking"),
        "success": bool(item["success"]),
        "observed_value": result.get("observed_value"),
        "element_count": result.get("element_count"),
        "unexpected_count": result.get("unexpected_count"),
        "unexpected_percent": result.get("unexpected_percent"),
        "unexpected_examples": _examples(result.get("partial_unexpected_list") or []),
        "exception": _exception_message(item.get("exception_info") or {}),
    }


def _examples(values: list[Any]) -> list[Any]:
    """Up to MAX_EXAMPLES distinct non-null values, in order of appearance."""
    examples: list[Any] = []
    for value in values:
        if value is not None and value not in examples:
            examples.append(value)
            if len(examples) == MAX_EXAMPLES:
                break
    return examples


def _exception_message(exception_info: Mapping[str, Any]) -> str | None:
    """GX's exception message; ``exception_info`` is flat, or keyed by metric id."""
    if "raised_exception" in exception_info:
        infos = [exception_info]
    else:
        infos = [info for info in exception_info.values() if isinstance(info, Mapping)]
    for info in infos:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "unknown error").strip()
    return None


def _describe_outcome(entry: Mapping[str, Any]) -> str:
    if entry.get("exception"):
        return f"could not be evaluated: {entry['exception']}"
    if entry["expectation"] == "expect_column_to_exist":
        return "column is missing"
    parts = []
    if entry.get("observed_value") is not None:
        parts.append(f"observed {entry['observed_value']!r}")
    if entry.get("unexpected_count") is not None:
        percent = entry.get("unexpected_percent") or 0.0
        total = entry.get("element_count")
        of_total = f" of {total:,} rows" if total is not None else ""
        what = "null" if entry["expectation"] == _NOT_NULL else "unexpected"
        parts.append(f"{entry['unexpected_count']:,}{of_total} {what} ({percent:.2f}%)")
        if entry.get("unexpected_examples"):
            parts.append(f"e.g. {entry['unexpected_examples']!r}")
    return ", ".join(parts) if parts else "failed (no observed value)"
