"""Behaviour sequences: encoded with the vocabulary of the categorical field they
share, truncated to the most recent ids, padded with that field's PAD id."""

import polars as pl
import pytest

from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.feature_map import (
    FIRST_VALUE_ID,
    OOV_ID,
    PAD_ID,
    FeatureMap,
)
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.schema import DatasetSchema
from ctrflow.training.data import to_tensors

SCHEMA = DatasetSchema(
    label="y",
    categorical=["user", "item"],
    sequence=["history"],
    sequence_vocabulary={"history": "item"},
)
TRAIN = pl.DataFrame(
    {
        "y": pl.Series([1, 0, 1, 0], dtype=pl.Int8),
        "user": ["u1", "u1", "u2", "u2"],
        "item": ["a", "a", "b", "c"],  # a x2, b, c: vocabulary a, b, c
        "history": [["a", "b", "c", "zzz"], [], None, ["c"]],
    },
    schema_overrides={"history": pl.List(pl.String)},
)
PARAMS = FeatureEngineeringParams(min_count=1, max_sequence_length=3)


def _fit(params=PARAMS):
    return fit_feature_map(TRAIN, ["user", "item", "history"], SCHEMA, params)


def test_sequence_uses_the_shared_fields_ids_truncates_old_and_pads():
    feature_map = _fit()
    item = feature_map.categorical_field("item")
    assert item.vocabulary == ["a", "b", "c"]  # the sequence adds no values
    encoded = encode_table(TRAIN, feature_map)
    assert encoded.columns == ["y", "user", "item", "history"]
    assert encoded.schema["history"] == pl.List(pl.Int32)
    ids = {v: item.offset + FIRST_VALUE_ID + i for i, v in enumerate(item.vocabulary)}
    pad, oov = item.offset + PAD_ID, item.offset + OOV_ID
    assert encoded["history"].to_list() == [
        [ids["b"], ids["c"], oov],  # last 3 kept (most recent), 'zzz' unseen: OOV
        [pad, pad, pad],  # empty
        [pad, pad, pad],  # missing = empty
        [ids["c"], pad, pad],  # padding after the items
    ]
    # the encoded item column and the sequence hold the same id for the same value
    assert encoded["item"][0] == ids["a"]


def test_rare_values_in_a_sequence_are_oov_like_in_their_field():
    feature_map = _fit(FeatureEngineeringParams(min_count=2, max_sequence_length=2))
    item = feature_map.categorical_field("item")
    assert item.vocabulary == ["a"]
    encoded = encode_table(TRAIN, feature_map)
    assert encoded["history"][3].to_list() == [item.offset + OOV_ID, item.offset]


def test_feature_map_round_trips_and_gives_the_model_the_target_and_pad_id():
    feature_map = _fit()
    again = FeatureMap.from_dict(feature_map.to_dict())
    assert again == feature_map
    (sequence,) = feature_map.field_spec.sequences
    item = feature_map.categorical_field("item")
    assert (sequence.target, sequence.pad_id) == (1, item.offset + PAD_ID)
    # a map saved before sequences existed still loads
    old = {k: v for k, v in feature_map.to_dict().items() if k != "sequence"}
    assert FeatureMap.from_dict(old).sequence == []


def test_to_tensors_stacks_sequences_as_n_s_l():
    feature_map = _fit()
    data = to_tensors(encode_table(TRAIN, feature_map), feature_map)
    assert tuple(data.sequences.shape) == (4, 1, 3)
    assert (
        data.sequences[0, 0].tolist()
        == encode_table(TRAIN, feature_map)["history"][0].to_list()
    )
    assert tuple(data.take(data.labels.argsort()).sequences.shape) == (4, 1, 3)
    assert tuple(data.slice(1, 3).sequences.shape) == (2, 1, 3)


def test_without_sequences_the_tensor_is_empty():
    feature_map = fit_feature_map(TRAIN, ["user", "item"], SCHEMA, PARAMS)
    data = to_tensors(encode_table(TRAIN, feature_map), feature_map)
    assert tuple(data.sequences.shape) == (4, 0, 0)
    assert feature_map.field_spec.sequences == ()


def test_a_sequence_needs_its_vocabulary_field():
    unmapped = SCHEMA.model_copy(update={"sequence_vocabulary": {}})
    with pytest.raises(KeyError, match="sequence_vocabulary"):
        fit_feature_map(TRAIN, ["item", "history"], unmapped, PARAMS)
    with pytest.raises(KeyError, match="always_keep"):
        fit_feature_map(TRAIN, ["user", "history"], SCHEMA, PARAMS)


def test_schema_checks_the_sequence_vocabulary_names():
    with pytest.raises(ValueError, match="not a categorical column"):
        DatasetSchema(
            label="y",
            categorical=["item"],
            sequence=["history"],
            sequence_vocabulary={"history": "nope"},
        )
    with pytest.raises(ValueError, match="not a sequence column"):
        DatasetSchema(
            label="y", categorical=["item"], sequence_vocabulary={"h": "item"}
        )
