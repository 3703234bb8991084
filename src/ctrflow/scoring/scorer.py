"""The online scorer: raw rows in (dicts or a polars frame, as a request carries
them), probabilities out, through the batch pipeline's own preparation
(``ctrflow.scoring.prepare.prepare_rows``)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ctrflow.ingestion import IngestionError
from ctrflow.ingestion.raw_logs import numbered_lines
from ctrflow.scoring.params import ScoringParams
from ctrflow.scoring.prepare import prepare_rows, stored_schema

if TYPE_CHECKING:
    from ctrflow.training.artifact import ModelArtifact

_SCALARS = (str, int, float, bool)


class RowError(ValueError):
    """A row the scorer cannot type; the message names the row and the field.

    Attributes:
        row: the row's index in the request (0-based).
        field: the offending field (None when the row as a whole is wrong).
        reason: what is wrong, in words.
    """

    def __init__(self, row: int, field: str | None, reason: str) -> None:
        where = f"row {row}" + (f", field {field!r}" if field is not None else "")
        super().__init__(f"{where}: {reason}")
        self.row = row
        self.field = field
        self.reason = reason


class Scorer:
    """Scores raw rows with a stored model, exactly as ``kedro run --pipeline=score``.

    Example::

        scorer = Scorer.from_artifact("data/06_models/model.pt/<version>/model.pt")
        scorer.predict([{"I1": 3, "C1": "68fd1e64", ...}])  # -> array([0.27], float32)

    Args:
        artifact: the model (with its stored schema).
        params: sequence separator, longest value, batch size (device: CPU unless
            set).

    Raises:
        ScoringError: the artifact holds no schema (retrain it).
    """

    def __init__(
        self, artifact: ModelArtifact, params: ScoringParams | None = None
    ) -> None:
        self.artifact = artifact
        self.schema = stored_schema(artifact)
        self.params = params or ScoringParams(device="cpu")
        self.version: str | None = artifact.version
        # the columns a row must carry (the label is optional)
        self.fields = [c for c in self.schema.input_columns if c != self.schema.label]

    @classmethod
    def from_artifact(
        cls, artifact_or_path: ModelArtifact | str | Path, **kwargs: Any
    ) -> Scorer:
        """A scorer of an artifact, or of a model file (loaded as weights and data
        only, ``weights_only=True``); a file in a catalog version folder
        (``model.pt/<version>/model.pt``) records that version.

        Args:
            artifact_or_path: a ``ModelArtifact`` or the path of its file.
            **kwargs: passed to ``Scorer`` (``params``).
        """
        if not isinstance(artifact_or_path, str | Path):
            return cls(artifact_or_path, **kwargs)
        import torch  # noqa: PLC0415 (loaded only here)

        from ctrflow.training.artifact import ModelArtifact  # noqa: PLC0415

        path = Path(artifact_or_path)
        state = torch.load(str(path), map_location="cpu", weights_only=True)
        artifact = ModelArtifact.from_state(state)
        if path.parent.parent.name == path.name:
            artifact.version = path.parent.name
        return cls(artifact, **kwargs)

    def predict(self, rows: list[dict[str, Any]] | pl.DataFrame) -> np.ndarray:
        """Click probabilities (float32), one per row, in order.

        Args:
            rows: dicts of field -> value (text, number, bool or null; a list of
                ids for a sequence field), or a polars frame; every schema column
                but the label must be there, other keys are ignored.

        Raises:
            RowError: the first row that cannot be typed (a missing field, a value
                of another type, text in a numeric field, NaN, a value too long,
                ...), naming its index and field.
        """
        frame = rows if isinstance(rows, pl.DataFrame) else self._frame(rows)
        missing = [c for c in self.fields if c not in frame.columns]
        if missing:
            raise RowError(0, missing[0], f"the field {missing[0]!r} is missing")
        try:
            prepared = prepare_rows(
                frame,
                self.artifact,
                "request",
                lines=numbered_lines(0, frame.height),
                sequence_separator=self.params.sequence_separator,
                max_field_chars=self.params.max_field_chars,
            )
        except IngestionError as error:  # a column of a type no role can use
            raise RowError(0, None, str(error)) from error
        if prepared.quarantined.height:
            first = prepared.quarantined.sort("line_number").row(0, named=True)
            raise RowError(first["line_number"], first["column"], first["detail"])
        if frame.height == 0:
            return np.zeros(0, dtype=np.float32)
        from ctrflow.training.artifact import predict_proba  # noqa: PLC0415 (torch)

        return predict_proba(
            self.artifact,
            prepared.encoded,
            batch_size=self.params.batch_size,
            device=self.params.device,
        )

    def _frame(self, rows: list[dict[str, Any]]) -> pl.DataFrame:
        """Dicts -> a frame of text columns (lists for sequences), as a text file
        is read: a number becomes its text, null a missing value."""
        if not isinstance(rows, list):
            raise RowError(
                0, None, f"rows must be a list of objects, got {type(rows).__name__}"
            )
        sequences = set(self.schema.sequence)
        wanted = [
            *self.fields,
            *(
                [self.schema.label]
                if any(isinstance(r, dict) and self.schema.label in r for r in rows)
                else []
            ),
        ]
        columns: dict[str, list] = {name: [] for name in wanted}
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise RowError(
                    index, None, f"a row must be an object, got {type(row).__name__}"
                )
            for name in wanted:
                if name not in row:
                    if name == self.schema.label:
                        raise RowError(
                            index,
                            name,
                            f"the label {name!r} is missing (other rows have it)",
                        )
                    raise RowError(index, name, f"the field {name!r} is missing")
                columns[name].append(_cell(row[name], index, name, name in sequences))
        return pl.DataFrame(
            {
                name: pl.Series(
                    name,
                    values,
                    dtype=pl.List(pl.String) if name in sequences else pl.String,
                )
                for name, values in columns.items()
            }
        )


def _cell(value: Any, row: int, name: str, sequence: bool) -> Any:
    """One value as a text cell (a list of texts for a sequence field)."""
    if value is None:
        return None
    if sequence:
        if not isinstance(value, list):
            kind = type(value).__name__
            raise RowError(row, name, f"holds a {kind}, expected a list of ids or null")
        return [_cell(item, row, name, sequence=False) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # typed as ingestion types 'nan' / 'inf': quarantined
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        kind = type(value).__name__
        raise RowError(row, name, f"holds a {kind}, expected text, a number or null")
    return str(value)
