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
