"""Typed parameters: one pydantic model per stage, plus the dataset schema.

Kedro 1.7 validates a node input typed with one of these models before any node
runs, so a misspelled key or a bad value stops ``kedro run`` with a
``ParameterValidationError`` that names the key (``extra="forbid"``) and, for a
``Literal``, the allowed values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ctrflow.models.registry import ModelName, ModelsConfig
from ctrflow.strict import StrictParams


class DatasetSchema(StrictParams):
    """Which columns of a dataset are the label and the features.

    The only place that knows a dataset's column names (``conf/<env>/parameters.yml``).

    Attributes:
        sequence_vocabulary: for a behaviour-sequence column, the categorical
            column whose vocabulary and embeddings its ids share (e.g.
            ``{history: item_id}``); a sequence column the model sees must be
            mapped (feature engineering says so otherwise).
    """

    label: str
    categorical: list[str] = Field(default_factory=list)
    numeric: list[str] = Field(default_factory=list)
    sequence: list[str] = Field(default_factory=list)
    sequence_vocabulary: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _sequences_share_a_categorical_vocabulary(self) -> DatasetSchema:
        """Each key of ``sequence_vocabulary`` is a sequence column, each value the
        categorical column whose vocabulary (and embeddings) it shares."""
        for sequence, categorical in self.sequence_vocabulary.items():
            if sequence not in self.sequence:
                raise ValueError(
                    f"sequence_vocabulary names {sequence!r}, which is not a sequence "
                    f"column of the schema (sequence: {self.sequence})"
                )
            if categorical not in self.categorical:
                raise ValueError(
                    f"sequence_vocabulary maps {sequence!r} to {categorical!r}, which "
                    f"is not a categorical column (categorical: {self.categorical})"
                )
        return self

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
        max_reject_fraction: rows that cannot be ingested go to the quarantine;
            when more than this share of one file's rows is quarantined the run
            stops with the top reasons.
        max_field_chars: a value longer than this is quarantined.
    """

    split: Literal["random", "given"] = "random"
    ratios: SplitRatios = SplitRatios()
    seed: int = 2024
    column_order: list[str] | None = None
    sequence_separator: str = "^"
    max_reject_fraction: float = Field(0.01, ge=0, le=1)
    max_field_chars: int = Field(65_536, ge=1)


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


