import gzip

import polars as pl
import pytest

from ctrflow.demo_data import CATEGORICAL, NUMERIC, PLANTED, generate_demo_logs, main


def test_same_seed_same_rows_other_seed_other_rows():
    assert generate_demo_logs(500, seed=3).equals(generate_demo_logs(500, seed=3))
    assert not generate_demo_logs(500, seed=3).equals(generate_demo_logs(500, seed=4))


def test_shape_types_and_planted_properties():
    logs = generate_demo_logs(20_000, seed=7)
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
