"""Benchmark pipeline: the logistic-regression baseline once; per registered model
(one Kedro namespace each) select -> train -> score -> metrics (against the
baseline) -> learning curve; then one leaderboard of the models that have metrics
of the current data.

The training and evaluation pipelines come from the caller (the pipeline
registry), so this module imports no other stage. Shared inputs stay global:
``{train,valid,test}_encoded``, ``feature_map``, ``data_fingerprint``,
``params:training``, ``params:evaluation``, ``parameters``, and the baseline's
``baseline_test_predictions`` and ``baseline_fit`` (the evaluation stage's node,
out of its namespace: ``fit_baseline_node``, tagged with every model). Per namespace
``<model>``: ``<model>.model``, ``<model>.training_history``,
``<model>.test_predictions``, ``<model>.metrics``, ``<model>.learning_curve_plot``.

Tags choose the models: each namespace's nodes carry the model's name, and the
leaderboard's nodes every name, so ``kedro run --pipeline=benchmark --tags
DeepFM,DCN`` trains those two and rebuilds the leaderboard.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from kedro.pipeline import Node, Pipeline

from ctrflow.models.registry import MODEL_NAMES
from ctrflow.pipelines.benchmark.nodes import (
    build_leaderboard,
    model_binder,
    plot_leaderboard,
)

_SHARED_INPUTS = {
    "train_encoded",
    "valid_encoded",
    "test_encoded",
    "feature_map",
    "data_fingerprint",
}
# what the benchmark keeps of the evaluation pipeline (not the ROC and
# calibration plots), and the outputs of its baseline node, fitted once
_EVALUATION_OUTPUTS = ("metrics", "learning_curve_plot")
_BASELINE_OUTPUTS = {"baseline_test_predictions", "baseline_fit"}
TAG = "benchmark"


def create_pipeline(
    training: Pipeline,
    evaluation: Pipeline,
    models: Sequence[str] = MODEL_NAMES,
    **kwargs,
) -> Pipeline:
    """Args:
    training: the training stage's pipeline (``params:training`` -> ``model``,
        ``training_history``), run once per model.
    evaluation: the evaluation stage's pipeline; its nodes up to ``metrics``
        and ``learning_curve_plot`` run once per model.
    models: one namespace each; default: every registered model.
    """
    models = list(models)
    baseline = evaluation.only_nodes_with_outputs(*_BASELINE_OUTPUTS)
    scoring = evaluation.to_outputs(*_EVALUATION_OUTPUTS) - baseline
    per_model = [_model_pipeline(name, training, scoring) for name in models]
    with warnings.catch_warnings():
        # the leaderboard reads each namespace's `<model>.metrics` on purpose
        warnings.filterwarnings("ignore", "One or more dataset names contain '.'")
        leaderboard = _leaderboard_pipeline(models)
    return Pipeline([_shared(baseline, models), *per_model, leaderboard], tags=[TAG])


def _shared(baseline: Pipeline, models: list[str]) -> Pipeline:
    """The baseline's node out of the evaluation namespace (one fit for every
    model), tagged with every model so that any ``--tags`` choice fits it."""
    return Pipeline(
        [node._copy(namespace=None) for node in baseline.nodes],
        tags=["baseline", *models],
    )


def _leaderboard_pipeline(models: list[str]) -> Pipeline:
    """One leaderboard (table and plot) over every namespace's metrics, tagged
    with every model so that any ``--tags`` choice rebuilds it."""
    return Pipeline(
        [
            Node(
                func=build_leaderboard,
                inputs=[
                    "params:benchmark",
                    "bars_leaderboard",
                    "data_fingerprint",
                    *(f"{name}.metrics" for name in models),
                ],
                outputs="benchmark_leaderboard",
                name="build_leaderboard_node",
            ),
            Node(
                func=plot_leaderboard,
                inputs="benchmark_leaderboard",
                outputs="benchmark_leaderboard_plot",
                name="plot_leaderboard_node",
            ),
        ],
        tags=["leaderboard", *models],
    )


def _model_pipeline(name: str, training: Pipeline, scoring: Pipeline) -> Pipeline:
    """The training and evaluation nodes of one model, namespaced and tagged."""
    select = Node(
        func=model_binder(name),
        inputs="params:training",
        outputs="training_params",
        name="select_model_node",
    )
    return Pipeline(
        [select, _reading(training, "params:training", "training_params"), scoring],
        namespace=name,
        inputs=_SHARED_INPUTS | _BASELINE_OUTPUTS,
        parameters={"training", "evaluation", "schema"},
        tags=[name],
    )


def _reading(pipeline: Pipeline, parameter: str, dataset: str) -> Pipeline:
    """``pipeline`` with its nodes reading ``dataset`` where they read ``parameter``.

    Kedro's namespace mapping renames a parameter only to another parameter; each
    namespace's trainer reads the model-bound copy of ``params:training`` instead.
    """

    def renamed(inputs: str | list | dict | None) -> str | list | dict | None:
        if isinstance(inputs, dict):
            return {
                arg: dataset if name == parameter else name
                for arg, name in inputs.items()
            }
        if isinstance(inputs, list):
            return [dataset if name == parameter else name for name in inputs]
        return dataset if inputs == parameter else inputs

    return Pipeline(
        [
            node._copy(inputs=renamed(node._inputs))
            if parameter in node.inputs
            else node
            for node in pipeline.nodes
        ]
    )
