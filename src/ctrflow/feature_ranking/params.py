"""Feature ranking's parameters: the estimator, the selection, redundancy,
interactions and the AUC-vs-k evidence."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ctrflow.models.registry import ModelName
from ctrflow.schema import StrictParams


class SelectionParams(StrictParams):
    """Which ranked features go on to the model.

    Each field gets a ``decision`` in the ranking table (``kept`` or ``dropped:
    <reason>``). The rules, in rank order, the first that applies giving the
    reason: a constant field (one distinct value) is dropped; then the
    ``never_keep`` fields; then (``drop_leaks``) fields the data-quality report
    lists in ``probable_leaks``; then near-unique ids without signal (distinct
    values / rows above ``near_unique_ratio`` and a score at or below
    ``noise_floor``); then (``drop_redundant``) fields flagged as a near-copy of
    a better-ranked field; then fields scoring below ``min_score``; then all but
    the ``top_k`` best. The ``always_keep`` fields are kept whatever the rules say
    (so the list can hold up to ``top_k + len(always_keep)`` fields). Sequence
    columns are not ranked and always go on.

    ``top_k: auto`` takes k from the AUC-vs-k curve (``AucVsKParams``) of the
    fields left after the other rules (``all of them`` is one point of the
    curve): the smallest k whose validation AUC is within ``top_k_tolerance`` of
    the curve's best.

    Names are checked against the schema by the first node of the stage
    (``check_feature_ranking_params_node``): an unknown name, or a ``top_k`` above
    the number of ranked fields, stops the run there.

    Attributes:
        top_k: keep at most this many fields chosen by score; ``auto``: k from the
            AUC-vs-k curve; ``null`` for no limit.
        top_k_tolerance: ``auto`` takes the smallest k within this much validation
            AUC of the curve's best.
        min_score: drop fields scoring below this (nats), ``null`` for no floor.
        always_keep: kept whatever their score; each must be a schema feature.
        never_keep: never selected; each must be a schema feature, none may also
            be in ``always_keep``.
        drop_leaks: drop fields listed in the data-quality report's
            ``probable_leaks``.
        near_unique_ratio: a field with more distinct values than this share of
            the ranked rows is a near-unique id; ``null`` turns the rule off.
        noise_floor: a near-unique id scoring at or below this (nats) is dropped:
            its values are too rare for the corrected score to see any signal.
        drop_redundant: drop fields the ranking flags ``redundant`` (see
            ``RedundancyParams``).
    """

    top_k: Annotated[int, Field(ge=1)] | Literal["auto"] | None = "auto"
    top_k_tolerance: float = Field(0.002, ge=0)
    min_score: float | None = None
    always_keep: list[str] = Field(default_factory=list)
    never_keep: list[str] = Field(default_factory=list)
    drop_leaks: bool = True
    near_unique_ratio: float | None = Field(0.5, gt=0, le=1)
    noise_floor: float = 0.002
    drop_redundant: bool = True

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
        top_n: how many of the best fields (by score) the first screens leave
            (constant, ``never_keep``, leaks, near-unique ids) are compared pairwise
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
        top_n: pairs are formed from this many of the best candidates (no
            screened or redundant field)
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
        k: the field counts to try; "all candidate fields" and a fixed
            ``selection.top_k`` are always added, counts above the number of
            candidates are dropped.
        model: registry name of the model (its hyper-parameters come from
            ``training.models``).
        train_rows: train on a seeded sample of this many rows (``null`` = all).
        valid_rows: score a seeded sample of this many validation rows.
        max_epochs: epochs per model (early stopping still applies).
        batch_size: training batch size; ``auto`` as ``training.batch_size``
            (:func:`ctrflow.training.batch_size.auto_batch_size` of the train
            sample: 1024 for 50,000 rows, 256 for 8,000).
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
    batch_size: Annotated[int, Field(ge=1)] | Literal["auto"] = "auto"
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
            (``null`` = every row, in table order, up to 2,000,000 rows and a
            sample of that many above; a size at or above the row count
            shuffles every row). A train scan (``LazyFrame``) is sampled while
            it streams, so memory is the sample.
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
