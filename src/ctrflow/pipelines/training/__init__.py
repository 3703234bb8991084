"""Training: encoded splits -> a trained, versioned model artifact."""

from ctrflow.pipelines.training.pipeline import create_pipeline

__all__ = ["create_pipeline"]
