"""Scoring a whole file of new logs in blocks of rows (bounded memory).

Each block of ``block_rows`` is typed, derived, encoded and predicted on its own
(``ctrflow.scoring.prepare.prepare_rows``, then ``predict_proba``); only the
probabilities, the key columns, the quarantined rows and the report's counts are
kept across blocks. For every file ``rows read = scored + quarantined`` is checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ctrflow.ingestion import check_row_accounting, count_reasons, empty_quarantine
from ctrflow.ingestion.raw_logs import RawLogs
from ctrflow.scoring.errors import ScoringError
from ctrflow.scoring.params import ScoringParams
from ctrflow.scoring.prepare import (
    assumed_column_order,
    labels_of,
    name_new_logs,
    prepare_rows,
    stored_schema,
)
from ctrflow.scoring.reference import numeric_bin_counts

if TYPE_CHECKING:
    from ctrflow.training.artifact import ModelArtifact

logger = logging.getLogger(__name__)


# more of a headerless file's rows than this rejected, its columns named by the
# schema's order: the names are wrong, not the rows
MISNAMED_SHARE = 0.5


def _misnamed(
    source: str, assumed: list[str], rows_read: int, quarantine: pl.DataFrame
) -> ScoringError:
    return ScoringError(
        f"{source}: {quarantine.height:,} of {rows_read:,} rows could not be typed "
        f"({count_reasons(quarantine)}) after its columns, as a file without header, "
        f"were named in the model's schema order {assumed}. If the file's columns "
        "come in another order (e.g. that of the training logs), set "
        "score.column_order to them in conf/<env>/parameters_score.yml, or give the "
        "file a header line."
    )


@dataclass
class ScoredLogs:
    """What scoring a file leaves: the outputs and the report's counts.

    Attributes:
        predictions: key columns, ``probability`` (Float32), ``model_version``.
        quarantined: every rejected row with its reason (read step and typing).
        sources: the files scored.
        rows_in: rows read.
        oov: per categorical field, scored rows with the OOV id.
        numeric_counts: per numeric field of the reference, rows per bin.
        labels: the scored rows' labels (None when the file has none).
        blocks: blocks predicted.
    """

    predictions: pl.DataFrame
    quarantined: pl.DataFrame
    sources: list[str] = field(default_factory=list)
    rows_in: int = 0
    oov: dict[str, int] = field(default_factory=dict)
    numeric_counts: dict[str, list[int]] = field(default_factory=dict)
    labels: np.ndarray | None = None
    blocks: int = 0


def score_logs(
    raw_logs: RawLogs, artifact: ModelArtifact, params: ScoringParams
) -> ScoredLogs:
    """Score every row of every file of ``raw_logs`` with ``artifact``.

    Args:
        raw_logs: the new logs as ``ImpressionLogDataset`` read them.
        artifact: the model (schema, feature map, reference, version).
        params: key columns, block size, batch size, device, naming and typing.

    Returns:
        The predictions (file order, quarantined rows left out), the quarantined
        rows and the counts the report needs.

    Raises:
        ScoringError: the model has no stored schema, a key column is missing, or
            a headerless file's width fits neither column order.
        IngestionError: a schema column is missing, or rows were lost (a bug).
    """
    from ctrflow.training.artifact import predict_proba  # noqa: PLC0415 (torch)

    schema = stored_schema(artifact)
    assumed = assumed_column_order(raw_logs, schema, params.column_order)
    # the assumed order is decided once (it reads each file's first line)
    named = name_new_logs(raw_logs, schema, params.column_order or assumed)
    reference = artifact.reference or {}
    feature_map = artifact.feature_map
    probabilities: list[np.ndarray] = []
    keys: list[pl.DataFrame] = []
    quarantines: list[pl.DataFrame] = []
    labels: list[np.ndarray] = []
    labelled = True
    scored = ScoredLogs(predictions=pl.DataFrame(), quarantined=empty_quarantine())
    scored.oov = dict.fromkeys(feature_map.categorical_columns, 0)
    for part in sorted(named.frames):
        source = named.sources[part]
        frame = named.frames[part]
        lines = named.line_info(part)
        rows_read = named.rows_read.get(part, frame.height)
        rejected = named.rejected.get(part, empty_quarantine())
        part_scored = 0
        part_quarantines = [rejected]
        for start in range(0, frame.height, params.block_rows):
            prepared = prepare_rows(
                frame.slice(start, params.block_rows),
                artifact,
                source,
                lines=lines.slice(start, params.block_rows),
                key_columns=params.key_columns,
                sequence_separator=params.sequence_separator,
                max_field_chars=params.max_field_chars,
                parquet=named.file_format == "parquet",
                joined_with=named.joined_with,
            )
            if prepared.encoded.height:
                probabilities.append(
                    predict_proba(
                        artifact,
                        prepared.encoded,
                        batch_size=params.batch_size,
                        device=params.device,
                    )
                )
            keys.append(prepared.passthrough)
            part_quarantines.append(prepared.quarantined)
            labelled = labelled and prepared.labelled
            if prepared.labelled:
                labels.append(labels_of(prepared, artifact))
            for name, count in prepared.oov.items():
                scored.oov[name] += count
            for name, counts in numeric_bin_counts(
                prepared.encoded, feature_map, reference
            ).items():
                total = scored.numeric_counts.setdefault(name, [0] * len(counts))
                scored.numeric_counts[name] = [
                    a + b for a, b in zip(total, counts, strict=True)
                ]
            part_scored += prepared.encoded.height
            scored.blocks += 1
        part_quarantine = pl.concat(part_quarantines).sort("line_number")
        quarantines.append(part_quarantine)
        part_quarantined = part_quarantine.height
        check_row_accounting(source, rows_read, part_scored, part_quarantined)
        if assumed is not None and part_quarantined > MISNAMED_SHARE * rows_read:
            raise _misnamed(source, assumed, rows_read, part_quarantine)
        logger.info(
            "%s: %s rows read = %s scored + %s quarantined%s",
            source, f"{rows_read:,}", f"{part_scored:,}", f"{part_quarantined:,}",
            f" {count_reasons(part_quarantine)}" if part_quarantined else "",
        )  # fmt: skip
        scored.sources.append(source)
        scored.rows_in += rows_read
    probability = (
        np.concatenate(probabilities) if probabilities else np.zeros(0, np.float32)
    )
    predictions = pl.DataFrame(
        {
            "probability": pl.Series(probability, dtype=pl.Float32),
            "model_version": pl.Series(
                [artifact.version] * probability.size, dtype=pl.String
            ),
        }
    )
    if params.key_columns:
        predictions = pl.concat(keys).hstack(predictions)
    scored.predictions = predictions
    scored.quarantined = pl.concat(quarantines)
    scored.labels = np.concatenate(labels) if labelled and labels else None
    return scored
