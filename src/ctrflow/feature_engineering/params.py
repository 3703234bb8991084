"""Feature engineering's parameters: vocabularies and numeric transforms."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ctrflow.schema import StrictParams


class FeatureEngineeringParams(StrictParams):
    """Vocabularies and numeric transforms, fit on train only.

    Attributes:
        min_count: categorical values seen fewer times in train share the OOV id.
        numeric_transform: ``log_bucket`` turns a counter into a categorical id
            (``floor(log(x)^2)`` for x > 2, as in the Criteo winners' recipe);
            ``log1p`` and ``standardize`` keep it a float feature.
        max_sequence_length: behaviour sequences are cut to their last (most
            recent) ``max_sequence_length`` ids and padded after them to this length.
    """

    min_count: int = Field(2, ge=1)
    numeric_transform: Literal["log_bucket", "log1p", "standardize"] = "log_bucket"
    max_sequence_length: int = Field(20, ge=1)
