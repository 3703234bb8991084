"""Feature ranking with OutRank's cardinality-aware mutual information (no Kedro)."""

from ctrflow.ranking.encoding import encode_categorical, encode_label, encode_numeric
from ctrflow.ranking.mutual_information import (
    MutualInformation,
    mutual_information,
    outrank_estimate,
    outrank_mutual_information,
)
from ctrflow.ranking.plots import plot_feature_scores
from ctrflow.ranking.ranking import RANKING_SCHEMA, rank_features
from ctrflow.ranking.selection import mark_selected, select_features

__all__ = [
    "RANKING_SCHEMA",
    "MutualInformation",
    "encode_categorical",
    "encode_label",
    "encode_numeric",
    "mark_selected",
    "mutual_information",
    "outrank_estimate",
    "outrank_mutual_information",
    "plot_feature_scores",
    "rank_features",
    "select_features",
]
