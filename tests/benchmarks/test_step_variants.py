"""``benchmarks/step_variants.py`` on a few steps: every variant trains and the
torch-dropout variant really swaps the layers."""

from __future__ import annotations

import pytest
from torch import nn

from ctrflow.models.layers import Dropout


@pytest.fixture
def step_variants(load_benchmark):
    return load_benchmark("step_variants")


def test_variants_differ_as_named(step_variants):
    def kinds(variant):
        return {type(m) for m in step_variants.build(variant).modules()}

    assert Dropout in kinds("full") and nn.Dropout not in kinds("full")
    assert nn.Dropout in kinds("torch_dropout") and Dropout not in kinds(
        "torch_dropout"
    )
    assert step_variants.build("full").mlp.fuse
    assert not step_variants.build("unfused").mlp.fuse
    assert not step_variants.build("torch_dropout").mlp.fuse
    assert not {Dropout, nn.Dropout} & kinds("no_dropout")
    assert nn.BatchNorm1d in kinds("no_dropout")
    assert nn.BatchNorm1d not in kinds("no_dropout_no_bn")
    assert kinds("bare") <= {nn.Sequential, nn.Linear, nn.ReLU}


@pytest.mark.slow
def test_eager_variants_train(step_variants):
    variants = "full,unfused,torch_dropout,no_dropout,no_dropout_no_bn,bare"
    rates = step_variants.main(
        ["--threads", "1", "--steps", "2", "--variants", variants]
    )
    assert set(rates) == set(variants.split(","))
    assert all(rate > 0 for rate in rates.values())
