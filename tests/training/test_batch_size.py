"""batch_size: auto, the largest power of two <= 4096 leaving >= 30 steps an epoch."""

from __future__ import annotations

import pytest

from ctrflow.training.batch_size import (
    MAX_BATCH_SIZE,
    MIN_STEPS_PER_EPOCH,
    auto_batch_size,
    resolve_batch_size,
)
from ctrflow.training.params import TrainingParams


@pytest.mark.parametrize(
    ("rows", "size"),
    [
        (8_000, 256),  # the user's 8k-row log: 31 steps instead of 2 at 4096
        (7_679, 128),  # 7679 // 256 = 29 steps: one power lower
        (7_680, 256),  # exactly 30 steps
        (50_000, 1024),  # the AUC-vs-k quick model's sample on the demo
        (122_879, 2048),
        (122_880, 4096),  # 30 x 4096: the smallest count that gets 4096
        (160_000, 4096),  # the demo's train split: as before
        (202_027, 4096),  # Frappe_x1's train split: as before
        (10_000_000, 4096),  # capped
        (60, 2),
        (59, 1),
        (0, 1),
    ],
)
def test_auto_batch_size_at_several_row_counts(rows, size):
    assert auto_batch_size(rows) == size


@pytest.mark.parametrize("rows", [31, 1_000, 8_000, 77_777, 122_880, 5_000_000])
def test_auto_is_the_largest_power_of_two_with_enough_steps(rows):
    size = auto_batch_size(rows)
    assert size & (size - 1) == 0 and size <= MAX_BATCH_SIZE
    assert rows // size >= MIN_STEPS_PER_EPOCH or size == 1
    assert size == MAX_BATCH_SIZE or rows // (2 * size) < MIN_STEPS_PER_EPOCH


def test_an_int_wins_and_auto_says_why():
    assert resolve_batch_size(512, 8_000) == (512, "set")
    assert resolve_batch_size("auto", 8_000) == (
        256,
        "auto: 8000 train rows, >= 30 steps per epoch",
    )


def test_auto_is_the_default_and_other_strings_are_refused():
    assert TrainingParams().batch_size == "auto"
    assert TrainingParams(batch_size=1024).batch_size == 1024
    with pytest.raises(ValueError, match="batch_size"):
        TrainingParams(batch_size="big")
    with pytest.raises(ValueError, match="batch_size"):
        TrainingParams(batch_size=0)
