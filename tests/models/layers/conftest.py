"""Statistical checks shared by the dropout tests (``Dropout``, the fused layer),
as fixtures: a drop mask that is a real dropout has independent draws at the right
rate."""

import math

import pytest
import torch


def _binomial_z(count: int, trials: int, rate: float) -> float:
    """How many standard deviations ``count`` is from a Binomial(trials, rate) mean."""
    return (count - trials * rate) / math.sqrt(trials * rate * (1 - rate))


def _assert_independent_drops(
    first: torch.Tensor, second: torch.Tensor, rate: float
) -> None:
    """``first`` and ``second`` (bool, True = dropped) are two successive masks drawn
    at ``rate``. Neighbours in a row, elements two apart in a row (which may share a
    random word), neighbours in a column, and one element in both masks are dropped
    together at rate**2; no row repeats another; per-column drop rates scatter like
    binomials, not pinned to one pattern."""
    pairs = {
        "row neighbours": first[:, 1:] & first[:, :-1],
        "two apart in a row": first[:, 2:] & first[:, :-2],
        "column neighbours": first[1:] & first[:-1],
        "successive calls": first & second,
    }
    for name, both in pairs.items():
        assert abs(_binomial_z(int(both.sum()), both.numel(), rate**2)) < 5, name
    assert torch.unique(first, dim=0).shape[0] == first.shape[0]
    column_rates = first.float().mean(dim=0)
    expected_std = math.sqrt(rate * (1 - rate) / first.shape[0])
    assert 0.7 < float(column_rates.std()) / expected_std < 1.3


@pytest.fixture
def binomial_z():
    """``binomial_z(count, trials, rate)``: standard deviations from the mean."""
    return _binomial_z


@pytest.fixture
def assert_independent_drops():
    """``assert_independent_drops(first, second, rate)`` on two successive masks."""
    return _assert_independent_drops
