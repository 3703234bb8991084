"""The strict parameter base: an unknown key names itself, its closest valid key
and every valid key."""

import pytest
from pydantic import ValidationError

from ctrflow.schema import DatasetSchema, unknown_keys_message
from ctrflow.training.params import TrainingParams


def test_an_unknown_key_lists_the_valid_ones():
    with pytest.raises(ValidationError) as error:
        TrainingParams(modle="DeepFM")
    message = str(error.value)
    assert (
        "unknown key 'modle' (did you mean 'model'?); valid keys: model, models,"
        in (message)
    )
    assert "progress_bar" in message


def test_nested_blocks_name_their_own_keys():
    with pytest.raises(ValidationError, match=r"models.DeepFM\n.*'embeding_dim' \(did"):
        TrainingParams(models={"DeepFM": {"embeding_dim": 8}})
    with pytest.raises(ValidationError, match="valid keys: label, categorical"):
        DatasetSchema(label="y", categorical=["a"], numerc=["b"])


def test_message_without_a_close_match():
    assert unknown_keys_message(["zzz", "qqq"], ["model", "seed"]) == (
        "unknown keys 'zzz', 'qqq'; valid keys: model, seed"
    )


def test_derived_features_are_categorical_fields():
    schema = DatasetSchema(
        label="y",
        categorical=["a"],
        numeric=["price"],
        timestamp="t",
        derived=[
            {"column": "t", "extract": ["hour", "weekday", "day"]},
            {"column": "price", "buckets": [0, 1, 10]},
        ],
    )
    derived = ["t_hour", "t_weekday", "t_day", "price_bucket"]
    assert schema.categorical_fields == ["a", *derived]
    assert schema.features == ["a", *derived, "price"]
    # read from the files: the timestamp, not the derived columns
    assert schema.input_columns == ["y", "a", "price", "t"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"derived": [{"column": "t", "extract": ["hours"]}]},
         r"unknown extract 'hours' \(did you mean 'hour'\?\); valid: hour, weekday, day"),
        ({"derived": [{"column": "t", "extrakt": ["hour"]}]},
         r"unknown key 'extrakt' \(did you mean 'extract'\?\)"),
        ({"derived": [{"column": "click", "extract": ["hour"]}]},
         r"schema.derived\[0\] \('click'\) extracts \['hour'\] from 'click', which is "
         r"not the schema's timestamp column \(timestamp: t\)"),
        ({"derived": [{"column": "a", "buckets": [1, 2]}]},
         r"buckets 'a', which is not a numeric column"),
        ({"derived": [{"column": "price", "buckets": [2, 1]}]}, "strictly increasing"),
        ({"derived": [{"column": "price"}]}, "exactly one of 'extract'"),
        ({"derived": [{"column": "t", "extract": ["day"], "buckets": [1]}]},
         "exactly one of 'extract'"),
        ({"derived": [{"column": "price", "buckets": [1]}], "categorical": ["price_bucket"]},
         r"'price_bucket' is listed twice in the schema \(as categorical and as derived"),
        ({"timestamp": "a"}, r"'a' is listed twice in the schema \(as categorical and as "
         "timestamp"),
    ],
)  # fmt: skip
def test_derived_features_fail_at_validation(fields, message):
    base = {"label": "y", "categorical": ["a"], "numeric": ["price"], "timestamp": "t"}
    with pytest.raises(ValidationError, match=message):
        DatasetSchema(**{**base, **fields})
