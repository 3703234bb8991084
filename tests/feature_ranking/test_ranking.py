"""rank_features: one scored row per field, best first."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ctrflow.feature_ranking.encoding import encode_categorical, encode_label
from ctrflow.feature_ranking.mutual_information import mutual_information
from ctrflow.feature_ranking.params import FeatureRankingParams
from ctrflow.feature_ranking.ranking import (
    RANKING_SCHEMA,
    WHOLE_TABLE_MAX_ROWS,
    encode_fields,
    rank_features,
    resolve_sample_size,
    sample_rows,
)
from ctrflow.schema import DatasetSchema


def test_columns_and_order(table, schema):
    ranking = rank_features(table, schema, FeatureRankingParams())

    assert ranking.schema == pl.Schema(RANKING_SCHEMA)
    assert sorted(ranking["feature"]) == sorted([*schema.categorical, *schema.numeric])
    assert ranking["rank"].to_list() == list(range(1, ranking.height + 1))
    assert ranking["score"].is_sorted(descending=True)
    kinds = dict(zip(ranking["feature"], ranking["kind"], strict=True))
    assert kinds == {
        "signal": "categorical",
        "noise": "categorical",
        "user_id": "categorical",
        "constant": "categorical",
        "amount": "numeric",
        "noise_num": "numeric",
    }


def test_signal_ranks_first_and_constant_scores_zero(table, schema):
    ranking = rank_features(table, schema, FeatureRankingParams()).rows_by_key(
        "feature", named=True, unique=True
    )

    assert ranking["signal"]["rank"] == 1
    assert ranking["amount"]["rank"] == 2
    assert ranking["constant"]["cardinality"] == 1
    assert ranking["constant"]["score"] == 0.0
    assert ranking["amount"]["cardinality"] == 33  # 32 bins + missing
    assert ranking["signal"]["cardinality"] == 10


def test_near_unique_id_has_high_plain_mi_but_a_score_near_zero(table, schema):
    ranking = rank_features(table, schema, FeatureRankingParams()).rows_by_key(
        "feature", named=True, unique=True
    )
    user = ranking["user_id"]

    assert user["cardinality"] > 15_000
    assert user["mutual_information"] > ranking["signal"]["mutual_information"]
    assert abs(user["score"]) < 0.1 * ranking["signal"]["score"]
    assert user["score"] == pytest.approx(
        user["mutual_information"] - user["cardinality_correction"]
    )


def test_without_correction_score_is_plain_mi(table, schema):
    ranking = rank_features(
        table, schema, FeatureRankingParams(cardinality_correction=False)
    )
    assert ranking["score"].to_list() == ranking["mutual_information"].to_list()
    assert ranking["cardinality_correction"].to_list() == [0.0] * ranking.height
    assert ranking["feature"][0] == "user_id"  # plain MI favours the near-unique id


def test_score_is_the_estimator_on_the_encoded_field(table, schema):
    ranking = rank_features(table, schema, FeatureRankingParams())
    expected = mutual_information(
        encode_label(table["label"]), encode_categorical(table["noise"])
    )
    row = ranking.filter(pl.col("feature") == "noise").row(0, named=True)
    assert row["score"] == expected.score
    assert row["mutual_information"] == expected.mutual_information


def test_outrank_implementation_gives_the_same_table(schema):
    small = pl.DataFrame(
        {
            column: values
            for column, values in zip(
                [
                    "label",
                    "signal",
                    "noise",
                    "user_id",
                    "constant",
                    "amount",
                    "noise_num",
                ],
                _small_columns(),
                strict=True,
            )
        }
    )
    vectorised = rank_features(small, schema, FeatureRankingParams())
    outrank = rank_features(
        small, schema, FeatureRankingParams(implementation="outrank")
    )

    assert outrank["feature"].to_list() == vectorised["feature"].to_list()
    assert outrank["cardinality"].to_list() == vectorised["cardinality"].to_list()
    for column in ("mutual_information", "cardinality_correction", "score"):
        np.testing.assert_allclose(
            outrank[column], vectorised[column], rtol=1e-5, atol=1e-7
        )


def _small_columns() -> list[pl.Series]:
    rng = np.random.default_rng(5)
    rows = 3_000
    signal = rng.integers(0, 4, rows)
    label = (rng.random(rows) < 0.15 + 0.15 * signal).astype(np.int8)
    return [
        pl.Series(label, dtype=pl.Int8),
        pl.Series([f"s{v}" for v in signal]),
        pl.Series([f"n{v}" for v in rng.integers(0, 6, rows)]),
        pl.Series([f"u{v}" for v in rng.integers(0, 2_000, rows)]),
        pl.Series(["x"] * rows),
        pl.Series(rng.exponential(size=rows)),
        pl.Series(rng.normal(size=rows)),
    ]


def test_deterministic(table, schema):
    params = FeatureRankingParams()
    assert rank_features(table, schema, params).equals(
        rank_features(table, schema, params)
    )


def test_ties_keep_schema_order():
    table = pl.DataFrame(
        {
            "label": pl.Series([0, 1, 0, 1], dtype=pl.Int8),
            "b": ["x"] * 4,
            "a": ["y"] * 4,
        }
    )
    schema = DatasetSchema(label="label", categorical=["b", "a"])
    ranking = rank_features(table, schema, FeatureRankingParams())
    assert ranking["feature"].to_list() == ["b", "a"]


def test_missing_column_is_named(table, schema):
    with pytest.raises(ValueError, match=r"lacks schema column\(s\) \['amount'\]"):
        rank_features(table.drop("amount"), schema, FeatureRankingParams())


def test_empty_table(table, schema):
    with pytest.raises(ValueError, match="empty table"):
        rank_features(table.head(0), schema, FeatureRankingParams())


def test_null_label(table, schema):
    first_row = pl.int_range(pl.len()) == 0
    broken = table.with_columns(
        pl.when(first_row).then(None).otherwise(pl.col("label")).alias("label")
    )
    with pytest.raises(ValueError, match="null"):
        rank_features(broken, schema, FeatureRankingParams())


def test_sample_rows_is_seeded_and_none_keeps_the_table(table):
    assert sample_rows(table, None, seed=1) is table
    sample = sample_rows(table, 500, seed=1)
    assert sample.height == 500
    assert sample.equals(sample_rows(table, 500, seed=1))
    assert not sample.equals(sample_rows(table, 500, seed=2))
    # a size at or above the row count keeps every row, shuffled
    everything = sample_rows(table, 10 * table.height, seed=1)
    assert everything.height == table.height
    assert not everything.equals(table)
    assert everything.sort("noise_num").equals(table.sort("noise_num"))


def test_sample_rows_of_a_scan(table, tmp_path, scan_shards):
    scan = scan_shards(table, tmp_path, shards=4)
    # no larger than the sample size: the very rows and order of the table
    assert sample_rows(scan, table.height, seed=1).equals(
        sample_rows(table, table.height, seed=1)
    )
    assert sample_rows(scan, None, seed=1).equals(table)
    # larger: sampled while it streams (other rows than DataFrame.sample's)
    sample = sample_rows(scan, 500, seed=1)
    assert sample.height == 500
    assert sample.equals(sample_rows(scan, 500, seed=1))
    assert not sample.equals(sample_rows(scan, 500, seed=2))
    assert not sample["noise_num"].is_sorted()  # shuffled, not in table order
    # rows of the table (a null amount matches a null)
    key = ["label", "signal", "user_id", "amount", "noise_num"]
    assert sample.join(table, on=key, how="anti", nulls_equal=True).height == 0
    assert sample["noise_num"].n_unique() == 500


def test_ranking_of_a_scan_equals_the_ranking_of_the_table(
    table, schema, tmp_path, scan_shards
):
    """Under the sample size a scan is ranked on the very sample of the table."""
    params = FeatureRankingParams(sample_size=table.height + 1, seed=3)
    scan = scan_shards(table, tmp_path, shards=3)
    eager, streamed = (
        rank_features(sample_rows(t, params.sample_size, params.seed), schema, params)
        for t in (table, scan)
    )
    assert streamed.equals(eager)
    assert eager["feature"][0] == "signal"


def test_encode_fields_matches_the_ranking_cardinality(table, schema):
    ranking = rank_features(table, schema, FeatureRankingParams())
    ids = encode_fields(table, schema, ["signal", "amount", "user_id"], 32)
    cardinality = dict(zip(ranking["feature"], ranking["cardinality"], strict=True))
    assert list(ids) == ["signal", "amount", "user_id"]
    for name, values in ids.items():
        assert values.max() + 1 == cardinality[name]


def test_null_sample_size_ranks_every_row_up_to_the_bound():
    assert resolve_sample_size(None, WHOLE_TABLE_MAX_ROWS) is None
    assert resolve_sample_size(None, WHOLE_TABLE_MAX_ROWS + 1) == WHOLE_TABLE_MAX_ROWS
    assert resolve_sample_size(5_000, 10**9) == 5_000  # as set, whatever the rows
