import polars as pl

from ctrflow.ingestion.params import SplitRatios
from ctrflow.ingestion.splits import (
    carve_consuming,
    split_by_time_consuming,
    split_randomly_consuming,
)


def _split(table: pl.DataFrame, ratios: SplitRatios, seed: int):
    return split_randomly_consuming(table.clone(), ratios, seed)


def test_random_split_is_seeded_exhaustive_and_disjoint():
    table = pl.DataFrame({"row": range(1000)})
    ratios = SplitRatios(train=0.7, valid=0.2, test=0.1)
    train, valid, test = _split(table, ratios, seed=1)
    assert (train.height, valid.height, test.height) == (700, 200, 100)
    rows = pl.concat([train, valid, test])["row"]
    assert rows.n_unique() == 1000
    again = _split(table, ratios, seed=1)
    assert again[1].equals(valid)
    assert not _split(table, ratios, seed=2)[1].equals(valid)


def test_the_split_consumes_the_table_and_keeps_file_order():
    table = pl.DataFrame({f"c{i}": range(i, i + 100) for i in range(6)})
    parts = split_randomly_consuming(table, SplitRatios(), seed=0)
    assert table.width == 0
    for part in parts:
        assert part.columns == [f"c{i}" for i in range(6)]
        assert part["c0"].is_sorted() and part["c5"].equals(part["c0"] + 5)
    assert sum(part.height for part in parts) == 100


def test_time_split_takes_the_oldest_rows_for_train_and_keeps_file_order():
    # times out of file order; rows 4 and 1 share a time
    table = pl.DataFrame({"row": range(10), "t": [9, 3, 8, 0, 3, 7, 1, 6, 2, 5]})
    train, valid, test = split_by_time_consuming(
        table, "t", SplitRatios(train=0.6, valid=0.2, test=0.2)
    )
    assert table.width == 0
    assert train["t"].to_list() == [3, 0, 3, 1, 2, 5]  # the 6 oldest, file order
    assert valid["t"].to_list() == [7, 6] and test["t"].to_list() == [9, 8]


def test_carving_valid_from_train_at_random_or_by_time():
    table = pl.DataFrame({"row": range(20), "t": list(range(20))[::-1]})
    rest, carved = carve_consuming(table.clone(), 0.25, "random", seed=3)
    assert (rest.height, carved.height) == (15, 5)
    assert sorted([*rest["row"], *carved["row"]]) == list(range(20))
    again = carve_consuming(table.clone(), 0.25, "random", seed=3)[1]
    assert again.equals(carved)
    rest, newest = carve_consuming(table, 0.25, "time", seed=3, timestamp="t")
    assert newest["t"].to_list() == [19, 18, 17, 16, 15]  # the newest, file order
    assert rest["t"].max() == 14
