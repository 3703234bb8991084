"""Benchmark: training + evaluation once per model (Kedro namespaces) -> leaderboard."""

from ctrflow.pipelines.benchmark.pipeline import create_pipeline

__all__ = ["create_pipeline"]