class ExpectationSpec(StrictParams):
    """One Great Expectations expectation written by an analyst.

    Attributes:
        expectation: the GX type, e.g. ``expect_column_values_to_be_between``
            (one of ``great_expectations.expectations``).
        column: the column it checks (a schema column), for column expectations.
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
        from ctrflow.quality.expectations import check_expectation  # noqa: PLC0415

        check_expectation(self.expectation, self.column, self.kwargs)
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
    """

    min_rows: int = Field(1000, ge=0)
    max_null_fraction: float = Field(0.5, ge=0, le=1)
    null_fraction_overrides: dict[str, float] = Field(default_factory=dict)
    numeric_ranges: dict[str, ValueRange] = Field(default_factory=dict)
    positive_rate: ValueRange = ValueRange(min=0.0005, max=0.9995)
    severity: dict[CheckFamily, Severity] = Field(
        default_factory=lambda: dict(DEFAULT_SEVERITY)
    )
    expectations: list[ExpectationSpec] = Field(default_factory=list)
    drift: DriftParams = DriftParams()

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
    the ``never_keep`` fields, then (``drop_redundant``) fields flagged as a
    near-copy of a better-ranked field, then fields scoring below ``min_score``,
    then all but the ``top_k`` best; the ``always_keep`` fields are added back
    whatever their score (so the list can hold up to ``top_k + len(always_keep)``
    fields). Sequence columns are not ranked and always go on.

    Names are checked against the schema by the first node of the stage
    (``check_feature_ranking_params_node``): an unknown name, or a ``top_k`` above
    the number of ranked fields, stops the run there.

    Attributes:
        top_k: keep at most this many fields chosen by score, ``null`` for no limit.
        min_score: drop fields scoring below this (nats), ``null`` for no floor.
        always_keep: kept whatever their score; each must be a schema feature.
        never_keep: never selected; each must be a schema feature, none may also
            be in ``always_keep``.
        drop_redundant: drop fields the ranking flags ``redundant`` (see
            ``RedundancyParams``).
    """

    top_k: int | None = Field(None, ge=1)
    min_score: float | None = None
    always_keep: list[str] = Field(default_factory=list)
    never_keep: list[str] = Field(default_factory=list)
    drop_redundant: bool = False

    @model_validator(mode="after")
    def _keep_lists_do_not_overlap(self) -> SelectionParams:
        both = sorted(set(self.always_keep) & set(self.never_keep))
        if both:
            raise ValueError(
                f"always_keep and never_keep both name {both}; a field can be in one"
            )
        return self


class RedundancyParams(StrictParams):
    """Redundancy between the best fields, and the min-redundancy ordering.

    Attributes:
        top_n: how many of the best fields (by score) are compared pairwise
            (``top_n * (top_n - 1)`` estimator calls); ``0`` turns it off.
        threshold: a field whose normalised redundancy with a better-ranked field
            reaches this is flagged ``redundant`` (``1`` = an exact copy). The
            redundancy of ``b`` given ``a`` is the cardinality-corrected MI of
            ``b`` (as the label) against ``a``, divided by the entropy of ``b``.
    """

    top_n: int = Field(15, ge=0)
    threshold: float = Field(0.5, gt=0, le=1)


class InteractionParams(StrictParams):
    """Pairs of the best fields scored for the information they add together.

    Attributes:
        top_n: pairs are formed from this many of the best non-constant fields
            (``top_n * (top_n - 1) / 2`` pairs); ``0`` or ``1`` turns it off.
        add_top_n: the best this many pairs with a positive gain become new
            categorical fields in feature engineering (named ``a:b``); ``0`` adds
            none.
        min_gain: a pair is added only if its gain is at least this (nats).
    """

    top_n: int = Field(8, ge=0)
    add_top_n: int = Field(0, ge=0)
    min_gain: float = Field(0.001, ge=0)


class AucVsKParams(StrictParams):
    """A quick model trained on the top-k fields for each k: evidence for ``top_k``.

    Attributes:
        enabled: ``false`` skips the training (the plot says so).
        k: the field counts to try; the k the selection chose and "all fields"
            are always added, counts above the number of fields are dropped.
        model: registry name of the model (its hyper-parameters come from
            ``training.models``).
        train_rows: train on a seeded sample of this many rows (``null`` = all).
        valid_rows: score a seeded sample of this many validation rows.
        max_epochs: epochs per model (early stopping still applies).
        batch_size: training batch size.
        learning_rate: Adam's learning rate.
        embedding_regularizer: L2 on the embedding tables (BARS name); the quick
            model does not inherit ``training.embedding_regularizer``, which is
            tuned for the real model (0.01 costs LR 0.02 AUC on the demo).
        seed: sampling and model initialisation seed.
    """

    enabled: bool = True
    k: list[int] = Field(default_factory=lambda: [1, 2, 4, 6, 8, 12, 16, 24])
    model: ModelName = "LR"
    train_rows: int | None = Field(50_000, ge=1)
    valid_rows: int | None = Field(20_000, ge=1)
    max_epochs: int = Field(2, ge=1)
    batch_size: int = Field(1024, ge=1)
    learning_rate: float = Field(0.01, gt=0)
    embedding_regularizer: float = Field(0.0, ge=0)
    seed: int = 2024

    @model_validator(mode="after")
    def _k_positive(self) -> AucVsKParams:
        bad = [k for k in self.k if k < 1]
        if bad:
            raise ValueError(f"k values must be at least 1, got {bad}")
        return self


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
        sample_size: score a seeded random sample of this many train rows
            (``null`` = every row, in table order; a size at or above the row
            count shuffles every row).
        seed: the sample's seed; it also sets the sample's row order, which
            OutRank's shifted label depends on.
        selection: which fields go on to the model.
        redundancy: field-vs-field MI between the best fields.
        interactions: pairs of the best fields.
        auc_vs_k: validation AUC of a quick model against the number of fields.
    """

    cardinality_correction: bool = True
    numeric_bins: int = Field(32, ge=2)
    implementation: Literal["vectorised", "outrank"] = "vectorised"
    sample_size: int | None = Field(None, ge=1)
    seed: int = 2024
    selection: SelectionParams = SelectionParams()
    redundancy: RedundancyParams = RedundancyParams()
    interactions: InteractionParams = InteractionParams()
    auc_vs_k: AucVsKParams = AucVsKParams()


