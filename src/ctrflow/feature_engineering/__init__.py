"""Columnar encoding of typed tables into model input: vocabularies, offsets, FeatureMap."""

from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.feature_map import (
    CategoricalField,
    FeatureMap,
    NumericField,
)

__all__ = [
    "CategoricalField",
    "FeatureMap",
    "NumericField",
    "encode_table",
    "fit_feature_map",
]
