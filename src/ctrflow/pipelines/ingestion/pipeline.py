"""Ingestion pipeline: raw_logs -> {train,valid,test}_table, data_fingerprint,
quarantined_rows.

One Kedro namespace, ``ingestion`` (a group in kedro-viz); every dataset keeps its
catalog name.
"""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.ingestion.nodes import ingest_logs

INPUTS = {"raw_logs"}
OUTPUTS = {
    "train_table",
    "valid_table",
    "test_table",
    "data_fingerprint",
    "quarantined_rows",
}
PARAMETERS = {"schema", "ingestion"}


def create_pipeline(**kwargs) -> Pipeline:
    nodes = [
        Node(
            func=ingest_logs,
            inputs=["raw_logs", "params:schema", "params:ingestion"],
            outputs=[
                "train_table",
                "valid_table",
                "test_table",
                "data_fingerprint",
                "quarantined_rows",
            ],
            name="split_logs_node",
        )
    ]
    return Pipeline(
        nodes,
        namespace="ingestion",
        inputs=INPUTS,
        outputs=OUTPUTS,
        parameters=PARAMETERS,
    )
