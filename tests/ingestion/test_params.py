import pytest

from ctrflow.ingestion.cast import type_rows
from ctrflow.ingestion.params import (
    DEFAULT_MAX_FIELD_CHARS,
    IngestionParams,
    SplitRatios,
)


def test_ratios_must_sum_to_one():
    with pytest.raises(ValueError, match="must sum to 1"):
        SplitRatios(train=0.8, valid=0.1, test=0.2)


def test_type_rows_and_the_parameters_share_the_longest_value():
    assert IngestionParams().max_field_chars == DEFAULT_MAX_FIELD_CHARS == 65_536
    assert type_rows.__kwdefaults__["max_field_chars"] == DEFAULT_MAX_FIELD_CHARS
