"""Ingestion's parameters: how raw logs become typed train/valid/test tables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ctrflow.schema import StrictParams

DEFAULT_MAX_FIELD_CHARS = 65_536


class SplitRatios(StrictParams):
    train: float = Field(0.8, gt=0, lt=1)
    valid: float = Field(0.1, gt=0, lt=1)
    test: float = Field(0.1, gt=0, lt=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitRatios:
        total = self.train + self.valid + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"split ratios must sum to 1, got train={self.train} + "
                f"valid={self.valid} + test={self.test} = {total:g}"
            )
        return self


class ValidFromTrain(StrictParams):
    """How the validation rows are carved from the train file when the raw logs
    give train and test files only.

    Attributes:
        ratio: the share of the train file's accepted rows that become valid.
        order: ``random`` (seeded with ``ingestion.seed``) or ``time`` (the newest
            rows by ``schema.timestamp``).
    """

    ratio: float = Field(0.1, gt=0, lt=1)
    order: Literal["random", "time"] = "random"


class IngestionParams(StrictParams):
    """How raw logs become typed train/valid/test tables.

    Attributes:
        split: ``auto`` (default) is ``given`` when the raw dataset holds named
            split files (``filepaths``) and ``random`` when it is one file;
            ``random`` splits one file with ``ratios`` and ``seed``; ``time``
            splits one file by ``schema.timestamp`` with ``ratios`` (the oldest
            rows train, the newest test); ``given``: the raw dataset holds
            ``train``, ``valid`` and ``test`` files, or ``train`` and ``test``
            (valid is then carved from train by ``valid_from_train``).
        valid_from_train: with given ``train`` and ``test`` files only, how the
            validation rows are taken from train.
        column_order: names for the columns of a file without header, in file
            order; default: a headed sibling file's header, else (Criteo TSV,
            libsvm) label, numeric, categorical, sequence.
        max_reject_fraction: rows that cannot be ingested go to the quarantine;
            when more than this share of one file's rows is quarantined the run
            stops with the top reasons.
        max_field_chars: a value longer than this is quarantined.
    """

    split: Literal["auto", "random", "time", "given"] = "auto"
    ratios: SplitRatios = SplitRatios()
    seed: int = 2024
    valid_from_train: ValidFromTrain = ValidFromTrain()
    column_order: list[str] | None = None
    sequence_separator: str = "^"
    max_reject_fraction: float = Field(0.01, ge=0, le=1)
    max_field_chars: int = Field(DEFAULT_MAX_FIELD_CHARS, ge=1)
