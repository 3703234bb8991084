"""Project pipelines: one per stage, ``train`` chains all six, default = ``train``;
``benchmark`` trains and evaluates every registered model side by side, ``score``
scores new logs with a stored model and ``export`` writes the trained model as
ONNX (none of them is part of ``train``).

Pure wiring: each stage's pipeline is its own Kedro namespace (a group in
kedro-viz) and is tagged with its name; the benchmark gets the training and
evaluation pipelines from here. The shapes are static: nothing reads parameters
or the environment before Kedro does (an environment switches datasets in its
catalog, e.g. ``conf/movielens``'s ``raw_logs``), and registering imports nothing
heavy (torch, Great Expectations, OutRank and plotly load when a node runs).

The stages are imported explicitly rather than through ``find_pipelines``:
``train`` is a composition, not a folder it could discover.
"""

from __future__ import annotations

from kedro.pipeline import Pipeline

from ctrflow.pipelines import (
    benchmark,
    data_quality,
    evaluation,
    export,
    feature_engineering,
    feature_ranking,
    ingestion,
    score,
    training,
)

STAGES = {
    "ingestion": ingestion,
    "data_quality": data_quality,
    "feature_ranking": feature_ranking,
    "feature_engineering": feature_engineering,
    "training": training,
    "evaluation": evaluation,
}


def register_pipelines() -> dict[str, Pipeline]:
    """Register each stage under its name, ``train`` = all stages in order,
    ``benchmark`` (one namespace per registered model; ``--tags`` picks some),
    ``score`` (new logs with a stored model) and ``export`` (the latest model as
    ONNX, checked against torch).

    Every node is tagged with its stage, so kedro-viz can filter the graph by stage.
    """
    pipelines = {
        name: Pipeline(stage.create_pipeline(), tags=[name])
        for name, stage in STAGES.items()
    }
    pipelines["train"] = sum((pipelines[name] for name in STAGES), Pipeline([]))
    pipelines["__default__"] = pipelines["train"]
    pipelines["benchmark"] = benchmark.create_pipeline(
        training=training.create_pipeline(), evaluation=evaluation.create_pipeline()
    )
    pipelines["score"] = Pipeline(score.create_pipeline(), tags=["score"])
    pipelines["export"] = Pipeline(export.create_pipeline(), tags=["export"])
    return pipelines
