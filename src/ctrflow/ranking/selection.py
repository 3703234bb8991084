"""Turn a feature ranking into the list of fields the model gets."""

from __future__ import annotations

import polars as pl

from ctrflow.params import DatasetSchema, SelectionParams


def select_features(
    ranking: pl.DataFrame, schema: DatasetSchema, selection: SelectionParams
) -> list[str]:
    """The fields that go on to the model, in rank order, then the sequence columns.

    Rules, in order: a constant field (cardinality 1) is dropped, then fields
    scoring below ``selection.min_score``, then all but the ``selection.top_k``
    best; ``selection.always_keep`` fields are kept whatever their score or
    cardinality. The schema's sequence columns are not ranked and always go on.

    Args:
        ranking: output of :func:`ctrflow.ranking.rank_features`.
        schema: the dataset schema (for its sequence columns).
        selection: the selection rules.

    Returns:
        Field names: ranked fields in rank order, then sequence columns in schema
        order.

    Raises:
        ValueError: ``always_keep`` names a field that is neither ranked nor a
            sequence column.
    """
    ordered = ranking.sort("rank")
    ranked = ordered["feature"].to_list()
    known = [*ranked, *schema.sequence]
    unknown = [name for name in selection.always_keep if name not in known]
    if unknown:
        raise ValueError(
            f"always_keep names unknown field(s) {unknown}; known fields: {known}"
        )

    chosen = ordered.filter(pl.col("cardinality") > 1)
    if selection.min_score is not None:
        chosen = chosen.filter(pl.col("score") >= selection.min_score)
    if selection.top_k is not None:
        chosen = chosen.head(selection.top_k)
    keep = set(chosen["feature"].to_list()) | set(selection.always_keep)
    return [name for name in ranked if name in keep] + list(schema.sequence)


def mark_selected(ranking: pl.DataFrame, selected: list[str]) -> pl.DataFrame:
    """The ranking with a boolean ``selected`` column.

    Args:
        ranking: output of :func:`ctrflow.ranking.rank_features`.
        selected: output of :func:`select_features`.

    Returns:
        A new table; the input is not changed.
    """
    return ranking.with_columns(pl.col("feature").is_in(selected).alias("selected"))
