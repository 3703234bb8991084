"""Ingestion pipeline: raw_logs -> {train,valid,test}_table, data_fingerprint, quarantined_rows."""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.ingestion.nodes import split_logs


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=split_logs,
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
    )
