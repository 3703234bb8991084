"""The description of an encoding, saved with every model so it can score alone."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ctrflow.schema import DerivedFeature, FieldSpec, SequenceSpec

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
            (:mod:`ctrflow.feature_engineering.interactions`).
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
class SequenceField:
    """A behaviour sequence whose ids share the vocabulary of a categorical field.

    Encoded as exactly ``max_length`` global ids of ``vocabulary_of``: the last
    (most recent) ``max_length`` items in their original order (oldest first),
    then that field's PAD id up to ``max_length``; values outside its vocabulary
    (unseen in train's ``vocabulary_of`` column, or rarer than ``min_count``)
    get its OOV id.

    Attributes:
        name: column name (a list of strings in the typed table).
        vocabulary_of: the categorical field whose vocabulary and offset it uses.
        max_length: ids per row after truncation and padding.
    """

    name: str
    vocabulary_of: str
    max_length: int


@dataclass(frozen=True)
class FeatureMap:
    """Which columns feed the model, and how each is encoded.

    The encoded table has ``label`` then one Int32 column per categorical field
    (global ids) then one Float32 column per numeric field, then one
    ``List(Int32)`` column of exactly ``max_length`` global ids per sequence field,
    in this order.

    ``derived`` holds the schema's derived features (``schema.derived``), so that
    scoring adds them to raw rows with the same code as ingestion
    (``ctrflow.ingestion.derived.add_derived(table, feature_map.derived)``) before
    encoding.
    """

    label: str
    categorical: list[CategoricalField] = field(default_factory=list)
    numeric: list[NumericField] = field(default_factory=list)
    sequence: list[SequenceField] = field(default_factory=list)
    derived: list[DerivedFeature] = field(default_factory=list)

    def __post_init__(self) -> None:
        names = self.categorical_columns
        for sequence in self.sequence:
            if sequence.vocabulary_of not in names:
                raise KeyError(
                    f"sequence field {sequence.name!r} shares the vocabulary of "
                    f"{sequence.vocabulary_of!r}, which is not an encoded categorical "
                    f"field ({names}); keep it selected "
                    "(feature_ranking.selection.always_keep)"
                )

    @property
    def vocab_size(self) -> int:
        return sum(f.size for f in self.categorical)

    @property
    def field_spec(self) -> FieldSpec:
        return FieldSpec(
            vocab_size=self.vocab_size,
            num_categorical=len(self.categorical),
            num_numeric=len(self.numeric),
            sequences=tuple(
                SequenceSpec(target=index, pad_id=self.categorical[index].offset)
                for index in (
                    self.categorical_columns.index(s.vocabulary_of)
                    for s in self.sequence
                )
            ),
        )

    def categorical_field(self, name: str) -> CategoricalField:
        """The categorical field called ``name``."""
        return self.categorical[self.categorical_columns.index(name)]

    @property
    def sequence_columns(self) -> list[str]:
        return [f.name for f in self.sequence]

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
            "sequence": [asdict(f) for f in self.sequence],
            "derived": [d.model_dump() for d in self.derived],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureMap:
        return cls(
            label=data["label"],
            categorical=[CategoricalField(**f) for f in data["categorical"]],
            numeric=[NumericField(**f) for f in data["numeric"]],
            sequence=[SequenceField(**f) for f in data.get("sequence", [])],
            derived=[DerivedFeature(**d) for d in data.get("derived", [])],
        )
