"""Data-quality pipeline: {train,valid,test}_table -> data_quality_report, data_quality_docs."""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.data_quality.nodes import render_data_docs, validate_splits


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=validate_splits,
                inputs=[
                    "train_table",
                    "valid_table",
                    "test_table",
                    "params:schema",
                    "params:data_quality",
                ],
                outputs="data_quality_report",
                name="validate_splits_node",
            ),
            Node(
                func=render_data_docs,
                inputs="data_quality_report",
                outputs="data_quality_docs",
                name="render_data_docs_node",
            ),
        ]
    )
