"""``reuse_freed_memory``: inside it a freed block comes back without page faults
(once the heap has grown to hold it, as after a training step or two); after it
glibc's behaviour (a fresh mapping, faulted in again) is back."""

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


@pytest.mark.skipif(_glibc() is None, reason="the setting exists in glibc only")
def test_freed_blocks_are_reused_inside_and_faulted_in_again_after():
    with reuse_freed_memory() as active:
        assert active
        _faults_of_reallocating()  # the heap grows to hold the block once
        inside = _faults_of_reallocating()
    after = _faults_of_reallocating()
    assert after >= HUGE_PAGES
    assert inside * 10 < after
