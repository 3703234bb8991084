"""Feature engineering pipeline: {split}_table, selected_features -> feature_map,
{split}_encoded.

One Kedro namespace, ``feature_engineering`` (a group in kedro-viz); every dataset
keeps its catalog name.
"""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.feature_engineering.nodes import encode_split, fit_encoding

_SPLITS = ("train", "valid", "test")
INPUTS = {*(f"{split}_table" for split in _SPLITS), "selected_features"}
OUTPUTS = {"feature_map", *(f"{split}_encoded" for split in _SPLITS)}
PARAMETERS = {"schema", "feature_engineering"}


def create_pipeline(**kwargs) -> Pipeline:
    encode_nodes = [
        Node(
            func=encode_split,
            inputs=[f"{split}_table", "feature_map"],
            outputs=f"{split}_encoded",
            name=f"encode_{split}_node",
        )
        for split in _SPLITS
    ]
    nodes = [
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
    return Pipeline(
        nodes,
        namespace="feature_engineering",
        inputs=INPUTS,
        outputs=OUTPUTS,
        parameters=PARAMETERS,
    )
