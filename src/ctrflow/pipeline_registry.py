"""Project pipelines: one per stage, ``train`` chains all six."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

STAGES = (
    "ingestion",
    "data_quality",
    "feature_ranking",
    "feature_engineering",
    "training",
    "evaluation",
)


def register_pipelines() -> dict[str, Pipeline]:
    """Register each stage under its name, ``train`` = all stages, default = train."""
    pipelines = find_pipelines(raise_errors=True)
    missing = [stage for stage in STAGES if stage not in pipelines]
    if missing:
        raise RuntimeError(f"stage pipelines not found: {missing}")
    pipelines["train"] = sum((pipelines[stage] for stage in STAGES), Pipeline([]))
    pipelines["__default__"] = pipelines["train"]
    return pipelines
