"""``reuse_freed_memory``: inside it a freed block comes back without page faults
(once the heap has settled to hold it, as after a few training steps: how many
reallocations that takes depends on the heap's layout, so the steady state is the
best of four); on leaving it the kept memory is released, so the next block is
faulted in again."""

import resource

import pytest
import torch

from ctrflow.training.memory import _glibc, reuse_freed_memory

FLOATS = 12 << 20  # a 48 MB tensor: above glibc's largest dynamic mmap threshold
HUGE_PAGES = (FLOATS * 4) >> 21  # the fewest faults filling it can take (2 MB pages)


def _faults_of_reallocating() -> int:
    """Page faults while filling a tensor just like one freed a moment before."""
    first = torch.ones(FLOATS)
    del first
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    second = torch.ones(FLOATS)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    del second
    return faults


def _steady_faults() -> int:
    """Page faults of a reallocation once the heap has settled: the fewest of four."""
    return min(_faults_of_reallocating() for _ in range(4))


@pytest.mark.skipif(_glibc() is None, reason="the setting exists in glibc only")
def test_freed_blocks_are_reused_inside_and_faulted_in_again_after():
    with reuse_freed_memory() as active:
        assert active
        inside = _steady_faults()
    after = _faults_of_reallocating()
    assert after >= HUGE_PAGES
    assert inside * 10 < after


@pytest.mark.skipif(_glibc() is None, reason="the setting exists in glibc only")
def test_an_inner_block_leaves_the_outer_setting_in_place():
    with reuse_freed_memory():
        with reuse_freed_memory() as inner_active:
            assert inner_active
        after_inner = _steady_faults()
    after = _faults_of_reallocating()
    assert after >= HUGE_PAGES
    assert after_inner * 10 < after
