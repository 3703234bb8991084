"""Data-quality pipeline: {train,valid,test}_table -> data_quality_report, _docs, _plot."""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.data_quality.nodes import (
    plot_data_quality,
    render_data_docs,
    validate_splits,
)


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
                    "quarantined_rows",
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
            Node(
                func=plot_data_quality,
                inputs="data_quality_report",
                outputs="data_quality_plot",
                name="plot_data_quality_node",
            ),
        ]
    )
