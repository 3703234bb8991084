"""Derived features (``schema.derived``) are ranked like every categorical field
(``DatasetSchema.categorical_fields``)."""

from ctrflow.feature_ranking.params import FeatureRankingParams
from ctrflow.feature_ranking.ranking import rank_features


def test_a_derived_field_is_ranked_as_categorical(price_bucket_table):
    schema, table = price_bucket_table
    ranking = rank_features(
        table([1.0, 2.0, 30.0, 40.0] * 5), schema, FeatureRankingParams()
    )
    kinds = dict(zip(ranking["feature"], ranking["kind"], strict=True))
    assert kinds == {"price_bucket": "categorical", "price": "numeric"}
