"""Turn a feature ranking into the list of fields the model gets, with a decision
per field.

Selection runs in two steps around the AUC-vs-k evidence. The screens
(:func:`screen_fields`, then :func:`screen_redundant` once redundancy is known)
write a ``decision`` (``dropped: <reason>``) for every field no cut should see:
constant, ``never_keep``, probable leaks, near-unique ids without signal,
redundant near-copies. The fields left (``decision`` null) are the candidates the
AUC-vs-k curve is computed on. :func:`select_features` then applies ``min_score``
and the ``top_k`` cut (``auto``: :func:`resolve_top_k` reads it off the curve),
adds back ``always_keep`` and fills every decision (``kept`` or ``dropped:
<reason>``).
"""

from __future__ import annotations

import math

import polars as pl

from ctrflow.feature_ranking.params import SelectionParams
from ctrflow.schema import DatasetSchema, where_to_set

KEPT = "kept"
"""The ``decision`` of a selected field."""


def screen_fields(
    ranking: pl.DataFrame,
    selection: SelectionParams,
    *,
    rows: int,
    leaks: list[dict] | None = None,
) -> pl.DataFrame:
    """The ranking with a ``decision`` column for the fields the screens drop.

    In order, the first rule that applies writing the reason: constant (one
    distinct value), ``never_keep``, a probable leak (``drop_leaks``, a column of
    ``leaks``), a near-unique id with no signal (``cardinality / rows >
    near_unique_ratio`` and ``score <= noise_floor``). Every other field's
    ``decision`` is null: still a candidate. ``always_keep`` is applied later, by
    :func:`select_features`.

    Args:
        ranking: output of :func:`ctrflow.feature_ranking.ranking.rank_features`.
        selection: the selection rules.
        rows: rows of the table the ranking scored (the distinct-value share's
            denominator).
        leaks: the data-quality report's ``probable_leaks`` (``{"column", "auc",
            "split", "message"}``); ``None`` = none.

    Returns:
        A new table sorted by rank, ``ranking``'s columns then ``decision``.

    Example::

        >>> ranking = pl.DataFrame({"feature": ["id", "a"], "cardinality": [90, 5],
        ...     "score": [0.0, 0.05], "rank": [2, 1]})
        >>> screen_fields(ranking, SelectionParams(), rows=100)["decision"].to_list()
        [None, 'dropped: near-unique id (90 distinct values in 100 rows = 0.90 > near_unique_ratio 0.5, score 0.0000 <= noise_floor 0.002 nats)']
    """
    leaked = {}
    if selection.drop_leaks:
        for leak in leaks or []:
            if leak["column"] not in leaked:
                leaked[leak["column"]] = leak
    decisions = []
    ordered = ranking.sort("rank")
    for name, cardinality, score in ordered.select(
        "feature", "cardinality", "score"
    ).rows():
        decisions.append(
            _screen(
                name, cardinality, score, selection=selection, rows=rows, leaked=leaked
            )
        )
    return ordered.with_columns(pl.Series("decision", decisions, dtype=pl.String))


def _screen(
    name: str,
    cardinality: int,
    score: float,
    *,
    selection: SelectionParams,
    rows: int,
    leaked: dict[str, dict],
) -> str | None:
    if cardinality <= 1:
        return "dropped: constant (1 distinct value)"
    if name in selection.never_keep:
        return "dropped: never_keep"
    if name in leaked:
        leak = leaked[name]
        return (
            f"dropped: probable leak (AUC {leak['auc']:.3f} alone on the "
            f"{leak['split']} split, data_quality_report.probable_leaks)"
        )
    ratio = cardinality / rows if rows else 0.0
    threshold = selection.near_unique_ratio
    if threshold is not None and ratio > threshold and score <= selection.noise_floor:
        return (
            f"dropped: near-unique id ({cardinality} distinct values in {rows} rows "
            f"= {ratio:.2f} > near_unique_ratio {threshold}, score {score:.4f} <= "
            f"noise_floor {selection.noise_floor} nats)"
        )
    return None


def screen_redundant(ranking: pl.DataFrame, selection: SelectionParams) -> pl.DataFrame:
    """``decision`` for redundant candidates (``drop_redundant``).

    Args:
        ranking: a :func:`screen_fields` table with the redundancy columns of
            :func:`ctrflow.feature_ranking.redundancy.add_redundancy`.
        selection: the selection rules.

    Returns:
        A new table; a candidate flagged ``redundant`` gets ``dropped: redundant
        with <field> (R = ... >= threshold)`` when ``drop_redundant`` is set.

    Raises:
        ValueError: ``drop_redundant`` is set and the ranking has no
            ``redundant`` column.
    """
    if not selection.drop_redundant:
        return ranking
    if "redundant" not in ranking.columns:
        raise ValueError(
            "feature_ranking.selection.drop_redundant needs the ranking's "
            "redundant column (feature_ranking.redundancy.top_n > 0); "
            + where_to_set("feature_ranking.redundancy.top_n")
        )
    reason = pl.format(
        "dropped: redundant with {} (R = {})",
        pl.col("redundant_with"),
        pl.col("redundancy").round(3),
    )
    return ranking.with_columns(
        pl.when(pl.col("decision").is_null() & pl.col("redundant"))
        .then(reason)
        .otherwise(pl.col("decision"))
        .alias("decision")
    )


def candidate_fields(ranking: pl.DataFrame) -> list[str]:
    """The fields the screens left (``decision`` null), in rank order: the
    fields the AUC-vs-k curve and the ``top_k`` cut are about."""
    return (
        ranking.sort("rank").filter(pl.col("decision").is_null())["feature"].to_list()
    )


