"""The ``Example::`` blocks in ctrflow.ranking run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "ctrflow.ranking.encoding",
        "ctrflow.ranking.mutual_information",
        "ctrflow.ranking.ranking",
        "ctrflow.ranking.redundancy",
        "ctrflow.ranking.interactions",
        "ctrflow.ranking.auc_vs_k",
        "ctrflow.features.interactions",
    ],
)
def test_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0
