"""MovieLens preparation: rating files -> impression logs with a behaviour history."""

from ctrflow.pipelines.movielens.pipeline import create_pipeline

__all__ = ["create_pipeline"]
