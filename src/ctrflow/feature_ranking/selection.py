"""Turn a feature ranking into the list of fields the model gets."""

from __future__ import annotations

import polars as pl

from ctrflow.feature_ranking.params import SelectionParams
from ctrflow.schema import DatasetSchema, where_to_set


def select_features(
    ranking: pl.DataFrame, schema: DatasetSchema, selection: SelectionParams
) -> list[str]:
    """The fields that go on to the model, in rank order, then the sequence columns.

    Rules, in order: a constant field (cardinality 1) is dropped, then the
    ``selection.never_keep`` fields, then (``selection.drop_redundant``) fields
    the ranking flags ``redundant``, then fields scoring below
    ``selection.min_score``, then all but the ``selection.top_k`` best;
    ``selection.always_keep`` fields are kept whatever their score or
    cardinality. The schema's sequence columns are not ranked and always go on.

    Args:
        ranking: output of :func:`ctrflow.feature_ranking.rank_features` (with the
            ``redundant`` column of :func:`ctrflow.feature_ranking.add_redundancy` when
            ``drop_redundant`` is set).
        schema: the dataset schema (for its sequence columns).
        selection: the selection rules.

    Returns:
        Field names: ranked fields in rank order, then sequence columns in schema
        order.

    Raises:
        ValueError: ``always_keep`` or ``never_keep`` names a field that is
            neither ranked nor a sequence column, or ``drop_redundant`` is set and
            the ranking has no ``redundant`` column.
    """
    ordered = ranking.sort("rank")
    ranked = ordered["feature"].to_list()
    known = [*ranked, *schema.sequence]
    for key in ("always_keep", "never_keep"):
        unknown = [name for name in getattr(selection, key) if name not in known]
        if unknown:
            raise ValueError(
                f"feature_ranking.selection.{key} names unknown field(s) {unknown}; "
                f"known fields: {known}; "
                + where_to_set(f"feature_ranking.selection.{key}")
            )

    chosen = ordered.filter(
        pl.col("cardinality") > 1, ~pl.col("feature").is_in(selection.never_keep)
    )
    if selection.drop_redundant:
        if "redundant" not in chosen.columns:
            raise ValueError(
                "feature_ranking.selection.drop_redundant needs the ranking's "
                "redundant column (feature_ranking.redundancy.top_n > 0); "
                + where_to_set("feature_ranking.redundancy.top_n")
            )
        chosen = chosen.filter(~pl.col("redundant"))
    if selection.min_score is not None:
        chosen = chosen.filter(pl.col("score") >= selection.min_score)
    if selection.top_k is not None:
        chosen = chosen.head(selection.top_k)
    keep = set(chosen["feature"].to_list()) | set(selection.always_keep)
    sequences = [name for name in schema.sequence if name not in selection.never_keep]
    return [name for name in ranked if name in keep] + sequences


def check_selection(selection: SelectionParams, schema: DatasetSchema) -> None:
    """Fail early on selection rules that cannot fit the schema.

    Args:
        selection: the selection rules.
        schema: the dataset schema.

    Raises:
        ValueError: naming the key: ``top_k`` above the number of ranked
            (categorical and numeric) fields, or ``always_keep`` /
            ``never_keep`` naming a column that is not a schema feature.
    """
    ranked = [*schema.categorical_fields, *schema.numeric]
    if selection.top_k is not None and selection.top_k > len(ranked):
        raise ValueError(
            f"feature_ranking.selection.top_k is {selection.top_k} but the schema "
            f"has only {len(ranked)} ranked (categorical and numeric) fields; "
            + where_to_set("feature_ranking.selection.top_k")
        )
    for key in ("always_keep", "never_keep"):
        unknown = [n for n in getattr(selection, key) if n not in schema.features]
        if unknown:
            raise ValueError(
                f"feature_ranking.selection.{key} names unknown field(s) {unknown}; "
                f"schema features: {schema.features}; "
                + where_to_set(f"feature_ranking.selection.{key}")
            )


def mark_selected(ranking: pl.DataFrame, selected: list[str]) -> pl.DataFrame:
    """The ranking with a boolean ``selected`` column.

    Args:
        ranking: output of :func:`ctrflow.feature_ranking.rank_features`.
        selected: output of :func:`select_features`.

    Returns:
        A new table; the input is not changed.
    """
    return ranking.with_columns(pl.col("feature").is_in(selected).alias("selected"))
