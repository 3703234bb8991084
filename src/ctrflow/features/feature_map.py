"""The description of an encoding, saved with every model so it can score alone."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ctrflow.models.layers import FieldSpec

PAD_ID = 0  # reserved in every field (behaviour sequences are padded with it)
OOV_ID = 1  # values unseen in train or rarer than min_count
FIRST_VALUE_ID = 2
MISSING_TOKEN = "__missing__"


@dataclass(frozen=True)
class CategoricalField:
    """A field encoded as ids ``offset + local_id`` into the shared embedding table.

    Attributes:
        name: column name.
        vocabulary: values in id order; value ``vocabulary[i]`` has local id ``i + 2``.
        offset: first global id of this field.
        source: ``numeric`` when the field is a log-bucketed counter,
            ``interaction`` when it crosses the two ``parents`` columns
            (:mod:`ctrflow.features.interactions`).
        parents: the two crossed columns of an ``interaction`` field, else empty.
    """

    name: str
    vocabulary: list[str]
    offset: int
    source: Literal["categorical", "numeric", "interaction"] = "categorical"
    parents: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.vocabulary) + FIRST_VALUE_ID


@dataclass(frozen=True)
class NumericField:
    """A float field: ``transform`` then ``(x - mean) / std``; missing becomes 0."""

    name: str
    transform: Literal["log1p", "standardize"]
    mean: float = 0.0
    std: float = 1.0


@dataclass(frozen=True)
class FeatureMap:
    """Which columns feed the model, and how each is encoded.

    The encoded table has ``label`` then one Int32 column per categorical field
    (global ids) then one Float32 column per numeric field, in this order.
    """

    label: str
    categorical: list[CategoricalField] = field(default_factory=list)
    numeric: list[NumericField] = field(default_factory=list)

    @property
    def vocab_size(self) -> int:
        return sum(f.size for f in self.categorical)

    @property
    def field_spec(self) -> FieldSpec:
        return FieldSpec(
            vocab_size=self.vocab_size,
            num_categorical=len(self.categorical),
            num_numeric=len(self.numeric),
        )

    @property
    def categorical_columns(self) -> list[str]:
        return [f.name for f in self.categorical]

    @property
    def numeric_columns(self) -> list[str]:
        return [f.name for f in self.numeric]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "vocab_size": self.vocab_size,
            "categorical": [asdict(f) for f in self.categorical],
            "numeric": [asdict(f) for f in self.numeric],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureMap:
        return cls(
            label=data["label"],
            categorical=[CategoricalField(**f) for f in data["categorical"]],
            numeric=[NumericField(**f) for f in data["numeric"]],
        )
