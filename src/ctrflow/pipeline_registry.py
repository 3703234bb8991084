"""Project pipelines: one per stage, ``train`` chains all six, default = ``train``;
``benchmark`` trains and evaluates several models side by side (not part of ``train``).
``movielens`` builds ``raw_logs`` from the MovieLens rating files; in an environment
with a ``movielens`` parameters block (``--env movielens``) it runs first in
``ingestion`` and so in ``train``.

The stages are imported explicitly rather than through ``find_pipelines``: Kedro 1.7
loads only the pipelines named on the command line, and ``train`` is a composition,
not a folder it could discover.
"""

from __future__ import annotations

from kedro.pipeline import Pipeline

from ctrflow.pipelines import (
    benchmark,
    data_quality,
    evaluation,
    feature_engineering,
    feature_ranking,
    ingestion,
    movielens,
    training,
)
from ctrflow.pipelines.movielens.configured import movielens_configured

STAGES = {
    "ingestion": ingestion,
    "data_quality": data_quality,
    "feature_ranking": feature_ranking,
    "feature_engineering": feature_engineering,
    "training": training,
    "evaluation": evaluation,
}


def register_pipelines() -> dict[str, Pipeline]:
    """Register each stage under its name, ``train`` = all stages in order, and
    ``benchmark`` (one namespace per model of ``benchmark.models``).

    Every node is tagged with its stage, so kedro-viz can filter the graph by stage.
    """
    pipelines = {
        name: Pipeline(stage.create_pipeline(), tags=[name])
        for name, stage in STAGES.items()
    }
    pipelines["movielens"] = Pipeline(movielens.create_pipeline(), tags=["movielens"])
    if movielens_configured():
        # conf/movielens: raw_logs is built from the rating files first
        pipelines["ingestion"] = pipelines["movielens"] + pipelines["ingestion"]
    pipelines["train"] = sum((pipelines[name] for name in STAGES), Pipeline([]))
    pipelines["__default__"] = pipelines["train"]
    pipelines["benchmark"] = Pipeline(benchmark.create_pipeline(), tags=["benchmark"])
    return pipelines
