"""Feature engineering pipeline: {split}_table -> feature_map, {split}_encoded."""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.feature_engineering.nodes import encode_split, fit_encoding


def create_pipeline(**kwargs) -> Pipeline:
    encode_nodes = [
        Node(
            func=encode_split,
            inputs=[f"{split}_table", "feature_map"],
            outputs=f"{split}_encoded",
            name=f"encode_{split}_node",
        )
        for split in ("train", "valid", "test")
    ]
    return Pipeline(
        [
            Node(
                func=fit_encoding,
                inputs=[
                    "train_table",
                    "selected_features",
                    "params:schema",
                    "params:feature_engineering",
                ],
                outputs="feature_map",
                name="fit_encoding_node",
            ),
            *encode_nodes,
        ]
    )
