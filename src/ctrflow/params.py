"""Typed parameters: one pydantic model per stage, plus the dataset schema.

Kedro 1.7 validates a node input typed with one of these models before any node
runs, so a misspelled key or a bad value stops ``kedro run`` with a
``ParameterValidationError`` that names the key (``extra="forbid"``) and, for a
``Literal``, the allowed values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ctrflow.models.registry import ModelName, ModelsConfig
from ctrflow.strict import StrictParams


class DatasetSchema(StrictParams):
    """Which columns of a dataset are the label and the features.

    The only place that knows a dataset's column names (``conf/<env>/parameters.yml``).
    """

    label: str
    categorical: list[str] = Field(default_factory=list)
    numeric: list[str] = Field(default_factory=list)
    sequence: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _columns_are_distinct(self) -> DatasetSchema:
        seen: dict[str, str] = {self.label: "label"}
        for kind in ("categorical", "numeric", "sequence"):
            for column in getattr(self, kind):
                if column in seen:
                    raise ValueError(
                        f"column {column!r} is listed twice in the schema "
                        f"(as {seen[column]} and as {kind})"
                    )
                seen[column] = kind
        if not self.features:
            raise ValueError("the schema names no feature column")
        return self

    @property
    def features(self) -> list[str]:
        """Every feature column, categorical first, then numeric, then sequence."""
        return [*self.categorical, *self.numeric, *self.sequence]

    @property
    def columns(self) -> list[str]:
        """The label followed by every feature column."""
        return [self.label, *self.features]


# --- ingestion -------------------------------------------------------------------


class SplitRatios(StrictParams):
    train: float = Field(0.8, gt=0, lt=1)
    valid: float = Field(0.1, gt=0, lt=1)
    test: float = Field(0.1, gt=0, lt=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitRatios:
        total = self.train + self.valid + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"split ratios must sum to 1, got train={self.train} + "
                f"valid={self.valid} + test={self.test} = {total:g}"
            )
        return self


class IngestionParams(StrictParams):
    """How raw logs become typed train/valid/test tables.

    Attributes:
        split: ``random`` splits one file with ``ratios`` and ``seed``; ``given``
            expects the raw dataset to hold ``train``, ``valid`` and ``test`` files.
        column_order: names for the columns of a file without header (Criteo TSV,
            libsvm), in file order; default: label, numeric, categorical, sequence.
    """

    split: Literal["random", "given"] = "random"
    ratios: SplitRatios = SplitRatios()
    seed: int = 2024
    column_order: list[str] | None = None
    sequence_separator: str = "^"


# --- data quality ----------------------------------------------------------------

Severity = Literal["blocking", "warning"]
CheckFamily = Literal[
    "columns_present",
    "label_values",
    "row_count",
    "null_fraction",
    "numeric_range",
    "positive_rate",
]
DEFAULT_SEVERITY: dict[str, Severity] = {
    "columns_present": "blocking",
    "label_values": "blocking",
    "row_count": "blocking",
    "null_fraction": "warning",
    "numeric_range": "warning",
    "positive_rate": "blocking",
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
    """

    min_rows: int = Field(1000, ge=0)
    max_null_fraction: float = Field(0.5, ge=0, le=1)
    null_fraction_overrides: dict[str, float] = Field(default_factory=dict)
    numeric_ranges: dict[str, ValueRange] = Field(default_factory=dict)
    positive_rate: ValueRange = ValueRange(min=0.0005, max=0.9995)
    severity: dict[CheckFamily, Severity] = Field(
        default_factory=lambda: dict(DEFAULT_SEVERITY)
    )

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


# --- feature ranking -------------------------------------------------------------


