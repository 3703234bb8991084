"""Feature ranking's parameters: the estimator, the selection, redundancy,
interactions and the AUC-vs-k evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ctrflow.models.registry import ModelName
from ctrflow.schema import StrictParams


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
