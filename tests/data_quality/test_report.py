"""The report summary, its failure lines and the blocking gate, on hand-built GX results."""

from __future__ import annotations

import pytest

from ctrflow.data_quality.report import (
    DataQualityError,
    build_report,
    describe_failure,
    require_passed,
    summarise_report,
)


def _gx_item(
    expectation,
    kwargs,
    success,
    result,
    *,
    severity="blocking",
    check="label_values",
    exception_info=None,
):
    return {
        "success": success,
        "expectation_config": {
            "type": expectation,
            "kwargs": {"batch_id": "ctrflow-train", **kwargs},
            "meta": {"check": check, "severity": severity},
            "severity": "critical",
        },
        "result": result,
        "exception_info": exception_info
        or {"raised_exception": False, "exception_message": None},
    }


IN_SET = _gx_item(
    "expect_column_values_to_be_in_set",
    {"column": "label", "value_set": [0, 1]},
    False,
    {
        "element_count": 2000,
        "unexpected_count": 5,
        "unexpected_percent": 0.25,
        "partial_unexpected_list": [2, 2, 7, 2, 3, 9, 11],
    },
)
NULLS = _gx_item(
    "expect_column_values_to_not_be_null",
    {"column": "C1", "mostly": 0.5},
    False,
    {
        "element_count": 2000,
        "unexpected_count": 1200,
        "unexpected_percent": 60.0,
        "partial_unexpected_list": [None] * 10,
    },
    severity="warning",
    check="null_fraction",
)
ROWS = _gx_item(
    "expect_table_row_count_to_be_between",
    {"min_value": 1000},
    True,
    {"observed_value": 2000},
    check="row_count",
)
MISSING = _gx_item(
    "expect_column_values_to_not_be_null",
    {"column": "C3", "mostly": 0.5},
    False,
    {},
    severity="warning",
    check="null_fraction",
    exception_info={
        "MetricConfigurationID(metric_name='column_values.nonnull.condition')": {
            "raised_exception": True,
            "exception_message": 'Error: The column "C3" in BatchData does not exist.',
            "exception_traceback": "Traceback ...",
        }
    },
)


def _report(*items, split="train"):
    result = {
        "success": False,
        "results": list(items),
        "suite_name": "s",
        "statistics": {"evaluated_expectations": len(items)},
    }
    return build_report({split: result}, {split: 2000})


def test_failures_are_sorted_by_severity():
    built = _report(ROWS, IN_SET, NULLS)

    assert built["success"] is False
    assert built["splits"]["train"]["success"] is False
    assert [e["expectation"] for e in built["blocking_failures"]] == [
        "expect_column_values_to_be_in_set"
    ]
    assert [e["column"] for e in built["warnings"]] == ["C1"]
    assert built["suite_name"] == "s"
    entry = built["blocking_failures"][0]
    assert entry["kwargs"] == {
        "column": "label",
        "value_set": [0, 1],
    }  # batch_id dropped
    assert entry["unexpected_examples"] == [2, 7, 3, 9, 11]  # distinct, at most 5


def test_warnings_alone_pass():
    built = _report(ROWS, NULLS)
    assert built["success"] is True
    require_passed(built)
    assert summarise_report(built) == (
        "Data quality passed: rows train 2,000; 2 expectations evaluated; 0 blocking failure(s), 1 warning(s), 0 drift warning(s), 0 probable leak(s)"
    )


def test_gx_exception_is_kept_as_the_reason():
    (entry,) = _report(MISSING)["warnings"]
    assert entry["exception"] == 'Error: The column "C3" in BatchData does not exist.'
    assert describe_failure(entry).endswith(
        'could not be evaluated: Error: The column "C3" in BatchData does not exist.'
    )


def test_null_counts_read_as_nulls():
    (entry,) = _report(NULLS)["warnings"]
    assert describe_failure(entry) == (
        "train: expect_column_values_to_not_be_null on column 'C1' (mostly=0.5) [null_fraction]: "
        "1,200 of 2,000 rows null (60.00%)"
    )


def test_require_passed_lists_every_blocking_failure():
    built = _report(IN_SET, ROWS, NULLS, split="valid")

    with pytest.raises(DataQualityError) as raised:
        require_passed(built)

    lines = str(raised.value).splitlines()
    assert lines[0] == "Data quality check failed: 1 blocking expectation(s) failed."
    assert lines[1] == (
        "  - valid: expect_column_values_to_be_in_set on column 'label' (value_set=[0, 1]) "
        "[label_values]: 5 of 2,000 rows unexpected (0.25%), e.g. [2, 7, 3, 9, 11]"
    )
    assert (
        "set data_quality.severity.<check> in conf/<env>/parameters_data_quality.yml"
        in lines[2]
    )
    assert len(lines) == 3  # the warning is not listed


def test_require_passed_rejects_a_non_report():
    with pytest.raises(ValueError, match="not a data-quality report"):
        require_passed({"splits": {}})
