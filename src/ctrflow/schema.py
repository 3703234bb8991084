"""The shared vocabulary every layer imports: the strict parameter base, the dataset
schema and the field spec a model is built from. A leaf: pydantic only, no torch, no
Great Expectations, so reading parameters never loads a heavy library.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


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


EXTRACTS = ("hour", "weekday", "day")


class DerivedFeature(StrictParams):
    """A categorical feature computed from a column of the typed table, the same
    way in ingestion and scoring (``ctrflow.ingestion.derived.add_derived``).

    Exactly one of ``extract`` or ``buckets``:

    Attributes:
        column: the input column: ``schema.timestamp`` for ``extract``, a numeric
            column for ``buckets``.
        extract: parts of the event time (UTC), each a column
            ``<column>_<part>``: ``hour`` (0-23), ``weekday`` (1 = Monday ..
            7 = Sunday), ``day`` (day of month, 1-31).
        buckets: increasing edges; ``<column>_bucket`` holds the interval a value
            falls in, closed on the left (edges ``[0, 10]``: ``(-inf, 0)``,
            ``[0, 10)``, ``[10, inf)``); a missing value stays missing.

    Example::

        >>> DerivedFeature(column="click_time", extract=["hour", "weekday"]).names
        ['click_time_hour', 'click_time_weekday']
        >>> DerivedFeature(column="price", buckets=[0, 1, 10]).names
        ['price_bucket']
    """

    column: str
    extract: list[str] = Field(default_factory=list)
    buckets: list[float] = Field(default_factory=list)

    @field_validator("extract")
    @classmethod
    def _known_extracts(cls, extract: list[str]) -> list[str]:
        unknown = [kind for kind in extract if kind not in EXTRACTS]
        if unknown:
            hints = []
            for kind in unknown:
                close = difflib.get_close_matches(str(kind), EXTRACTS, n=1)
                hints.append(
                    f"{kind!r} (did you mean {close[0]!r}?)" if close else repr(kind)
                )
            raise ValueError(
                f"unknown extract {', '.join(hints)}; valid: {', '.join(EXTRACTS)}"
            )
        if len(set(extract)) != len(extract):
            raise ValueError(f"extract names a part twice: {extract}")
        return extract

    @field_validator("buckets")
    @classmethod
    def _increasing_edges(cls, buckets: list[float]) -> list[float]:
        if any(not b < a for b, a in zip(buckets, buckets[1:], strict=False)):
            raise ValueError(f"bucket edges must be strictly increasing, got {buckets}")
        return buckets

    @model_validator(mode="after")
    def _extract_or_buckets(self) -> DerivedFeature:
        if bool(self.extract) == bool(self.buckets):
            raise ValueError(
                f"derived feature of {self.column!r} needs exactly one of 'extract' "
                "(e.g. [hour, weekday, day]) or 'buckets' (e.g. [0, 1, 10])"
            )
        return self

    @property
    def names(self) -> list[str]:
        """The columns it adds, in order."""
        if self.buckets:
            return [f"{self.column}_bucket"]
        return [f"{self.column}_{kind}" for kind in self.extract]


class DatasetSchema(StrictParams):
    """Which columns of a dataset are the label and the features.

    The only place that knows a dataset's column names (``conf/<env>/parameters.yml``).

    Attributes:
        sequence_vocabulary: for a behaviour-sequence column, the categorical
            column whose vocabulary and embeddings its ids share (e.g.
            ``{history: item_id}``); a sequence column the model sees must be
            mapped (feature engineering says so otherwise).
        timestamp: the event-time column (epoch seconds or milliseconds, or
            ISO-8601 text); not a feature by itself, it orders ``split: time`` and
            feeds ``derived`` features.
        derived: categorical features computed from other columns
            (``DerivedFeature``); ingestion adds them to every typed table.
    """

    label: str
    categorical: list[str] = Field(default_factory=list)
    numeric: list[str] = Field(default_factory=list)
    sequence: list[str] = Field(default_factory=list)
    sequence_vocabulary: dict[str, str] = Field(default_factory=dict)
    timestamp: str | None = None
    derived: list[DerivedFeature] = Field(default_factory=list)

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
        named = [
            *((c, kind) for kind in ("categorical", "numeric", "sequence")
              for c in getattr(self, kind)),
            *([(self.timestamp, "timestamp")] if self.timestamp else []),
            *((c, "derived") for d in self.derived for c in d.names),
        ]  # fmt: skip
        for column, kind in named:
            if column in seen:
                raise ValueError(
                    f"column {column!r} is listed twice in the schema "
                    f"(as {seen[column]} and as {kind})"
                )
            seen[column] = kind
        if not self.features:
            raise ValueError("the schema names no feature column")
        return self

    @model_validator(mode="after")
    def _derived_from_schema_columns(self) -> DatasetSchema:
        for index, spec in enumerate(self.derived):
            where = f"schema.derived[{index}] ({spec.column!r})"
            if spec.extract and spec.column != self.timestamp:
                raise ValueError(
                    f"{where} extracts {spec.extract} from {spec.column!r}, which is "
                    f"not the schema's timestamp column (timestamp: {self.timestamp}); "
                    f"set schema.timestamp: {spec.column} in conf/<env>/parameters.yml"
                )
            if spec.buckets and spec.column not in self.numeric:
                raise ValueError(
                    f"{where} buckets {spec.column!r}, which is not a numeric column "
                    f"of the schema (numeric: {self.numeric})"
                )
        return self

    @property
    def categorical_fields(self) -> list[str]:
        """Every categorical feature: the declared ones, then the derived ones."""
        return [*self.categorical, *(c for d in self.derived for c in d.names)]

    @property
    def features(self) -> list[str]:
        """Every feature column of the typed tables: categorical (declared, then
        derived), then numeric, then sequence."""
        return [*self.categorical_fields, *self.numeric, *self.sequence]

    @property
    def columns(self) -> list[str]:
        """The label followed by every feature column."""
        return [self.label, *self.features]

    @property
    def input_columns(self) -> list[str]:
        """The columns read from the raw files, in the typed tables' order: label,
        categorical, numeric, sequence, then the timestamp (derived ones are
        computed from these)."""
        timestamp = [self.timestamp] if self.timestamp else []
        return [
            self.label,
            *self.categorical,
            *self.numeric,
            *self.sequence,
            *timestamp,
        ]


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
