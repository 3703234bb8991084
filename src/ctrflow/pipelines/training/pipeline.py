"""Training pipeline: {train,valid}_encoded + feature_map (+ the schema, stored in
the model) -> model, training_history.

One Kedro namespace, ``training`` (a group in kedro-viz); every dataset keeps its
catalog name. The benchmark reuses this pipeline once per model.
"""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.training.nodes import train_model

INPUTS = {"train_encoded", "valid_encoded", "feature_map"}
OUTPUTS = {"model", "training_history"}
PARAMETERS = {"training", "schema", "evaluation"}


def create_pipeline(**kwargs) -> Pipeline:
    nodes = [
        Node(
            func=train_model,
            inputs=[
                "train_encoded",
                "valid_encoded",
                "feature_map",
                "params:training",
                "params:schema",
                "params:evaluation",
            ],
            outputs=["model", "training_history"],
            name="train_model_node",
        )
    ]
    return Pipeline(
        nodes,
        namespace="training",
        inputs=INPUTS,
        outputs=OUTPUTS,
        parameters=PARAMETERS,
    )
