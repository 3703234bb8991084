"""``reuse_freed_memory``: inside it a freed block comes back without page faults
(once the heap has settled to hold it, as after a few training steps: the first
reallocations may land on heap pages never touched, one to five of them in 12
fresh processes, so the steady state is the worst of the last four of twelve); on leaving it the kept memory is released, so the next block is
faulted in again.

Each case runs in a fresh interpreter: the allocator's state is process-wide, and
what a thousand earlier tests left in the test process's heap (CI once saw a
48 MB block come back without a single fault after the block had been left)
is not what these tests are about."""

import json
import subprocess
import sys
import textwrap

import pytest

from ctrflow.training.memory import _glibc

FLOATS = 12 << 20  # a 48 MB tensor: above glibc's largest dynamic mmap threshold
HUGE_PAGES = (FLOATS * 4) >> 21  # the fewest faults filling it can take (2 MB pages)

_MEASURE = textwrap.dedent(
    f"""
    import json, resource, sys
    import torch
    from ctrflow.training.memory import reuse_freed_memory

    def faults_of_reallocating():
        first = torch.ones({FLOATS})
        del first
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        second = torch.ones({FLOATS})
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        del second
        return faults

    def steady_faults():
        faults = [faults_of_reallocating() for _ in range(12)]
        return max(faults[-4:])

    if sys.argv[1] == "one":
        with reuse_freed_memory() as active:
            inside = steady_faults()
    else:
        with reuse_freed_memory():
            with reuse_freed_memory() as active:
                pass
            inside = steady_faults()
    print(json.dumps({{"active": active, "inside": inside,
                      "after": faults_of_reallocating()}}))
    """
)


def _faults(case: str) -> dict:
    """Page faults of reallocating a freed block inside and after the block(s)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, case],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(_glibc() is None, reason="the setting exists in glibc only")
def test_freed_blocks_are_reused_inside_and_faulted_in_again_after():
    faults = _faults("one")
    assert faults["active"]
    assert faults["after"] >= HUGE_PAGES
    assert faults["inside"] * 10 < faults["after"]


@pytest.mark.skipif(_glibc() is None, reason="the setting exists in glibc only")
def test_an_inner_block_leaves_the_outer_setting_in_place():
    """Inside the outer block, after an inner one has closed, memory is still kept."""
    faults = _faults("nested")
    assert faults["active"]
    assert faults["after"] >= HUGE_PAGES
    assert faults["inside"] * 10 < faults["after"]
