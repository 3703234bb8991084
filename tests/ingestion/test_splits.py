import polars as pl

from ctrflow.ingestion.params import SplitRatios
from ctrflow.ingestion.splits import split_randomly_consuming


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
