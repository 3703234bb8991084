"""Feature engineering: typed tables -> int32 ids, float32 numerics, feature map."""

from ctrflow.pipelines.feature_engineering.pipeline import create_pipeline

__all__ = ["create_pipeline"]
