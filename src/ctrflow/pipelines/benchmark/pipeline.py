"""Benchmark pipeline: per model (one Kedro namespace each) select -> train ->
score -> metrics -> learning curve; then one leaderboard over all models.

Shared inputs stay global: ``{train,valid,test}_encoded``, ``feature_map``,
``data_fingerprint``, ``params:training``, ``params:evaluation``, ``parameters``.
Per namespace ``<model>``: ``<model>.model``, ``<model>.training_history``,
``<model>.test_predictions``, ``<model>.metrics``, ``<model>.learning_curve_plot``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from kedro.pipeline import Node, Pipeline

from ctrflow.pipelines import evaluation
from ctrflow.pipelines.benchmark.model_list import configured_models
from ctrflow.pipelines.benchmark.nodes import (
    benchmark_models_check,
    build_leaderboard,
    model_binder,
    plot_leaderboard,
)
from ctrflow.pipelines.training.nodes import train_model

_SHARED_INPUTS = {
    "train_encoded",
    "valid_encoded",
    "test_encoded",
    "feature_map",
    "data_fingerprint",
    "benchmark_models",
}
_EVALUATION_NODES = (
    "score_test_set_node",
    "compute_metrics_node",
    "plot_learning_curve_node",
)


def create_pipeline(models: Sequence[str] | None = None, **kwargs) -> Pipeline:
    """Args: models: one namespace each (default: ``configured_models()``)."""
    models = list(models) if models is not None else configured_models()
    check = Pipeline(
        [
            Node(
                func=benchmark_models_check(models),
                inputs="params:benchmark",
                outputs="benchmark_models",
                name="check_benchmark_models_node",
            )
        ]
    )
    per_model = [_model_pipeline(name) for name in models]
    with warnings.catch_warnings():
        # the leaderboard reads each namespace's `<model>.metrics` on purpose
        warnings.filterwarnings("ignore", "One or more dataset names contain '.'")
        leaderboard = _leaderboard_pipeline(models)
    return sum(per_model, check) + leaderboard


def _leaderboard_pipeline(models: list[str]) -> Pipeline:
    """One leaderboard (table and plot) over every namespace's metrics."""
    return Pipeline(
        [
            Node(
                func=build_leaderboard,
                inputs=[
                    "params:benchmark",
                    "bars_leaderboard",
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
        ]
    )


def _model_pipeline(name: str) -> Pipeline:
    """The training node and the evaluation nodes of one model, namespaced."""
    training = Pipeline(
        [
            Node(
                func=model_binder(name),
                inputs=["params:training", "benchmark_models"],
                outputs="training_params",
                name="select_model_node",
            ),
            Node(
                func=train_model,
                inputs=[
                    "train_encoded",
                    "valid_encoded",
                    "feature_map",
                    "training_params",
                ],
                outputs=["model", "training_history"],
                name="train_model_node",
            ),
        ]
    )
    scoring = evaluation.create_pipeline().only_nodes(*_EVALUATION_NODES)
    return Pipeline(
        [training, scoring],
        namespace=name,
        inputs=_SHARED_INPUTS,
        parameters={"params:training", "params:evaluation"},
    )
