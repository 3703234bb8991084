"""The shared vocabulary every layer imports: the strict parameter base, the dataset
schema and the field spec a model is built from. A leaf: pydantic only, no torch, no
Great Expectations, so reading parameters never loads a heavy library.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator


def where_to_set(key: str) -> str:
    """The end of an error message: the dotted parameter key to set and the file it
    goes in (its block's ``parameters_<block>.yml`` of the user's environment;
    conf/base holds the defaults, and parameters merge softly).

    Example::

        >>> where_to_set("ingestion.max_reject_fraction")
        'set ingestion.max_reject_fraction in conf/<env>/parameters_ingestion.yml (<env>: the environment you run with --env, local by default)'
    """
    block = key.split(".", 1)[0]
    return (
        f"set {key} in conf/<env>/parameters_{block}.yml (<env>: the environment "
        "you run with --env, local by default)"
    )


class StrictParams(BaseModel):
    """A parameter block: unknown keys are errors, values are frozen.

    An unknown key's error names it, the closest valid key and every valid key
    (pydantic's own ``extra_forbidden`` error names only the bad key).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _only_known_keys(cls, data: object) -> object:
        if isinstance(data, dict):
            valid = list(cls.model_fields)
            unknown = [key for key in data if key not in cls.model_fields]
            if unknown:
                raise ValueError(unknown_keys_message(unknown, valid))
        return data


def unknown_keys_message(unknown: list, valid: list[str]) -> str:
    """``unknown key 'modle' (did you mean 'model'?); valid keys: model, ...``."""
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
        hints.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
    plural = "s" if len(unknown) > 1 else ""
    return f"unknown key{plural} {', '.join(hints)}; valid keys: {', '.join(valid)}"


class DatasetSchema(StrictParams):
    """Which columns of a dataset are the label and the features.

    The only place that knows a dataset's column names (``conf/<env>/parameters.yml``).

    Attributes:
        sequence_vocabulary: for a behaviour-sequence column, the categorical
            column whose vocabulary and embeddings its ids share (e.g.
            ``{history: item_id}``); a sequence column the model sees must be
            mapped (feature engineering says so otherwise).
    """

    label: str
    categorical: list[str] = Field(default_factory=list)
    numeric: list[str] = Field(default_factory=list)
    sequence: list[str] = Field(default_factory=list)
    sequence_vocabulary: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _sequences_share_a_categorical_vocabulary(self) -> DatasetSchema:
        """Each key of ``sequence_vocabulary`` is a sequence column, each value the
        categorical column whose vocabulary (and embeddings) it shares."""
        for sequence, categorical in self.sequence_vocabulary.items():
            if sequence not in self.sequence:
                raise ValueError(
                    f"sequence_vocabulary names {sequence!r}, which is not a sequence "
                    f"column of the schema (sequence: {self.sequence})"
                )
            if categorical not in self.categorical:
                raise ValueError(
                    f"sequence_vocabulary maps {sequence!r} to {categorical!r}, which "
                    f"is not a categorical column (categorical: {self.categorical})"
                )
        return self

    @model_validator(mode="after")
    def _columns_are_distinct(self) -> DatasetSchema:
        seen: dict[str, str] = {self.label: "label"}
        for kind in ("categorical", "numeric", "sequence"):
            for column in getattr(self, kind):
                if column in seen:
                    raise ValueError(
                        f"column {column!r} is listed twice in the schema "
                        f"(as {seen[column]} and as {kind})"
                    )
                seen[column] = kind
        if not self.features:
            raise ValueError("the schema names no feature column")
        return self

    @property
    def features(self) -> list[str]:
        """Every feature column, categorical first, then numeric, then sequence."""
        return [*self.categorical, *self.numeric, *self.sequence]

    @property
    def columns(self) -> list[str]:
        """The label followed by every feature column."""
        return [self.label, *self.features]


@dataclass(frozen=True)
class SequenceSpec:
    """A behaviour-sequence input: its ids are global ids of one categorical field.

    Attributes:
        target: index (among the categorical fields) of the field whose vocabulary
            the sequence shares: DIN's target item.
        pad_id: the global id that marks padding (that field's PAD id).
    """

    target: int
    pad_id: int


@dataclass(frozen=True)
class FieldSpec:
    """What a model needs to know about its input.

    Attributes:
        vocab_size: rows of the shared embedding table (all categorical fields'
            vocabularies end to end; ids arrive already offset per field).
        num_categorical: categorical fields per row.
        num_numeric: float fields per row.
        sequences: one entry per behaviour-sequence input (``sequences [B, S, L]``);
            a model that reads them takes ``batch.sequences`` (DIN).
    """

    vocab_size: int
    num_categorical: int
    num_numeric: int
    sequences: tuple[SequenceSpec, ...] = ()

    @property
    def num_fields(self) -> int:
        return self.num_categorical + self.num_numeric
