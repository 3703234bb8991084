"""The ranking recovers the truth planted in the demo data generator."""

from __future__ import annotations

import polars as pl
import pytest

from ctrflow.demo_data import CATEGORICAL, LABEL, NUMERIC, PLANTED, generate_demo_logs
from ctrflow.params import DatasetSchema, FeatureRankingParams
from ctrflow.ranking import rank_features, select_features

SCHEMA = DatasetSchema(label=LABEL, categorical=CATEGORICAL, numeric=NUMERIC)


@pytest.fixture(scope="module")
def ranking() -> pl.DataFrame:
    logs = generate_demo_logs(rows=200_000, seed=7)  # the bundled demo's seed
    # typed as the ingestion contract says
    table = logs.with_columns(
        pl.col(LABEL).cast(pl.Int8),
        pl.col(NUMERIC).cast(pl.Float64),
        pl.col(CATEGORICAL).cast(pl.String),
    )
    return rank_features(table, SCHEMA, FeatureRankingParams())


def _scores(ranking: pl.DataFrame, column: str = "score") -> dict[str, float]:
    return dict(zip(ranking["feature"], ranking[column], strict=True))


def test_every_informative_field_ranks_above_every_noise_field(ranking):
    rank = dict(zip(ranking["feature"], ranking["rank"], strict=True))
    worst_informative = max(PLANTED["informative"], key=rank.get)
    best_noise = min(PLANTED["noise"], key=rank.get)
    assert rank[worst_informative] < rank[best_noise], (worst_informative, best_noise)


def test_constant_scores_zero_and_is_not_selected(ranking):
    (constant,) = PLANTED["constant"]
    assert _scores(ranking)[constant] == 0.0
    assert constant not in select_features(
        ranking, SCHEMA, FeatureRankingParams().selection
    )


def test_very_high_cardinality_noise_has_top_plain_mi_but_a_low_score(ranking):
    (field,) = PLANTED["very_high_cardinality_noise"]
    plain, score = _scores(ranking, "mutual_information"), _scores(ranking)
    assert max(plain, key=plain.get) == field
    assert score[field] < min(score[name] for name in PLANTED["informative"])
    assert abs(score[field]) < 0.005
