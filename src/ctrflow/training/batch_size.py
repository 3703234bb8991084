"""``batch_size: auto``: a training batch size that fits the number of train rows.

A fixed 4096 suits the demo (160k train rows, 39 steps an epoch) but leaves an
8k-row dataset two steps an epoch: early stopping and the learning-rate decay then
judge a model that has barely moved. The rule: the largest power of two, at most
:data:`MAX_BATCH_SIZE`, that still gives an epoch at least
:data:`MIN_STEPS_PER_EPOCH` full batches. From about 123k train rows on it is 4096,
so the demo and Frappe train as before.
"""

from __future__ import annotations

from typing import Literal

MAX_BATCH_SIZE = 4096
"""The largest batch ``auto`` picks (the former fixed default)."""

MIN_STEPS_PER_EPOCH = 30
"""``auto`` keeps at least this many full batches in an epoch."""


def auto_batch_size(train_rows: int) -> int:
    """The largest power of two ``b <= 4096`` with ``train_rows // b >= 30``.

    Args:
        train_rows: rows in one training epoch.

    Returns:
        The batch size; ``1`` when there are fewer than 60 rows.

    Example::

        >>> [auto_batch_size(n) for n in (8_000, 50_000, 160_000, 1_000_000)]
        [256, 1024, 4096, 4096]
        >>> auto_batch_size(10)
        1
    """
    size = MAX_BATCH_SIZE
    while size > 1 and train_rows // size < MIN_STEPS_PER_EPOCH:
        size //= 2
    return size


def resolve_batch_size(
    batch_size: int | Literal["auto"], train_rows: int
) -> tuple[int, str]:
    """The batch size to train with, and why (for the log).

    Args:
        batch_size: a parameter's value: an int wins, ``"auto"`` applies
            :func:`auto_batch_size`.
        train_rows: rows in one training epoch.

    Returns:
        ``(size, reason)``, e.g. ``(256, "auto: 8000 train rows, >= 30 steps per
        epoch")`` or ``(512, "set")``.

    Example::

        >>> resolve_batch_size("auto", 8_000)
        (256, 'auto: 8000 train rows, >= 30 steps per epoch')
        >>> resolve_batch_size(512, 8_000)
        (512, 'set')
    """
    if batch_size == "auto":
        return auto_batch_size(train_rows), (
            f"auto: {train_rows} train rows, >= {MIN_STEPS_PER_EPOCH} steps per epoch"
        )
    return batch_size, "set"
