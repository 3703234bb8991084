"""Keep freed memory for reuse while training on CPU (glibc).

A training step allocates and frees the same few activation-sized blocks (6.5 MB
for a 4096 x 400 float32 batch) every step. glibc's malloc returns such blocks to
the kernel (``munmap``, or trimming the heap top) and the next step faults them back
in page by page: 10,000-20,000 page faults a step of the Frappe-shaped DeepFM
(``benchmarks/kernels.py``; 320-480 with this). Inside ``reuse_freed_memory``
blocks below ``mmap_below`` come from the heap and up to ``keep`` bytes of freed
heap stay mapped; on exit glibc's default thresholds come back and the kept memory
is released (``malloc_trim``). The effect
is the one jemalloc or tcmalloc give when preloaded, without preloading anything.
Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_GLIBC_DEFAULT = 128 * 1024  # both thresholds' documented defaults


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is None or not hasattr(libc, "gnu_get_libc_version"):
            return None
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


_depth = 0  # open ``reuse_freed_memory`` blocks: only the outermost sets and restores


@contextmanager
def reuse_freed_memory(
    mmap_below: int = 256 << 20, keep: int = 1 << 30
) -> Iterator[bool]:
    """Within the block, allocations under ``mmap_below`` bytes come from the heap
    and up to ``keep`` bytes of freed memory stay mapped. Yields whether the
    setting took effect (glibc only). A block inside another one (``fit`` called
    where memory is already kept) leaves the outer block's setting as it is."""
    global _depth  # noqa: PLW0603 - the allocator setting is process-wide too
    libc = _glibc()
    outermost = _depth == 0
    if outermost:
        active = bool(
            libc
            and libc.mallopt(_M_MMAP_THRESHOLD, mmap_below)
            and libc.mallopt(_M_TRIM_THRESHOLD, keep)
        )
    else:
        active = libc is not None
    _depth += 1
    try:
        yield active
    finally:
        _depth -= 1
        if outermost and libc is not None:
            libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT)
            libc.mallopt(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT)
            libc.malloc_trim(0)