# --- feature engineering ---------------------------------------------------------


class FeatureEngineeringParams(StrictParams):
    """Vocabularies and numeric transforms, fit on train only.

    Attributes:
        min_count: categorical values seen fewer times in train share the OOV id.
        numeric_transform: ``log_bucket`` turns a counter into a categorical id
            (``floor(log(x)^2)`` for x > 2, as in the Criteo winners' recipe);
            ``log1p`` and ``standardize`` keep it a float feature.
        max_sequence_length: behaviour sequences are cut to their last (most
            recent) ``max_sequence_length`` ids and padded after them to this length.
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
    # an epoch resets the patience only when its validation AUC beats the best by
    # more than this (the best epoch's weights are kept whatever the gain)
    early_stop_min_delta: float = Field(1e-6, ge=0)
    # plateau: multiply by lr_decay_factor after lr_decay_patience epochs without a
    # better validation AUC (FuxiCTR); cosine: per step, half a cosine from
    # learning_rate to min_learning_rate over max_epochs
    lr_schedule: Literal["plateau", "cosine"] = "plateau"
    lr_decay_factor: float = Field(0.1, gt=0, lt=1)
    lr_decay_patience: int = Field(1, ge=0)
    min_learning_rate: float = Field(1e-6, ge=0)
    grad_clip_norm: float | None = Field(10.0, gt=0)
    bf16_autocast: bool = True
    # torch.compile the model before training (pays a compile once; pays off on GPU)
    compile: bool = False
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


# --- benchmark -------------------------------------------------------------------

# ctrflow name -> the BARS leaderboard's ``Model`` column, where they differ
BARS_MODEL_NAMES: dict[str, str] = {
    "DNN": "YoutubeDNN",
    "WideDeep": "Wide&Deep",
    "DCNv2": "DCN-V2",
    "AutoIntPlus": "AutoInt+",
}


class BenchmarkParams(StrictParams):
    """Several models trained and evaluated side by side (``--pipeline=benchmark``).

    Attributes:
        models: the registered models to train, one Kedro namespace each (a
            list, or a space-separated string for ``--params``). The pipeline's shape is read from
            ``conf/base`` + ``conf/<env>`` when Kedro builds it (see
            ``docs/pipelines/benchmark.md``); the run checks this list against it.
        bars_names: the name of a model in the BARS leaderboard table where it
            differs from ours; other models are looked up under their own name.
    """

    models: list[ModelName] = Field(
        default_factory=lambda: list(ModelName.__args__)  # type: ignore[attr-defined]
    )
    bars_names: dict[ModelName, str] = Field(
        default_factory=lambda: dict(BARS_MODEL_NAMES)
    )

    @field_validator("models", mode="before")
    @classmethod
    def _split_a_string(cls, value: object) -> object:
        """``"LR FM DeepFM"`` is a list too: ``kedro run --params`` splits on
        commas, so a list cannot be passed there, a space-separated string can."""
        return value.split() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _models_listed_once(self) -> BenchmarkParams:
        if not self.models:
            raise ValueError("benchmark.models is empty: name at least one model")
        twice = sorted({m for m in self.models if self.models.count(m) > 1})
        if twice:
            raise ValueError(f"benchmark.models lists {twice} more than once")
        return self
