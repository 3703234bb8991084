"""Export pipeline: model, test_encoded, parameters -> onnx_export (a versioned
folder: model.onnx + preprocessing.json) and export_report.

One Kedro namespace, ``export`` (a group in kedro-viz), not part of ``train``:
``kedro run --pipeline=export`` exports the latest ``model`` (or the one named with
``--load-versions=model:<version>``). The graph passes from the exporting node to
the parity check in memory (``export.onnx_candidate``): only an export that
matches torch is written, unless ``export.fail_on_mismatch`` is off.
"""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.export.nodes import check_export_parity, export_model

INPUTS = {"model", "test_encoded"}
OUTPUTS = {"onnx_export", "export_report"}
PARAMETERS = {"export"}


def create_pipeline(**kwargs) -> Pipeline:
    nodes = [
        Node(
            func=export_model,
            inputs=["model", "params:export"],
            outputs="onnx_candidate",
            name="export_model_node",
        ),
        Node(
            func=check_export_parity,
            inputs=["onnx_candidate", "model", "test_encoded", "params:export"],
            outputs=["onnx_export", "export_report"],
            name="check_export_parity_node",
        ),
    ]
    return Pipeline(
        nodes,
        namespace="export",
        inputs=INPUTS,
        outputs=OUTPUTS,
        parameters=PARAMETERS,
    )
