"""A derived feature is encoded like any categorical field, and the feature map
records its spec so scoring replays it with ingestion's code."""

import json

import polars as pl

from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.ingestion.derived import add_derived
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(
    label="y",
    categorical=["a"],
    numeric=["price"],
    derived=[{"column": "price", "buckets": [10]}],
)
RAW = pl.DataFrame(
    {
        "y": pl.Series([1, 0, 1, 0], dtype=pl.Int8),
        "a": ["x", "x", "y", "y"],
        "price": [1.0, 20.0, 30.0, None],
    }
)


def test_the_feature_map_records_and_replays_the_derived_specs():
    train = add_derived(RAW, SCHEMA.derived)
    feature_map = fit_feature_map(
        train, ["a", "price_bucket"], SCHEMA, FeatureEngineeringParams(min_count=1)
    )
    assert feature_map.categorical_columns == ["a", "price_bucket"]
    assert feature_map.categorical_field("price_bucket").vocabulary == [
        "[10, inf)", "[-inf, 10)", "__missing__",
    ]  # fmt: skip
    saved = json.loads(json.dumps(feature_map.to_dict()))
    assert saved["derived"] == [{"column": "price", "extract": [], "buckets": [10.0]}]
    loaded = FeatureMap.from_dict(saved)
    assert loaded.derived == SCHEMA.derived
    # scoring: raw rows + the map's derived specs give the same encoding
    replayed = encode_table(add_derived(RAW, loaded.derived), loaded)
    assert replayed.equals(encode_table(train, feature_map))


def test_a_feature_map_saved_before_derived_features_loads():
    feature_map = fit_feature_map(
        RAW, ["a"], DatasetSchema(label="y", categorical=["a"]),
        FeatureEngineeringParams(min_count=1),
    )  # fmt: skip
    old = {k: v for k, v in feature_map.to_dict().items() if k != "derived"}
    assert FeatureMap.from_dict(old).derived == []
