"""Data-quality pipeline: {train,valid,test}_table, quarantined_rows ->
data_quality_report, data_quality_docs, data_quality_plot.

One Kedro namespace, ``data_quality`` (a group in kedro-viz): the catalog datasets
keep their names; only the checked settings between the first node and
``validate_splits`` are internal (``data_quality.data_quality_settings``).
"""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.data_quality.nodes import (
    check_data_quality_params,
    plot_data_quality,
    render_data_docs,
    validate_splits,
)

INPUTS = {"train_table", "valid_table", "test_table", "quarantined_rows"}
OUTPUTS = {"data_quality_report", "data_quality_docs", "data_quality_plot"}
PARAMETERS = {"schema", "data_quality"}


def create_pipeline(**kwargs) -> Pipeline:
    nodes = [
        Node(
            func=check_data_quality_params,
            inputs="params:data_quality",
            outputs="data_quality_settings",
            name="check_data_quality_params_node",
        ),
        Node(
            func=validate_splits,
            inputs=[
                "train_table",
                "valid_table",
                "test_table",
                "params:schema",
                "data_quality_settings",
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
    return Pipeline(
        nodes,
        namespace="data_quality",
        inputs=INPUTS,
        outputs=OUTPUTS,
        parameters=PARAMETERS,
    )
