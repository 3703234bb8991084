"""Training pipeline: {train,valid}_encoded + feature_map -> model, training_history."""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.training.nodes import train_model


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=train_model,
                inputs=[
                    "train_encoded",
                    "valid_encoded",
                    "feature_map",
                    "params:training",
                ],
                outputs=["model", "training_history"],
                name="train_model_node",
            )
        ]
    )
