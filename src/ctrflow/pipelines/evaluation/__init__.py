"""Evaluation: trained model + test split -> metrics and reporting plots."""

from ctrflow.pipelines.evaluation.pipeline import create_pipeline

__all__ = ["create_pipeline"]
