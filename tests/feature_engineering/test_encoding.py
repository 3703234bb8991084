import math

import polars as pl
import pytest

from ctrflow.demo_data import CATEGORICAL, NUMERIC, generate_demo_logs
from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.feature_map import OOV_ID, FeatureMap
from ctrflow.feature_engineering.params import (
    FeatureEngineeringParams,
    resolve_min_count,
)
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="y", categorical=["a", "b"], numeric=["n"])
TRAIN = pl.DataFrame(
    {
        "y": pl.Series([1, 0, 1, 0, 1], dtype=pl.Int8),
        "a": ["x", "x", "y", "y", "z"],
        "b": ["p", None, None, "p", "p"],
        "n": [0.0, 1.0, 20.0, None, 20.0],
    }
)


def test_vocabularies_offsets_and_oov():
    feature_map = fit_feature_map(
        TRAIN, ["a", "b"], SCHEMA, FeatureEngineeringParams(min_count=2)
    )
    a, b = feature_map.categorical
    assert a.vocabulary == ["x", "y"]  # z seen once: OOV
    assert b.vocabulary == ["p", "__missing__"]
    assert (a.offset, b.offset) == (0, 4)
    assert feature_map.vocab_size == 8
    encoded = encode_table(TRAIN, feature_map)
    assert encoded.columns == ["y", "a", "b"]
    assert encoded["a"].to_list() == [2, 2, 3, 3, OOV_ID]
    assert encoded["b"].to_list() == [6, 7, 7, 6, 6]
    assert encoded.schema == {"y": pl.Int8, "a": pl.Int32, "b": pl.Int32}


def test_unseen_values_in_other_splits_go_to_oov_and_no_row_is_dropped():
    feature_map = fit_feature_map(
        TRAIN, ["a"], SCHEMA, FeatureEngineeringParams(min_count=1)
    )
    other = TRAIN.with_columns(pl.Series("a", ["new", None, "x", "y", "z"]))
    encoded = encode_table(other, feature_map)
    assert encoded.height == other.height
    assert encoded["a"].to_list() == [OOV_ID, OOV_ID, 2, 3, 4]


def test_log_bucket_turns_counters_into_ids():
    feature_map = fit_feature_map(
        TRAIN, ["n"], SCHEMA, FeatureEngineeringParams(min_count=1)
    )
    (n,) = feature_map.categorical
    assert n.source == "numeric"
    bucket_20 = "b" + str(math.floor(math.log(20) ** 2))
    assert sorted(n.vocabulary) == sorted(["0", "1", bucket_20, "__missing__"])
    assert n.vocabulary[0] == bucket_20  # most frequent first
    assert feature_map.numeric == []


@pytest.mark.parametrize("transform", ["log1p", "standardize"])
def test_float_transforms_are_scaled_with_train_statistics(transform):
    params = FeatureEngineeringParams(numeric_transform=transform)
    feature_map = fit_feature_map(TRAIN, ["n"], SCHEMA, params)
    (n,) = feature_map.numeric
    encoded = encode_table(TRAIN, feature_map)
    values = encoded["n"]
    assert values.dtype == pl.Float32
    assert values[3] == 0.0  # missing
    observed = values.filter(TRAIN["n"].is_not_null())
    assert abs(float(observed.mean())) < 1e-6
    assert abs(float(observed.std()) - 1.0) < 1e-5


def test_feature_map_round_trips_through_json_dict():
    feature_map = fit_feature_map(
        TRAIN, ["a", "b", "n"], SCHEMA, FeatureEngineeringParams()
    )
    assert FeatureMap.from_dict(feature_map.to_dict()) == feature_map
    assert feature_map.field_spec.num_categorical == 3


def test_unknown_selected_feature():
    with pytest.raises(KeyError, match=r"\['zz'\] are not categorical or numeric"):
        fit_feature_map(TRAIN, ["a", "zz"], SCHEMA, FeatureEngineeringParams())


@pytest.mark.parametrize(
    "train_rows, expected",
    [
        (1_000, 2),
        (160_000, 2),  # the demo
        (1_000_000, 2),
        (1_500_000, 3),
        (10_000_000, 7),
        (33_003_326, 10),  # BARS Criteo_x1's train split
        (45_840_617, 10),  # all of Criteo's Kaggle train
        (1_000_000_000, 17),
    ],
)
def test_auto_min_count_grows_slowly_with_the_train_rows(train_rows, expected):
    assert resolve_min_count("auto", train_rows) == expected


def test_an_explicit_min_count_wins_over_auto():
    assert resolve_min_count(1, 40_000_000) == 1
    assert FeatureEngineeringParams().min_count == "auto"
    assert FeatureEngineeringParams(min_count=7).min_count == 7
    with pytest.raises(ValueError, match="min_count"):
        FeatureEngineeringParams(min_count=0)
    with pytest.raises(ValueError, match="min_count"):
        FeatureEngineeringParams(min_count="always")


def test_auto_min_count_is_2_on_a_small_train_split():
    auto = fit_feature_map(TRAIN, ["a", "b"], SCHEMA, FeatureEngineeringParams())
    two = fit_feature_map(
        TRAIN, ["a", "b"], SCHEMA, FeatureEngineeringParams(min_count=2)
    )
    assert auto == two
    assert auto.categorical[0].vocabulary == ["x", "y"]  # z seen once: OOV


@pytest.mark.parametrize("transform", ["log1p", "standardize", "log_bucket"])
def test_a_lazy_scan_of_shards_gives_the_feature_map_and_encoding_of_the_table(
    transform, tmp_path
):
    """The streaming path: train read as a scan of several Parquet shards."""
    table = generate_demo_logs(6_000, seed=3)
    for index, shard in enumerate(table.iter_slices(1_000)):
        shard.write_parquet(tmp_path / f"part-{index:05d}.parquet")
    scan = pl.scan_parquet(tmp_path / "*.parquet")
    schema = DatasetSchema(label="label", categorical=CATEGORICAL, numeric=NUMERIC)
    selected = [*CATEGORICAL[:6], *NUMERIC[:4], "C3:C4"]
    params = FeatureEngineeringParams(numeric_transform=transform)

    eager = fit_feature_map(table, selected, schema, params)
    lazy = fit_feature_map(scan, selected, schema, params)
    # vocabularies and offsets exactly; means and stds to summation order
    assert lazy.categorical == eager.categorical
    for streamed, whole in zip(lazy.numeric, eager.numeric, strict=True):
        assert streamed.mean == pytest.approx(whole.mean, rel=1e-12, abs=1e-12)
        assert streamed.std == pytest.approx(whole.std, rel=1e-12)
    encoded = encode_table(scan, eager)
    assert isinstance(encoded, pl.LazyFrame)
    assert encoded.collect(engine="streaming").equals(encode_table(table, eager))
