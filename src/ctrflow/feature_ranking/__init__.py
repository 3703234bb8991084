"""Feature ranking with OutRank's cardinality-aware mutual information (no Kedro)."""

from ctrflow.feature_ranking.auc_vs_k import (
    AUC_VS_K_SCHEMA,
    auc_vs_k,
    candidate_order,
    k_values,
)
from ctrflow.feature_ranking.encoding import (
    encode_categorical,
    encode_label,
    encode_numeric,
)
from ctrflow.feature_ranking.interactions import (
    INTERACTIONS_SCHEMA,
    pair_ids,
    score_interactions,
    select_interactions,
)
from ctrflow.feature_ranking.mutual_information import (
    MutualInformation,
    mutual_information,
    outrank_estimate,
    outrank_mutual_information,
)
from ctrflow.feature_ranking.plots import plot_auc_vs_k, plot_feature_scores
from ctrflow.feature_ranking.ranking import (
    RANKING_SCHEMA,
    encode_fields,
    rank_features,
    sample_rows,
)
from ctrflow.feature_ranking.redundancy import (
    REDUNDANCY_SCHEMA,
    add_redundancy,
    entropy,
    mrmr_order,
    normalised_redundancy,
    redundancy_matrix,
)
from ctrflow.feature_ranking.selection import (
    check_selection,
    mark_selected,
    select_features,
)

__all__ = [
    "AUC_VS_K_SCHEMA",
    "INTERACTIONS_SCHEMA",
    "RANKING_SCHEMA",
    "REDUNDANCY_SCHEMA",
    "MutualInformation",
    "add_redundancy",
    "auc_vs_k",
    "candidate_order",
    "check_selection",
    "encode_categorical",
    "encode_fields",
    "encode_label",
    "encode_numeric",
    "entropy",
    "k_values",
    "mark_selected",
    "mrmr_order",
    "mutual_information",
    "normalised_redundancy",
    "outrank_estimate",
    "outrank_mutual_information",
    "pair_ids",
    "plot_auc_vs_k",
    "plot_feature_scores",
    "rank_features",
    "redundancy_matrix",
    "sample_rows",
    "score_interactions",
    "select_features",
    "select_interactions",
]
