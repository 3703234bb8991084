"""Export: the trained model as ONNX + preprocessing spec, checked against torch."""

from ctrflow.pipelines.export.pipeline import create_pipeline

__all__ = ["create_pipeline"]
