"""Feature-ranking pipeline: train_table, data_quality_report -> the screened
ranking and feature_interactions; train_table, valid_table -> the AUC-vs-k evidence
(feature_ranking_auc_vs_k, feature_ranking_auc_vs_k_plot); then the selection
(feature_ranking, selected_features, feature_ranking_plot) after the curve,
because ``selection.top_k: auto`` takes k from it.

One Kedro namespace, ``feature_ranking`` (a group in kedro-viz): the catalog
datasets keep their names; only what passes between the stage's own nodes is
internal (``feature_ranking.feature_ranking_settings``,
``feature_ranking.screened_ranking``, ``feature_ranking.chosen_top_k``: the
selection reads the k, not the reporting-layer curve, so kedro-viz's layers stay
in order).
"""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.feature_ranking.nodes import (
    check_ranking_params,
    plot_auc_vs_k,
    rank_features,
    select_fields,
)

INPUTS = {"train_table", "valid_table", "data_quality_report"}
OUTPUTS = {
    "feature_ranking",
    "feature_interactions",
    "selected_features",
    "feature_ranking_plot",
    "feature_ranking_auc_vs_k",
    "feature_ranking_auc_vs_k_plot",
}
PARAMETERS = {"schema", "feature_ranking", "feature_engineering", "training"}


def create_pipeline(**kwargs) -> Pipeline:
    nodes = [
        Node(
            func=check_ranking_params,
            inputs=["params:schema", "params:feature_ranking"],
            outputs="feature_ranking_settings",
            name="check_feature_ranking_params_node",
        ),
        Node(
            func=rank_features,
            inputs=[
                "train_table",
                "data_quality_report",
                "params:schema",
                "feature_ranking_settings",
            ],
            outputs=["screened_ranking", "feature_interactions"],
            name="rank_features_node",
        ),
        Node(
            func=plot_auc_vs_k,
            inputs={
                "train_table": "train_table",
                "valid_table": "valid_table",
                "screened_ranking": "screened_ranking",
                "schema": "params:schema",
                "params": "feature_ranking_settings",
                "encoding": "params:feature_engineering",
                "training": "params:training",
            },
            outputs=[
                "feature_ranking_auc_vs_k",
                "feature_ranking_auc_vs_k_plot",
                "chosen_top_k",
            ],
            name="plot_auc_vs_k_node",
        ),
        Node(
            func=select_fields,
            inputs=[
                "screened_ranking",
                "feature_interactions",
                "chosen_top_k",
                "params:schema",
                "feature_ranking_settings",
            ],
            outputs=["feature_ranking", "selected_features", "feature_ranking_plot"],
            name="select_features_node",
        ),
    ]
    return Pipeline(
        nodes,
        namespace="feature_ranking",
        inputs=INPUTS,
        outputs=OUTPUTS,
        parameters=PARAMETERS,
    )
