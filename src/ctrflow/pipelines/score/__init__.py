"""The score pipeline: new logs + a stored model -> predictions, report, quarantine."""

from ctrflow.pipelines.score.pipeline import create_pipeline

__all__ = ["create_pipeline"]
