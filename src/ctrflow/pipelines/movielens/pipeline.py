"""MovieLens pipeline: movielens_{ratings,users,items} -> raw_logs (conf/movielens)."""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.movielens.nodes import prepare_movielens_logs


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=prepare_movielens_logs,
                inputs=[
                    "movielens_ratings",
                    "movielens_users",
                    "movielens_items",
                    "params:movielens",
                ],
                outputs="raw_logs",
                name="prepare_movielens_logs_node",
            )
        ]
    )
