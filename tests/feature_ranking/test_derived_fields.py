"""Derived features (``schema.derived``) are ranked like every categorical field
(``DatasetSchema.categorical_fields``)."""

import polars as pl

from ctrflow.feature_ranking.params import FeatureRankingParams
from ctrflow.feature_ranking.ranking import rank_features
from ctrflow.ingestion.derived import add_derived
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(
    label="y", numeric=["price"], derived=[{"column": "price", "buckets": [10]}]
)


def _table(prices):
    labels = [int(p >= 10) for p in prices]  # the bucket predicts the label
    raw = pl.DataFrame({"y": pl.Series(labels, dtype=pl.Int8), "price": prices})
    return add_derived(raw, SCHEMA.derived)


def test_a_derived_field_is_ranked_as_categorical():
    ranking = rank_features(
        _table([1.0, 2.0, 30.0, 40.0] * 5), SCHEMA, FeatureRankingParams()
    )
    kinds = dict(zip(ranking["feature"], ranking["kind"], strict=True))
    assert kinds == {"price_bucket": "categorical", "price": "numeric"}
