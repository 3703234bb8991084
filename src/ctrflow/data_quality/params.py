"""Data quality's parameters: the checks derived from the schema, their thresholds
and severities, the analyst's own expectations and the drift warnings."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from ctrflow.data_quality.expectations import check_expectation_type
from ctrflow.schema import StrictParams

Severity = Literal["blocking", "warning"]
CheckFamily = Literal[
    "columns_present",
    "label_values",
    "row_count",
    "null_fraction",
    "numeric_range",
    "positive_rate",
    "leak",
]
DEFAULT_SEVERITY: dict[str, Severity] = {
    "columns_present": "blocking",
    "label_values": "blocking",
    "row_count": "blocking",
    "null_fraction": "warning",
    "numeric_range": "warning",
    "positive_rate": "blocking",
    "leak": "warning",
}


# An expectation's `column` may name the label by its key, whatever the data set
# calls the column: build_expectation_suite puts schema.label in its place.
LABEL_COLUMN = "schema.label"
# Clicks are the minority class: a label whose most common value is 1 is probably
# flipped.
DEFAULT_EXPECTATION: dict[str, Any] = {
    "expectation": "expect_column_most_common_value_to_be_in_set",
    "column": LABEL_COLUMN,
    "kwargs": {"value_set": [0]},
    "severity": "warning",
}


class ValueRange(StrictParams):
    """Inclusive bounds; ``null`` (None) leaves that side open."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _min_not_above_max(self) -> ValueRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        return self


class ExpectationSpec(StrictParams):
    """One Great Expectations expectation written by an analyst.

    Attributes:
        expectation: the GX type, e.g. ``expect_column_values_to_be_between``
            (one of ``great_expectations.expectations``).
        column: the column it checks (a schema column), for column expectations;
            ``schema.label`` names the label column, whatever it is called.
        kwargs: its other arguments, e.g. ``{min_value: 0, mostly: 0.99}``.
        severity: ``blocking`` stops the run (at feature ranking), ``warning``
            is logged and reported.
    """

    expectation: str
    column: str | None = None
    kwargs: dict[str, Any] = Field(default_factory=dict)
    severity: Severity = "warning"

    @model_validator(mode="after")
    def _known_to_great_expectations(self) -> ExpectationSpec:
        """The type's name only: the arguments need GX itself (seconds to import),
        so ``check_expectation`` runs them in the data-quality stage's first node."""
        check_expectation_type(self.expectation)
        return self


class DriftParams(StrictParams):
    """Thresholds on the drift of valid and test against train (warnings only).

    Attributes:
        max_oov_rate: largest share of a split's non-missing values of a
            categorical field that never occur in train.
        oov_rate_overrides: per-column ``max_oov_rate`` (e.g. near-unique ids).
        max_psi: largest population-stability index of a numeric field
            (bins: train quantiles, plus one bin for missing values).
        psi_bins: quantile bins of the PSI.
        max_label_rate_shift: largest absolute difference of a split's label
            mean from train's.
    """

    max_oov_rate: float = Field(0.1, ge=0, le=1)
    oov_rate_overrides: dict[str, float] = Field(default_factory=dict)
    max_psi: float = Field(0.2, ge=0)
    psi_bins: int = Field(10, ge=2, le=1000)
    max_label_rate_shift: float = Field(0.02, ge=0, le=1)

    @model_validator(mode="after")
    def _overrides_in_unit_interval(self) -> DriftParams:
        bad = {c: f for c, f in self.oov_rate_overrides.items() if not 0 <= f <= 1}
        if bad:
            raise ValueError(f"oov_rate_overrides must be within [0, 1], got {bad}")
        return self


class LeakParams(StrictParams):
    """The probable-leak check (``ctrflow.data_quality.leaks``); its severity is
    ``severity.leak``.

    Attributes:
        max_single_column_auc: a feature column whose per-value click rate, fit on
            train, scores the validation split with an AUC at or above this is a
            probable leak; ``null`` turns the check off.
    """

    max_single_column_auc: float | None = Field(0.98, ge=0.5, le=1)


class DataQualityParams(StrictParams):
    """Great Expectations suite derived from the schema, with thresholds.

    Each check family has a severity: a failed ``blocking`` expectation stops the
    run, a failed ``warning`` one is logged and reported.

    Attributes:
        min_rows: every split must have at least this many rows.
        max_null_fraction: the largest share of missing values a feature column may
            have; ``null_fraction_overrides`` sets it per column (feature columns of
            the schema only).
        numeric_ranges: bounds per numeric column of the schema; nulls are not
            violations.
        positive_rate: bounds on the mean of the label; ``null`` leaves a side open.
        severity: ``blocking`` or ``warning`` for each check family.
        expectations: more GX expectations, each with its own severity (check
            family ``custom``), added to the ones derived from the schema.
        drift: thresholds of the split-drift warnings.
        leak: the probable-leak check (a column that alone nearly determines the
            label).
        max_validation_rows: Great Expectations (and the leak check) see at most
            this many rows per split: a larger split is validated on a seeded
            sample of this size, while row counts, nulls, value ranges, the label
            checks and drift are computed over every row (streaming aggregations).
        seed: the validation sample's seed.
    """

    min_rows: int = Field(100, ge=0)
    max_null_fraction: float = Field(0.5, ge=0, le=1)
    null_fraction_overrides: dict[str, float] = Field(default_factory=dict)
    numeric_ranges: dict[str, ValueRange] = Field(default_factory=dict)
    # display-ad click rates of 0.1-2% are normal
    positive_rate: ValueRange = ValueRange(min=0.0001, max=0.7)
    severity: dict[CheckFamily, Severity] = Field(
        default_factory=lambda: dict(DEFAULT_SEVERITY)
    )
    expectations: list[ExpectationSpec] = Field(
        default_factory=lambda: [ExpectationSpec(**DEFAULT_EXPECTATION)]
    )
    drift: DriftParams = DriftParams()
    leak: LeakParams = LeakParams()
    max_validation_rows: int = Field(1_000_000, ge=1)
    seed: int = 2024

    @model_validator(mode="before")
    @classmethod
    def _severity_defaults_for_unnamed_checks(cls, data: object) -> object:
        """A ``severity`` block naming some checks keeps the defaults of the others."""
        if isinstance(data, dict) and isinstance(data.get("severity"), dict):
            return {**data, "severity": {**DEFAULT_SEVERITY, **data["severity"]}}
        return data

    @model_validator(mode="after")
    def _fractions_in_unit_interval(self) -> DataQualityParams:
        bad = {c: f for c, f in self.null_fraction_overrides.items() if not 0 <= f <= 1}
        if bad:
            raise ValueError(
                f"null_fraction_overrides must be within [0, 1], got {bad}"
            )
        for bound in (self.positive_rate.min, self.positive_rate.max):
            if bound is not None and not 0 <= bound <= 1:
                raise ValueError(
                    f"positive_rate bounds must be within [0, 1], got {bound:g}"
                )
        return self
