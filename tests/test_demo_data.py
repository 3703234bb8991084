import gzip
from pathlib import Path

import polars as pl
import pytest

from ctrflow.demo_data import (
    CATEGORICAL,
    LABEL,
    NUMERIC,
    PLANTED,
    demo_block,
    generate_demo_logs,
    iter_demo_blocks,
    main,
    write_demo_logs,
)

BUNDLED = Path(__file__).resolve().parents[1] / "data/01_raw/demo/demo_logs.tsv.gz"
SCHEMA = {LABEL: pl.Int8, **dict.fromkeys(NUMERIC, pl.Int64)}
SCHEMA |= dict.fromkeys(CATEGORICAL, pl.String)


def _read_tsv(path: Path) -> pl.DataFrame:
    """A Criteo TSV (gzipped or not) as the generators' frame."""
    return pl.read_csv(path, separator="\t", has_header=False, schema=SCHEMA)


def _streamed(rows: int, seed: int = 7, block_rows: int = 7_000) -> pl.DataFrame:
    return pl.concat(list(iter_demo_blocks(rows, seed, block_rows)))


def _interaction_spread(logs: pl.DataFrame, a: str, b: str) -> float:
    """Variance of the click log-odds of the (a, b) cells left over by the best
    additive fit (double centring): large only when a and b interact."""
    cells = logs.group_by(a, b).agg(rate=pl.col(LABEL).mean().clip(0.01, 0.99))
    logit = (pl.col("rate") / (1 - pl.col("rate"))).log()
    residual = logit - logit.mean().over(a) - logit.mean().over(b) + logit.mean()
    return cells.select(residual.var()).item()


def test_same_seed_same_rows_other_seed_other_rows():
    assert generate_demo_logs(500, seed=3).equals(generate_demo_logs(500, seed=3))
    assert not generate_demo_logs(500, seed=3).equals(generate_demo_logs(500, seed=4))


def test_bundled_demo_is_generate_demo_logs_frame_for_frame():
    assert _read_tsv(BUNDLED).equals(generate_demo_logs(200_000, seed=7))


@pytest.mark.parametrize(
    "draw", [generate_demo_logs, _streamed], ids=["generated", "streamed"]
)
def test_shape_types_and_planted_properties(draw):
    logs = draw(20_000, seed=7)
    assert logs.columns == ["label", *NUMERIC, *CATEGORICAL]
    assert logs["label"].dtype == pl.Int8 and set(logs["label"].unique()) == {0, 1}
    assert 0.15 < logs["label"].mean() < 0.4
    assert logs["C26"].n_unique() == 1
    assert logs["C8"].n_unique() > 0.95 * logs.height  # very high cardinality noise
    assert logs["C6"].n_unique() == 3
    # near-duplicate: C5 is C1 re-hashed with ~5% of rows replaced at random
    modal_pair = logs.group_by("C1", "C5").len().group_by("C1").agg(pl.col("len").max())
    assert 0.94 < modal_pair["len"].sum() / logs.height < 0.99
    assert 0.03 < logs["I1"].null_count() / logs.height < 0.08
    assert logs["I13"].null_count() > logs["I1"].null_count()
    # groups do not overlap and cover every feature but the near-duplicate's original
    groups = [
        set(PLANTED[k]) for k in ("informative", "near_duplicate", "constant", "noise")
    ]
    assert sum(len(g) for g in groups) == len(set().union(*groups)) == 39


def test_informative_field_moves_the_click_rate_and_noise_does_not():
    logs = generate_demo_logs(50_000, seed=7)
    by_c1 = (
        logs.group_by("C1")
        .agg(pl.col("label").mean(), pl.len())
        .filter(pl.col("len") > 500)
    )
    by_c6 = logs.group_by("C6").agg(pl.col("label").mean(), pl.len())
    assert by_c1["label"].max() - by_c1["label"].min() > 0.2
    assert by_c6["label"].max() - by_c6["label"].min() < 0.03


def test_cli_writes_criteo_tsv(tmp_path):
    output = tmp_path / "logs.tsv.gz"
    main(["--rows", "100", "--seed", "1", "--output", str(output)])
    lines = gzip.open(output, "rt").read().splitlines()
    assert len(lines) == 100
    assert all(len(line.split("\t")) == 40 for line in lines)


def test_rows_must_be_positive():
    with pytest.raises(ValueError, match="rows must be positive"):
        generate_demo_logs(0)


def test_blocks_are_reproducible_and_independent_of_the_others():
    blocks = list(iter_demo_blocks(2_500, seed=5, block_rows=1_000))
    assert [block.height for block in blocks] == [1_000, 1_000, 500]
    # each block is its own seed's: drawn alone, it is the same rows
    for index, block in enumerate(blocks):
        assert block.equals(demo_block(5, index, block.height, total_rows=2_500))
    assert not blocks[0].equals(blocks[1])
    assert not blocks[0].equals(demo_block(6, 0, 1_000, total_rows=2_500))
    assert blocks[0].columns == [LABEL, *NUMERIC, *CATEGORICAL]


@pytest.mark.parametrize("name", ["logs.tsv.gz", "logs.tsv"])
def test_write_demo_logs_writes_every_block_once_in_order(tmp_path, name):
    output = tmp_path / name
    assert write_demo_logs(2_500, seed=5, output=output, block_rows=1_000) == 2_500
    opened = gzip.open if name.endswith(".gz") else open
    # .tsv: plain text; any other name gzipped
    assert (output.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    written = _read_tsv(output)
    assert written.equals(pl.concat(list(iter_demo_blocks(2_500, 5, 1_000))))
    lines = opened(output, "rt").read().splitlines()
    assert len(lines) == 2_500 and {len(line.split("\t")) for line in lines} == {40}


def test_streamed_logs_keep_the_planted_truth():
    streamed, generated = (
        _streamed(60_000, block_rows=20_000),
        generate_demo_logs(60_000),
    )
    assert 0.15 < streamed[LABEL].mean() < 0.4
    assert abs(streamed[LABEL].mean() - generated[LABEL].mean()) < 0.05
    for logs in (streamed, generated):
        # C4 acts through C3: their cells leave much more than an additive fit,
        # an informative x noise pair leaves (almost) nothing
        assert _interaction_spread(logs, "C3", "C4") > 0.1
        assert _interaction_spread(logs, "C3", "C6") < 0.03
    # the informative fields move the click rate in every block alike
    by_c1 = streamed.group_by("C1").agg(pl.col(LABEL).mean(), pl.len())
    by_c1 = by_c1.filter(pl.col("len") > 500)
    assert by_c1[LABEL].max() - by_c1[LABEL].min() > 0.2


def test_cli_streams_more_rows_than_a_block(tmp_path):
    streamed, small = tmp_path / "streamed.tsv.gz", tmp_path / "small.tsv.gz"
    main(["--rows", "250", "--seed", "1", "--output", str(streamed),
          "--block-rows", "100"])  # fmt: skip
    main(["--rows", "250", "--seed", "1", "--output", str(small)])
    assert _read_tsv(streamed).equals(_streamed(250, seed=1, block_rows=100))
    assert _read_tsv(small).equals(generate_demo_logs(250, seed=1))


def test_blocks_must_be_positive():
    with pytest.raises(ValueError, match="block_rows must be positive"):
        next(iter_demo_blocks(10, seed=1, block_rows=0))