def fixed_top_k(ranking: pl.DataFrame, selection: SelectionParams) -> int:
    """How many candidates an int or ``null`` ``top_k`` keeps (after ``min_score``).

    Raises:
        ValueError: ``selection.top_k`` is ``auto`` (see :func:`choose_top_k`).
    """
    if selection.top_k == "auto":
        raise ValueError("top_k auto is chosen from the AUC-vs-k curve")
    candidates = ranking.filter(pl.col("decision").is_null())
    if selection.min_score is not None:
        candidates = candidates.filter(pl.col("score") >= selection.min_score)
    if selection.top_k is None:
        return candidates.height
    return min(selection.top_k, candidates.height)


def choose_top_k(curve: list[tuple[int, float]], tolerance: float) -> int | None:
    """``top_k: auto``: the smallest k whose AUC is within ``tolerance`` of the best.

    Args:
        curve: ``(k, validation AUC)`` points; a NaN AUC is left out.
        tolerance: the AUC a smaller k may lose against the best point.

    Returns:
        The k, or ``None`` when no point has an AUC.

    Example::

        >>> choose_top_k([(1, 0.68), (4, 0.771), (6, 0.7905), (8, 0.7913), (36, 0.78)], 0.002)
        6
        >>> choose_top_k([(1, 0.68), (4, 0.771), (6, 0.7905), (8, 0.7913)], 0.0)
        8
    """
    points = [(k, auc) for k, auc in curve if auc is not None and not math.isnan(auc)]
    if not points:
        return None
    best = max(auc for _, auc in points)
    return min(k for k, auc in points if auc >= best - tolerance)


def resolve_top_k(
    selection: SelectionParams, curve: list[dict]
) -> tuple[int | None, str]:
    """The ``top_k`` to cut at, and the reason a field beyond it is dropped.

    Args:
        selection: the selection rules.
        curve: the AUC-vs-k records (``k``, ``valid_auc``, ``chosen``), empty
            when ``auc_vs_k.enabled`` is false.

    Returns:
        ``(k, reason)``; ``k`` is ``None`` for no cut: ``top_k: null``, or ``auto``
        without a curve.
    """
    if selection.top_k != "auto":
        return selection.top_k, f"top_k {selection.top_k}"
    chosen = [row for row in curve if row["chosen"]]
    if not chosen:
        return None, "top_k auto without an AUC-vs-k curve: no cut"
    points = [r for r in curve if r["valid_auc"] is not None]
    best = max(points, key=lambda r: (r["valid_auc"], -r["k"]))
    k, auc = chosen[0]["k"], chosen[0]["valid_auc"]
    return k, (
        f"top_k auto: k {k} has validation AUC {auc:.4f}, within "
        f"top_k_tolerance {selection.top_k_tolerance} of the best "
        f"{best['valid_auc']:.4f} (k {best['k']})"
    )


def select_features(
    ranking: pl.DataFrame,
    schema: DatasetSchema,
    selection: SelectionParams,
    *,
    top_k: int | None,
    top_k_reason: str = "",
) -> tuple[pl.DataFrame, list[str]]:
    """The final decisions: ``min_score``, the ``top_k`` cut, then ``always_keep``.

    Args:
        ranking: a screened ranking (:func:`screen_fields`, :func:`screen_redundant`).
        schema: the dataset schema (for its sequence columns).
        selection: the selection rules.
        top_k: the cut (:func:`resolve_top_k`), ``None`` for none.
        top_k_reason: why (written in the decisions of the fields it drops).

    Returns:
        The ranking sorted by rank with ``selected`` and a filled ``decision``
        (``kept`` or ``dropped: <reason>``), and the selected names: ranked fields
        in rank order, then the sequence columns not in ``never_keep``.

    Raises:
        ValueError: ``always_keep`` or ``never_keep`` names a field that is
            neither ranked nor a sequence column.
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
    decisions, taken = [], 0
    for name, score, screened in ordered.select("feature", "score", "decision").rows():
        if name in selection.always_keep:
            decision = KEPT
        elif screened is not None:
            decision = screened
        elif selection.min_score is not None and score < selection.min_score:
            decision = (
                f"dropped: score {score:.4f} < min_score {selection.min_score} nats"
            )
        elif top_k is not None and taken >= top_k:
            decision = f"dropped: beyond the top {top_k} ({top_k_reason})"
        else:
            decision, taken = KEPT, taken + 1
        decisions.append(decision)
    decided = ordered.drop("decision").with_columns(
        pl.Series("selected", [d == KEPT for d in decisions], dtype=pl.Boolean),
        pl.Series("decision", decisions, dtype=pl.String),
    )
    sequences = [name for name in schema.sequence if name not in selection.never_keep]
    return decided, decided.filter("selected")["feature"].to_list() + sequences


def check_selection(selection: SelectionParams, schema: DatasetSchema) -> None:
    """Fail early on selection rules that cannot fit the schema.

    Args:
        selection: the selection rules.
        schema: the dataset schema.

    Raises:
        ValueError: naming the key: an int ``top_k`` above the number of ranked
            (categorical and numeric) fields, or ``always_keep`` /
            ``never_keep`` naming a column that is not a schema feature.
    """
    ranked = [*schema.categorical_fields, *schema.numeric]
    top_k = selection.top_k
    if isinstance(top_k, int) and top_k > len(ranked):
        raise ValueError(
            f"feature_ranking.selection.top_k is {top_k} but the schema "
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
