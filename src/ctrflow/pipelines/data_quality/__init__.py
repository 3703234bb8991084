"""Data quality: Great Expectations checks on the typed splits, report and Data Docs."""

from ctrflow.pipelines.data_quality.pipeline import create_pipeline

__all__ = ["create_pipeline"]
