"""The scoring stage's parameters (``conf/base/parameters_score.yml`` shows them)."""

from __future__ import annotations

from pydantic import Field

from ctrflow.ingestion.params import DEFAULT_MAX_FIELD_CHARS
from ctrflow.schema import StrictParams


class ScoringParams(StrictParams):
    """How ``kedro run --pipeline=score`` scores the rows of ``new_logs``.

    Attributes:
        key_columns: columns of the new logs copied to the predictions as they are
            read (e.g. a request id), beside ``probability``; [] = none.
        model_version: the ``model`` version to score with (a folder name under
            ``data/06_models/model.pt/``); None = the latest. ``kedro run
            --load-versions model:<version>`` picks one too.
        block_rows: rows typed, encoded and predicted at a time (bounds memory).
        batch_size: rows per forward pass.
        device: ``auto`` (a GPU when there is one), ``cpu``, ``cuda``, ...
        column_order: names of a headerless file's columns in file order; None =
            the stored schema's order: label, numeric, categorical, sequence, then
            the timestamp (without the label when the file has one field less).
        sequence_separator: separator of the ids inside a sequence cell (as
            ``ingestion.sequence_separator`` was when the model was trained).
        max_field_chars: a longer value is quarantined (as ingestion does).
        max_oov_rate: warn when a field's share of values outside its vocabulary
            exceeds its training share by more than this.
        max_psi: warn when a numeric field's population stability index against
            its training distribution exceeds this.
        max_score_shift: warn when the PSI of the probabilities against the
            held-out split's score deciles exceeds this.
        max_quarantine_rate: warn when more than this share of rows is quarantined.
    """

    key_columns: list[str] = Field(default_factory=list)
    model_version: str | None = None
    block_rows: int = Field(1_000_000, ge=1)
    batch_size: int = Field(65_536, ge=1)
    device: str = "auto"
    column_order: list[str] | None = None
    sequence_separator: str = "^"
    max_field_chars: int = Field(DEFAULT_MAX_FIELD_CHARS, ge=1)
    max_oov_rate: float = Field(0.05, ge=0, le=1)
    max_psi: float = Field(0.2, ge=0)
    max_score_shift: float = Field(0.2, ge=0)
    max_quarantine_rate: float = Field(0.01, ge=0, le=1)
