"""Pairs of fields scored for the information they add together."""

from __future__ import annotations

import numpy as np
import polars as pl

from ctrflow.feature_ranking.interactions import (
    INTERACTIONS_SCHEMA,
    pair_ids,
    score_interactions,
    select_interactions,
)
from ctrflow.feature_ranking.mutual_information import mutual_information


def test_pair_ids_distinguish_every_combination():
    a = np.array([0, 0, 1, 1, 2])
    b = np.array([0, 1, 0, 1, 1])
    assert np.unique(pair_ids(a, b)).size == 5


def _xor_data(rows: int = 40_000):
    """label = a XOR b (with noise): each field alone says nothing."""
    rng = np.random.default_rng(0)
    a, b, c = (rng.integers(0, 2, rows) for _ in range(3))
    label = np.where(rng.random(rows) < 0.9, a ^ b, 1 - (a ^ b)).astype(np.int32)
    return label, {"a": a, "b": b, "c": c}


def test_xor_pair_has_the_gain_and_ranks_first():
    label, ids = _xor_data()
    scores = {name: mutual_information(label, v).score for name, v in ids.items()}
    table = score_interactions(label, ids, scores)

    assert table.schema == pl.Schema(INTERACTIONS_SCHEMA)
    assert table["rank"].to_list() == [1, 2, 3]
    best = table.row(0, named=True)
    assert (best["feature"], best["feature_a"], best["feature_b"]) == ("a:b", "a", "b")
    assert best["cardinality"] == 4
    assert best["gain"] > 0.3  # I(Y; a, b) = ln 2 - H(0.1) = 0.37 nats
    assert abs(table["gain"][1]) < 0.01
    assert table["gain"].is_sorted(descending=True)
    row = table.row(0, named=True)
    assert row["gain"] == row["score"] - row["score_a"] - row["score_b"]
    assert row["gain_over_max"] == row["score"] - max(row["score_a"], row["score_b"])


def test_select_interactions_needs_the_gain():
    label, ids = _xor_data()
    scores = {name: mutual_information(label, v).score for name, v in ids.items()}
    table = score_interactions(label, ids, scores)
    assert select_interactions(table, add_top_n=2, min_gain=0.01) == ["a:b"]
    assert select_interactions(table, add_top_n=0, min_gain=0.0) == []
    assert len(select_interactions(table, add_top_n=3, min_gain=-1.0)) == 3


def test_no_pairs_from_one_field():
    label, ids = _xor_data(1_000)
    table = score_interactions(label, {"a": ids["a"]}, {"a": 0.0})
    assert table.is_empty()
    assert table.schema == pl.Schema(INTERACTIONS_SCHEMA)
