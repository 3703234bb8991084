"""Feature-ranking pipeline: train_table -> feature_ranking, selected_features, plot."""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.feature_ranking.nodes import rank_features


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=rank_features,
                inputs=[
                    "train_table",
                    "data_quality_report",
                    "params:schema",
                    "params:feature_ranking",
                ],
                outputs=[
                    "feature_ranking",
                    "selected_features",
                    "feature_ranking_plot",
                ],
                name="rank_features_node",
            )
        ]
    )
