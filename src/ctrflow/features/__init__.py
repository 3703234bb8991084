"""Columnar encoding of typed tables into model input: vocabularies, offsets, FeatureMap."""

from ctrflow.features.encoding import encode_table, fit_feature_map
from ctrflow.features.feature_map import (
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
