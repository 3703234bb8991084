"""Every ``Example::`` in ctrflow.models runs and shows what it claims."""

import doctest
import importlib
import pkgutil

import pytest

import ctrflow.models

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(ctrflow.models.__path__, "ctrflow.models.")
)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
