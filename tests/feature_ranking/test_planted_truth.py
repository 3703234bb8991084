"""The ranking recovers the truth planted in the demo data generator (200k rows)."""

from __future__ import annotations

import polars as pl
import pytest

from ctrflow.demo_data import CATEGORICAL, LABEL, NUMERIC, PLANTED
from ctrflow.feature_ranking.params import (
    FeatureRankingParams,
    InteractionParams,
    SelectionParams,
)
from ctrflow.feature_ranking.ranking import rank_features, sample_rows
from ctrflow.feature_ranking.selection import select_features
from ctrflow.pipelines.feature_ranking.nodes import rank_features as rank_node
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label=LABEL, categorical=CATEGORICAL, numeric=NUMERIC)
PASSED = {"success": True, "blocking_failures": [], "warnings": []}


@pytest.fixture(scope="module")
def stage(demo_200k) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """The ranking node on every demo row: ranking, pairs, selection."""
    params = FeatureRankingParams(interactions=InteractionParams(add_top_n=1))
    ranking, interactions, selected, _ = rank_node(demo_200k, PASSED, SCHEMA, params)
    return ranking, interactions, selected


@pytest.fixture(scope="module")
def ranking(stage) -> pl.DataFrame:
    return stage[0]


def _column(ranking: pl.DataFrame, column: str = "score") -> dict:
    return dict(zip(ranking["feature"], ranking[column], strict=True))


def test_every_informative_field_ranks_above_every_noise_field(ranking):
    rank = _column(ranking, "rank")
    worst_informative = max(PLANTED["informative"], key=rank.get)
    best_noise = min(PLANTED["noise"], key=rank.get)
    assert rank[worst_informative] < rank[best_noise], (worst_informative, best_noise)


def test_constant_scores_zero_and_is_not_selected(ranking, stage):
    (constant,) = PLANTED["constant"]
    assert _column(ranking)[constant] == 0.0
    assert constant not in stage[2]
    for rule in (SelectionParams(min_score=-1.0), SelectionParams(top_k=39)):
        assert constant not in select_features(ranking, SCHEMA, rule)


def test_very_high_cardinality_noise_has_top_plain_mi_but_a_low_score(ranking):
    (field,) = PLANTED["very_high_cardinality_noise"]
    plain, score = _column(ranking, "mutual_information"), _column(ranking)
    assert max(plain, key=plain.get) == field
    assert score[field] < min(score[name] for name in PLANTED["informative"])
    assert abs(score[field]) < 0.005


def test_near_duplicate_is_flagged_redundant_with_its_original(ranking):
    (duplicate,) = PLANTED["near_duplicate"]
    flagged = ranking.filter("redundant")
    assert flagged["feature"].to_list() == [duplicate]
    assert flagged["redundant_with"].to_list() == ["C1"]
    assert flagged["redundancy"][0] > 0.8
    # the min-redundancy order moves it behind every other informative field
    mrmr = _column(ranking, "mrmr_rank")
    assert mrmr[duplicate] > max(mrmr[n] for n in PLANTED["informative"])


def test_drop_redundant_removes_the_near_duplicate(ranking):
    rule = SelectionParams(drop_redundant=True)
    selected = select_features(ranking, SCHEMA, rule)
    assert "C5" not in selected
    assert "C1" in selected


def test_planted_interaction_is_the_top_pair_and_is_added(stage):
    _, interactions, selected = stage
    best = interactions.row(0, named=True)
    assert {best["feature_a"], best["feature_b"]} == set(PLANTED["interaction"])
    assert best["gain"] > 2 * interactions["gain"][1]
    assert selected[-1] == best["feature"]  # add_top_n = 1


def test_top_fields_are_the_same_across_sampling_seeds(demo_200k):
    """Above the noise band the ranking does not depend on the sample.

    Only the 7 planted fields (6 informative + the near-duplicate) carry signal;
    ranks 8 and below are noise fields whose scores sit within about +-0.003 of 0
    and change order with the sample (see docs/feature_ranking.md).
    """
    signal = {*PLANTED["informative"], *PLANTED["near_duplicate"]}
    tops, selections = [], []
    floor = SelectionParams(min_score=0.004)  # above the noise band at 100k rows
    for seed in (0, 1, 2):
        sample = sample_rows(demo_200k, 100_000, seed)
        ranking = rank_features(sample, SCHEMA, FeatureRankingParams())
        tops.append(ranking["feature"].head(10).to_list())
        selections.append(set(select_features(ranking, SCHEMA, floor)))
        assert set(tops[-1][:7]) == signal
    assert tops[0][:5] == tops[1][:5] == tops[2][:5] == ["C1", "C5", "C2", "C4", "C3"]
    assert selections[0] == selections[1] == selections[2] == signal
