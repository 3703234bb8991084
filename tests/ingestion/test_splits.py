import numpy as np
import polars as pl

from ctrflow.ingestion.splits import (
    random_parts,
    split_consuming,
    time_cuts,
    time_keys,
    time_parts,
)


def _within_binomial(count: int, rows: int, fraction: float) -> bool:
    """Within 5 standard deviations of the binomial count (never fails by chance
    in practice: p < 1e-6)."""
    return abs(count - rows * fraction) <= 5 * np.sqrt(rows * fraction * (1 - fraction))


def test_random_parts_are_seeded_exhaustive_and_near_the_ratios():
    positions = np.arange(1, 10_001)
    parts = random_parts(positions, [0.7, 0.2], seed=1)
    assert set(np.unique(parts)) == {0, 1, 2}  # every row exactly one part
    for part, fraction in enumerate([0.7, 0.2, 0.1]):
        assert _within_binomial(int((parts == part).sum()), 10_000, fraction)
    assert np.array_equal(random_parts(positions, [0.7, 0.2], seed=1), parts)
    assert not np.array_equal(random_parts(positions, [0.7, 0.2], seed=2), parts)


def test_a_rows_part_depends_on_its_position_only_not_on_its_block():
    positions = np.arange(1, 1_001)
    whole = random_parts(positions, [0.8, 0.1], seed=2024)
    for block_rows in (7, 1000):
        blocks = [
            random_parts(positions[start : start + block_rows], [0.8, 0.1], 2024)
            for start in range(0, 1000, block_rows)
        ]
        assert np.array_equal(np.concatenate(blocks), whole)


def test_the_split_consumes_the_table_and_keeps_file_order():
    table = pl.DataFrame({f"c{i}": range(i, i + 100) for i in range(6)})
    part_of = random_parts(np.arange(100), [0.8, 0.1], seed=0)
    parts = split_consuming(table, part_of, 3)
    assert table.width == 0
    for part in parts:
        assert part.columns == [f"c{i}" for i in range(6)]
        assert part["c0"].is_sorted() and part["c5"].equals(part["c0"] + 5)
    assert sum(part.height for part in parts) == 100


def test_time_cuts_take_the_oldest_rows_for_train_ties_in_file_order():
    # times out of file order; rows 1 and 4 share a time (3), cut between them
    times = pl.Series([9, 3, 8, 0, 3, 7, 1, 6, 2, 5])
    keys = time_keys(times)
    cuts = time_cuts(keys, [0.3, 0.3])
    indices = np.arange(10)
    parts = time_parts(keys, indices, cuts)
    assert times.filter(pl.Series(parts == 0)).to_list() == [0, 1, 2]
    assert times.filter(pl.Series(parts == 1)).to_list() == [3, 3, 5]
    assert times.filter(pl.Series(parts == 2)).to_list() == [9, 8, 7, 6]
    # the same cuts, applied block by block with the rows' global indices
    by_block = np.concatenate(
        [time_parts(keys[s : s + 3], indices[s : s + 3], cuts) for s in range(0, 10, 3)]
    )
    assert np.array_equal(by_block, parts)
    # a tie at the cut: the earlier line goes to the older part
    tied = time_keys(pl.Series([5, 5, 5, 5]))
    assert time_parts(tied, np.arange(4), time_cuts(tied, [0.5])).tolist() == [
        0,
        0,
        1,
        1,
    ]


def test_an_empty_part_has_no_cut_and_takes_no_row():
    keys = time_keys(pl.Series([1, 2]))
    cuts = time_cuts(keys, [0.1, 0.1])  # round(0.2) = 0 rows each
    assert cuts.cuts == (None, None)
    assert time_parts(keys, np.arange(2), cuts).tolist() == [2, 2]
