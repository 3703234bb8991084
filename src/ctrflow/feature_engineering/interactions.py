"""Crossed fields: two columns combined into one categorical field, ``a:b``.

The feature-ranking stage lists the pairs that add information
(``feature_interactions``) and, with ``feature_ranking.interactions.add_top_n``,
appends their names (``"C3:C4"``) to ``selected_features``. Feature engineering then
builds each pair column from the typed table with one polars expression, the same
for train, valid, test and new data: the two parents' tokens (a categorical
value, or a numeric counter's log bucket; missing is a token of its own) joined
by a separator that does not occur in tokens. The combination is exact, not a
hash: no collisions, and the same string on any machine or polars version (polars'
``hash`` is not stable across versions). The vocabulary, OOV id and ``min_count``
are those of any categorical field; the feature map records the parents.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ctrflow.schema import DatasetSchema

INTERACTION_SEPARATOR = ":"
TOKEN_SEPARATOR = "\x1f"  # ASCII unit separator: joins the two parents' tokens


def interaction_name(a: str, b: str) -> str:
    """The name of the crossed field of ``a`` and ``b``.

    Example::

        >>> interaction_name("C3", "C4")
        'C3:C4'
    """
    return f"{a}{INTERACTION_SEPARATOR}{b}"


def split_selected(
    selected: list[str], schema: DatasetSchema
) -> tuple[list[str], list[tuple[str, str]]]:
    """Plain selected fields, and the pairs named ``a:b``.

    A name is a pair when it is not a schema column and splits at one ``:`` into
    two categorical or numeric schema columns.

    Args:
        selected: the ranking's selection (fields, then pair names).
        schema: the dataset schema.

    Returns:
        ``(fields, pairs)``, each in the order of ``selected``.

    Example::

        >>> schema = DatasetSchema(label="y", categorical=["a", "b"])
        >>> split_selected(["a", "a:b"], schema)
        (['a'], [('a', 'b')])
    """
    parents = set(schema.categorical_fields) | set(schema.numeric)
    fields, pairs = [], []
    for name in selected:
        parts = name.split(INTERACTION_SEPARATOR)
        if (
            name not in schema.columns
            and len(parts) == 2  # noqa: PLR2004
            and parts[0] in parents
            and parts[1] in parents
            and parts[0] != parts[1]
        ):
            pairs.append((parts[0], parts[1]))
        else:
            fields.append(name)
    return fields, pairs


def interaction_token(
    table_schema: pl.Schema,
    parents: tuple[str, str] | list[str],
    categorical_token: Callable[[str], pl.Expr],
    numeric_token: Callable[[str], pl.Expr],
) -> pl.Expr:
    """The pair column's string tokens, named ``a:b``.

    Args:
        table_schema: the typed table's schema (a numeric dtype picks
            ``numeric_token`` for that parent).
        parents: the two column names.
        categorical_token: column name -> its string token expression (missing
            already a token).
        numeric_token: column name -> its log-bucket token expression.

    Returns:
        ``token(a) + "\\x1f" + token(b)``, never null.
    """
    parts = [
        numeric_token(name)
        if table_schema[name].is_numeric()
        else categorical_token(name)
        for name in parents
    ]
    return pl.concat_str(parts, separator=TOKEN_SEPARATOR).alias(
        interaction_name(*parents)
    )
