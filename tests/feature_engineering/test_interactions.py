"""Crossed fields ``a:b``: parsed from the selection, fit on train, encoded alike."""

from __future__ import annotations

import math

import polars as pl

from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.feature_map import OOV_ID, FeatureMap
from ctrflow.feature_engineering.interactions import (
    TOKEN_SEPARATOR,
    interaction_name,
    split_selected,
)
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="y", categorical=["a", "b"], numeric=["n"])
TRAIN = pl.DataFrame(
    {
        "y": pl.Series([1, 0, 1, 0, 1, 1], dtype=pl.Int8),
        "a": ["x", "x", "y", "y", "x", None],
        "b": ["p", "q", "p", "p", "p", "q"],
        "n": [0.0, 20.0, 20.0, None, 0.0, 1.0],
    }
)
ONE = FeatureEngineeringParams(min_count=1)


def test_split_selected():
    assert split_selected(["a", "a:b", "n:a", "b"], SCHEMA) == (
        ["a", "b"],
        [("a", "b"), ("n", "a")],
    )
    # not two schema fields: left as a (then unknown) field name
    assert split_selected(["a:zz", "a:a", "a:b:n"], SCHEMA) == (
        ["a:zz", "a:a", "a:b:n"],
        [],
    )
    assert interaction_name("a", "b") == "a:b"


def test_a_crossed_field_gets_its_own_vocabulary_and_records_its_parents():
    feature_map = fit_feature_map(TRAIN, ["a", "a:b"], SCHEMA, ONE)
    a, ab = feature_map.categorical
    assert ab.name == "a:b"
    assert ab.source == "interaction"
    assert ab.parents == ["a", "b"]
    assert ab.offset == a.size
    # x|p three times, then the others once, ties in token order; missing a is a token
    assert ab.vocabulary[0] == f"x{TOKEN_SEPARATOR}p"
    assert sorted(ab.vocabulary[1:]) == sorted(
        [
            f"x{TOKEN_SEPARATOR}q",
            f"y{TOKEN_SEPARATOR}p",
            f"__missing__{TOKEN_SEPARATOR}q",
        ]
    )
    encoded = encode_table(TRAIN, feature_map)
    assert encoded.columns == ["y", "a", "a:b"]
    assert encoded["a:b"][0] == encoded["a:b"][4] == ab.offset + 2  # both x|p


def test_min_count_applies_and_unseen_combinations_are_oov():
    feature_map = fit_feature_map(
        TRAIN, ["a:b"], SCHEMA, FeatureEngineeringParams(min_count=2)
    )
    (ab,) = feature_map.categorical
    assert ab.vocabulary == [f"x{TOKEN_SEPARATOR}p", f"y{TOKEN_SEPARATOR}p"]
    new = pl.DataFrame(
        {"y": pl.Series([0, 1], dtype=pl.Int8), "a": ["y", "z"], "b": ["p", "p"],
         "n": [1.0, 2.0]}
    )  # fmt: skip
    assert encode_table(new, feature_map)["a:b"].to_list() == [3, OOV_ID]


def test_numeric_parent_uses_its_log_bucket():
    feature_map = fit_feature_map(TRAIN, ["n:b"], SCHEMA, ONE)
    (nb,) = feature_map.categorical
    bucket_20 = "b" + str(math.floor(math.log(20) ** 2))
    assert f"{bucket_20}{TOKEN_SEPARATOR}q" in nb.vocabulary
    assert f"__missing__{TOKEN_SEPARATOR}p" in nb.vocabulary
    assert nb.parents == ["n", "b"]


def test_encoding_is_the_same_for_every_split_and_after_a_json_round_trip():
    feature_map = fit_feature_map(TRAIN, ["a", "n", "a:b", "n:b"], SCHEMA, ONE)
    restored = FeatureMap.from_dict(feature_map.to_dict())
    assert restored == feature_map
    shuffled = TRAIN.reverse()
    direct = encode_table(TRAIN, feature_map)
    assert encode_table(shuffled, restored).reverse().equals(direct)
    assert direct.columns == ["y", "a", "n", "a:b", "n:b"]
    assert feature_map.field_spec.num_categorical == 4
