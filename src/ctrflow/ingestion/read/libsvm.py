"""libsvm / libfm text (``label idx:val idx:val ...``): one column per token
position, holding the feature index; a ``-1`` label is read as ``0``."""

from __future__ import annotations

import polars as pl

from ctrflow.ingestion.quarantine import quarantine_lines
from ctrflow.ingestion.raw_logs import LINE_INFO_SCHEMA, RawPart
from ctrflow.ingestion.read.lines import read_lines


def read_libsvm(path: str) -> RawPart:
    """Read a libsvm/libfm file into string columns ``column_1 .. column_n``.

    ``column_1`` is the label (``-1`` -> ``0``, ``+1`` -> ``1``), the others the
    index of each ``idx:val`` token; n is the most tokens of a line, shorter lines
    have nulls. Blank lines are quarantined (``empty_line``).

    Raises:
        UnreadableLogsError: the file cannot be read as text (``read_lines``).
    """
    lines = read_lines(path)[0]
    blank = lines["raw_text"].str.strip_chars() == ""
    rejected = quarantine_lines(
        path, lines.filter(blank), "empty_line", pl.lit("the line is blank")
    )
    good = lines.filter(~blank)
    tokens = good["raw_text"].str.strip_chars().str.split(" ")
    width = int(tokens.list.len().max() or 0)
    columns = {"column_1": tokens.list.get(0).replace({"-1": "0", "+1": "1"})}
    for position in range(1, width):
        token = tokens.list.get(position, null_on_oob=True)
        columns[f"column_{position + 1}"] = token.str.split(":").list.get(
            0, null_on_oob=True
        )
    return RawPart(
        source=path,
        frame=pl.DataFrame(columns),
        lines=good.select(LINE_INFO_SCHEMA.keys()),
        rejected=rejected,
        rows_read=lines.height,
        first_line=1,
        header=False,
    )
