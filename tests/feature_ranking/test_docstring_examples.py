"""The ``Example::`` blocks in ctrflow.feature_ranking run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "ctrflow.feature_ranking.encoding",
        "ctrflow.feature_ranking.mutual_information",
        "ctrflow.feature_ranking.ranking",
        "ctrflow.feature_ranking.redundancy",
        "ctrflow.feature_ranking.interactions",
        "ctrflow.feature_engineering.interactions",
    ],
)
def test_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0
