"""Ingestion: raw logs -> typed train/valid/test tables."""

from ctrflow.pipelines.ingestion.pipeline import create_pipeline

__all__ = ["create_pipeline"]
