"""Fit vocabularies on train, then encode any split with polars expressions."""

from __future__ import annotations

import polars as pl

from ctrflow.feature_engineering.feature_map import (
    FIRST_VALUE_ID,
    MISSING_TOKEN,
    OOV_ID,
    PAD_ID,
    CategoricalField,
    FeatureMap,
    NumericField,
    SequenceField,
)
from ctrflow.feature_engineering.interactions import (
    interaction_name,
    interaction_token,
    split_selected,
)
from ctrflow.feature_engineering.params import (
    FeatureEngineeringParams,
    resolve_min_count,
)
from ctrflow.sampling import row_count
from ctrflow.schema import DatasetSchema


def _log_bucket(column: str) -> pl.Expr:
    """Counter -> bucket token: ``floor(ln(x)^2)`` above 2, the value itself up to 2."""
    value = pl.col(column)
    bucket = (
        pl.when(value > 2)
        .then(pl.lit("b") + value.log().pow(2).floor().cast(pl.Int64).cast(pl.String))
        .otherwise(value.floor().cast(pl.Int64).cast(pl.String))
    )
    return bucket.fill_null(MISSING_TOKEN).alias(column)


# Log buckets as integers while counting and encoding (strings only for the
# vocabulary): floor(ln(x)^2) + _BUCKET_OFFSET above 2, floor(x) up to 2; missing
# is _MISSING_CODE. ``_bucket_token`` turns a code into ``_log_bucket``'s token.
_BUCKET_OFFSET = 1 << 40
_MISSING_CODE = -(1 << 62)


def _bucket_code(column: str) -> pl.Expr:
    """``_log_bucket`` as an Int64 code (same expressions, no strings)."""
    value = pl.col(column)
    return (
        pl.when(value > 2)
        .then(value.log().pow(2).floor().cast(pl.Int64) + _BUCKET_OFFSET)
        .otherwise(value.floor().cast(pl.Int64))
        .fill_null(_MISSING_CODE)
        .alias(column)
    )


def _bucket_token(code: int) -> str:
    if code == _MISSING_CODE:
        return MISSING_TOKEN
    return f"b{code - _BUCKET_OFFSET}" if code > 2 else str(code)  # noqa: PLR2004


def _bucket_codes(vocabulary: list[str]) -> list[int] | None:
    """The codes of a log-bucket vocabulary (None when a token is not one)."""
    codes = []
    for token in vocabulary:
        try:
            if token == MISSING_TOKEN:
                codes.append(_MISSING_CODE)
            elif token.startswith("b"):
                codes.append(int(token[1:]) + _BUCKET_OFFSET)
            else:
                codes.append(int(token))
        except ValueError:
            return None
    if [_bucket_token(code) for code in codes] != vocabulary:
        return None
    return codes


def _token(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).fill_null(MISSING_TOKEN).alias(column)


def _numeric_value(column: str, transform: str) -> pl.Expr:
    value = pl.col(column).cast(pl.Float64)
    if transform == "log1p":
        value = value.clip(lower_bound=0).log1p()
    return value


def fit_feature_map(
    train: pl.DataFrame | pl.LazyFrame,
    selected: list[str],
    schema: DatasetSchema,
    params: FeatureEngineeringParams,
) -> FeatureMap:
    """Build vocabularies and numeric statistics from the train split only.

    Args:
        train: the typed train table; a ``LazyFrame`` (e.g. a scan of Parquet
            shards) is read by polars' streaming engine, never held whole: the
            same feature map as the collected table.
        selected: the feature columns to encode (the ranking's selection); a name
            ``a:b`` of two schema columns is a crossed field
            (:mod:`ctrflow.feature_engineering.interactions`), encoded after the others.
        schema: which columns are categorical, numeric or sequence, and which
            categorical field each sequence shares its vocabulary with.
        params: ``min_count`` (``auto``: from ``train``'s row count,
            ``resolve_min_count``), ``numeric_transform`` and
            ``max_sequence_length``.

    Returns:
        The feature map; values seen fewer than ``min_count`` times share the OOV id.
        A selected sequence column gets no vocabulary of its own: it uses its
        ``schema.sequence_vocabulary`` field's (fit on that categorical column).

    Raises:
        KeyError: a selected feature is not a schema column, a selected sequence
            has no ``sequence_vocabulary`` entry, or its categorical field is not
            selected.
    """
    selected, pairs = split_selected(selected, schema)
    sequences = [c for c in schema.sequence if c in selected]
    selected = [c for c in selected if c not in sequences]
    unmapped = [c for c in sequences if c not in schema.sequence_vocabulary]
    if unmapped:
        raise KeyError(
            f"sequence columns {unmapped} name no categorical field to share a "
            "vocabulary with: add them to schema.sequence_vocabulary "
            "(e.g. {history: item_id})"
        )
    known = set(schema.categorical_fields) | set(schema.numeric)
    unknown = [c for c in selected if c not in known]
    if unknown:
        raise KeyError(
            f"selected features {unknown} are not categorical or numeric columns of the "
            f"schema; known: {sorted(known)}"
        )
    categorical = [c for c in schema.categorical_fields if c in selected]
    numeric = [c for c in schema.numeric if c in selected]
    bucketed = numeric if params.numeric_transform == "log_bucket" else []
    parents = {interaction_name(a, b): [a, b] for a, b in pairs}
    lazy = train.lazy()
    table_schema = lazy.collect_schema()
    # a table in memory is aggregated in memory (the figures as before, bit for
    # bit); a lazy one by the streaming engine
    engine = "in-memory" if isinstance(train, pl.DataFrame) else "streaming"
    crossed = [
        interaction_token(table_schema, pair, _token, _log_bucket) for pair in pairs
    ]
    token_exprs = (
        [_token(c) for c in categorical] + [_bucket_code(c) for c in bucketed] + crossed
    )
    names = [*categorical, *bucketed, *parents]
    min_count = resolve_min_count(params.min_count, row_count(train))
    # every field's value counts at once (polars runs them in parallel), streamed
    counted = pl.collect_all(
        [
            lazy.select(expr).group_by(name).agg(pl.len().alias("count"))
            for expr, name in zip(token_exprs, names, strict=True)
        ],
        engine=engine,
    )

    fields: list[CategoricalField] = []
    offset = 0
    for column, field_counts in zip(names, counted, strict=True):
        counts = field_counts
        if column in bucketed:
            counts = counts.with_columns(
                pl.Series(
                    column,
                    [_bucket_token(code) for code in counts[column].to_list()],
                    dtype=pl.String,
                )
            )
        counts = counts.filter(pl.col("count") >= min_count).sort(
            ["count", column], descending=[True, False]
        )
        source = "numeric" if column in bucketed else "categorical"
        source = "interaction" if column in parents else source
        vocabulary = counts.get_column(column).to_list()
        fields.append(
            CategoricalField(
                column, vocabulary, offset, source, parents.get(column, [])
            )
        )
        offset += len(vocabulary) + FIRST_VALUE_ID

    float_fields = []
    if numeric and not bucketed:
        values = [_numeric_value(c, params.numeric_transform) for c in numeric]
        moments = lazy.select(
            *(
                v.mean().alias(f"{c}.mean")
                for v, c in zip(values, numeric, strict=True)
            ),
            *(v.std().alias(f"{c}.std") for v, c in zip(values, numeric, strict=True)),
        ).collect(engine=engine)
        for column in numeric:
            mean = float(moments[f"{column}.mean"][0] or 0.0)
            std = float(moments[f"{column}.std"][0] or 1.0) or 1.0
            float_fields.append(
                NumericField(column, params.numeric_transform, mean, std)
            )
    sequence_fields = [
        SequenceField(c, schema.sequence_vocabulary[c], params.max_sequence_length)
        for c in sequences
    ]
    return FeatureMap(
        label=schema.label,
        categorical=fields,
        numeric=float_fields,
        sequence=sequence_fields,
        derived=list(schema.derived),
    )


