"""Evaluation pipeline: model, {train,valid,test}_encoded, feature_map,
training_history, data_fingerprint, parameters -> test_predictions,
baseline_test_predictions, baseline_fit, metrics, roc_plot, calibration_plot,
learning_curve_plot.

One Kedro namespace, ``evaluation`` (a group in kedro-viz); every dataset keeps its
catalog name (Kedro never prefixes ``parameters``). The benchmark fits the baseline
once (``BASELINE_OUTPUTS``) and reuses the other nodes up to ``metrics`` and
``learning_curve_plot`` once per model.
"""

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines.evaluation.nodes import (
    compute_metrics,
    fit_baseline_model,
    plot_calibration,
    plot_learning_curve,
    plot_roc,
    score_test_set,
)

INPUTS = {
    "model",
    "train_encoded",
    "valid_encoded",
    "test_encoded",
    "feature_map",
    "training_history",
    "data_fingerprint",
}
# the logistic-regression baseline's outputs: one fit serves every model
BASELINE_OUTPUTS = ("baseline_test_predictions", "baseline_fit")
OUTPUTS = {
    "test_predictions",
    *BASELINE_OUTPUTS,
    "metrics",
    "roc_plot",
    "calibration_plot",
    "learning_curve_plot",
}
PARAMETERS = {"evaluation"}


def create_pipeline(**kwargs) -> Pipeline:
    nodes = [
        Node(
            func=score_test_set,
            inputs=["model", "test_encoded", "params:evaluation"],
            outputs="test_predictions",
            name="score_test_set_node",
        ),
        Node(
            func=fit_baseline_model,
            inputs=[
                "train_encoded",
                "valid_encoded",
                "test_encoded",
                "feature_map",
                "params:evaluation",
            ],
            outputs=list(BASELINE_OUTPUTS),
            name="fit_baseline_node",
        ),
        Node(
            func=compute_metrics,
            inputs=[
                "test_predictions",
                *BASELINE_OUTPUTS,
                "training_history",
                "data_fingerprint",
                "parameters",
                "params:evaluation",
            ],
            outputs="metrics",
            name="compute_metrics_node",
        ),
        Node(
            func=plot_roc,
            inputs=[
                "test_predictions",
                "baseline_test_predictions",
                "params:evaluation",
            ],
            outputs="roc_plot",
            name="plot_roc_node",
        ),
        Node(
            func=plot_calibration,
            inputs=["test_predictions", "params:evaluation"],
            outputs="calibration_plot",
            name="plot_calibration_node",
        ),
        Node(
            func=plot_learning_curve,
            inputs=["training_history", "baseline_fit"],
            outputs="learning_curve_plot",
            name="plot_learning_curve_node",
        ),
    ]
    return Pipeline(
        nodes,
        namespace="evaluation",
        inputs=INPUTS,
        outputs=OUTPUTS,
        parameters=PARAMETERS,
    )