class SelectionParams(StrictParams):
    """Which ranked features go on to the model.

    Applied in rank order: a constant field (one distinct value) is dropped, then
    fields scoring below ``min_score``, then all but the ``top_k`` best; the
    ``always_keep`` fields are added back whatever their score (so the list can hold
    up to ``top_k + len(always_keep)`` fields). Sequence columns are not ranked and
    always go on.

    Attributes:
        top_k: keep at most this many fields chosen by score, ``null`` for no limit.
        min_score: drop fields scoring below this (nats), ``null`` for no floor.
        always_keep: kept whatever their score; each must be a schema feature.
    """

    top_k: int | None = Field(None, ge=1)
    min_score: float | None = None
    always_keep: list[str] = Field(default_factory=list)


class FeatureRankingParams(StrictParams):
    """OutRank's cardinality-aware mutual information against the label.

    Attributes:
        cardinality_correction: ``true`` scores with OutRank's
            ``MI-numba-randomized`` (MI minus the MI against a shifted label);
            ``false`` with plain MI (``MI-numba``).
        numeric_bins: numeric fields are cut into at most this many quantile bins
            (missing values are one more) before scoring.
        implementation: ``vectorised`` (ours, one ``np.bincount`` per field) or
            ``outrank`` (OutRank's own numba estimator, same numbers, seconds per
            high-cardinality field: for checking).
        selection: which fields go on to the model.
    """

    cardinality_correction: bool = True
    numeric_bins: int = Field(32, ge=2)
    implementation: Literal["vectorised", "outrank"] = "vectorised"
    selection: SelectionParams = SelectionParams()


# --- feature engineering ---------------------------------------------------------


class FeatureEngineeringParams(StrictParams):
    """Vocabularies and numeric transforms, fit on train only.

    Attributes:
        min_count: categorical values seen fewer times in train share the OOV id.
        numeric_transform: ``log_bucket`` turns a counter into a categorical id
            (``floor(log(x)^2)`` for x > 2, as in the Criteo winners' recipe);
            ``log1p`` and ``standardize`` keep it a float feature.
        max_sequence_length: behaviour sequences are padded/truncated to this.
    """

    min_count: int = Field(2, ge=1)
    numeric_transform: Literal["log_bucket", "log1p", "standardize"] = "log_bucket"
    max_sequence_length: int = Field(20, ge=1)


# --- training --------------------------------------------------------------------


class TrainingParams(StrictParams):
    """The shared trainer and the model it trains.

    ``models.<name>`` holds each model's hyper-parameters (BARS names); ``model``
    picks which one ``kedro run`` trains.
    """

    model: ModelName = "DeepFM"
    models: ModelsConfig = ModelsConfig()
    device: Literal["auto", "cpu", "cuda"] = "auto"
    seed: int = 2024
    max_epochs: int = Field(20, ge=1)
    batch_size: int = Field(4096, ge=1)
    eval_batch_size: int = Field(65536, ge=1)
    learning_rate: float = Field(1e-3, gt=0)
    embedding_regularizer: float = Field(0.0, ge=0)
    net_regularizer: float = Field(0.0, ge=0)
    early_stop_patience: int = Field(2, ge=1)
    lr_decay_factor: float = Field(0.1, gt=0, lt=1)
    lr_decay_patience: int = Field(1, ge=0)
    min_learning_rate: float = Field(1e-6, ge=0)
    grad_clip_norm: float | None = Field(10.0, gt=0)
    bf16_autocast: bool = True
    num_threads: int | None = Field(None, ge=1)
    progress_bar: bool = True


# --- evaluation ------------------------------------------------------------------


class EvaluationParams(StrictParams):
    """How the test set is scored and summarised.

    Attributes:
        batch_size: rows scored per forward pass (``torch.no_grad``).
        device: where to score; ``auto`` picks CUDA when available.
        calibration_bins: equal-width probability bins of the reliability diagram
            and of the expected calibration error.
        roc_points: the ROC plot keeps at most this many points.
    """

    batch_size: int = Field(65536, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    calibration_bins: int = Field(10, ge=2, le=1000)
    roc_points: int = Field(500, ge=10, le=100_000)