def _sequence_ids(sequence: SequenceField, field: CategoricalField) -> pl.Expr:
    """A list of tokens -> exactly ``max_length`` global ids of ``field``: the last
    ``max_length`` tokens (oldest first), OOV for values outside the vocabulary,
    then PAD ids (a missing list is an empty one; empty tokens are dropped)."""
    length = sequence.max_length
    ids = (
        pl.col(sequence.name)
        .cast(pl.List(pl.String))
        .fill_null(pl.lit([], dtype=pl.List(pl.String)))
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.tail(length)
        .list.eval(
            pl.element().replace_strict(
                field.vocabulary,
                range(field.offset + FIRST_VALUE_ID, field.offset + field.size),
                default=field.offset + OOV_ID,
                return_dtype=pl.Int32,
            )
        )
    )
    padding = pl.lit([field.offset + PAD_ID] * length, dtype=pl.List(pl.Int32))
    return pl.concat_list([ids, padding]).list.head(length).alias(sequence.name)


def encode_table(
    table: pl.DataFrame | pl.LazyFrame, feature_map: FeatureMap
) -> pl.DataFrame | pl.LazyFrame:
    """Encode a typed table: label Int8, one Int32 global-id column per categorical
    field, one Float32 column per numeric field (missing -> 0 after scaling), one
    ``List(Int32)`` column of ``max_length`` global ids per sequence field.

    Unseen and rare values map to the field's OOV id; nothing is dropped. A
    ``LazyFrame`` gives the encoding as a ``LazyFrame`` (a plan to stream, e.g.
    into Parquet shards), a ``DataFrame`` the encoded ``DataFrame``.
    """
    table_schema = (
        table.schema if isinstance(table, pl.DataFrame) else table.collect_schema()
    )
    ids = [_field_ids(table_schema, f) for f in feature_map.categorical]
    floats = [
        ((_numeric_value(f.name, f.transform) - f.mean) / f.std)
        .fill_null(0.0)
        .fill_nan(0.0)
        .cast(pl.Float32)
        .alias(f.name)
        for f in feature_map.numeric
    ]
    sequences = [
        _sequence_ids(s, feature_map.categorical_field(s.vocabulary_of))
        for s in feature_map.sequence
    ]
    # one select: every column is computed in parallel, no token table in between
    return table.select(
        pl.col(feature_map.label).cast(pl.Int8), *ids, *floats, *sequences
    )


def _field_ids(schema: pl.Schema, field: CategoricalField) -> pl.Expr:
    """A categorical field's global ids (OOV for values outside its vocabulary)."""
    ids = pl.Series(
        range(field.offset + FIRST_VALUE_ID, field.offset + field.size),
        dtype=pl.Int32,
    )
    codes = _bucket_codes(field.vocabulary) if field.source == "numeric" else None
    if codes is not None:
        tokens, vocabulary = _bucket_code(field.name), pl.Series(codes, dtype=pl.Int64)
    else:
        if field.parents:
            tokens = interaction_token(schema, field.parents, _token, _log_bucket)
        elif field.source == "numeric":
            tokens = _log_bucket(field.name)
        else:
            tokens = _token(field.name)
        vocabulary = pl.Series(field.vocabulary, dtype=pl.String)
    return tokens.replace_strict(
        vocabulary, ids, default=field.offset + OOV_ID, return_dtype=pl.Int32
    ).alias(field.name)
