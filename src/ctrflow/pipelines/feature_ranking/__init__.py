"""Feature ranking: OutRank scores of every field, the selected fields, a plot."""

from ctrflow.pipelines.feature_ranking.pipeline import create_pipeline

__all__ = ["create_pipeline"]
