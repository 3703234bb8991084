"""Property: whatever the bytes, the parser raises our own error or accounts for every row."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ctrflow.datasets import ImpressionLogDataset
from ctrflow.ingestion import IngestionError
from ctrflow.ingestion.params import IngestionParams
from ctrflow.pipelines.ingestion.nodes import split_logs
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label="label", numeric=["n"], categorical=["c"])
PARAMS = IngestionParams(max_reject_fraction=1.0)
HEADERS = {"tsv": "label\tn\tc", "csv": "label,n,c", "criteo_tsv": None, "libsvm": None}

_cell = st.one_of(
    st.sampled_from(["0", "1", "2", "-1", "yes", "", " ", "nan", "inf", "1e999", "3.5",
                     "abc", '"', '"a,b"', "x^y", "é", "\u2028", "\x00", "\r", "12:1"]),
    st.text(max_size=6),
)  # fmt: skip
_separator = st.sampled_from(["\t", ",", " ", "\t\t"])


@st.composite
def _line(draw, separator: str) -> str:
    """Mostly three cells with the file's separator; sometimes anything."""
    if draw(st.integers(0, 4)):
        return separator.join(draw(st.lists(_cell, min_size=3, max_size=3)))
    cells = draw(st.lists(_cell, min_size=0, max_size=5))
    return draw(_separator).join(cells)


@st.composite
def _file(draw) -> tuple[str, bytes]:
    file_format = draw(st.sampled_from(sorted(HEADERS)))
    separator = {"csv": ",", "libsvm": " "}.get(file_format, "\t")
    lines = draw(st.lists(_line(separator), max_size=12))
    header = HEADERS[file_format]
    text = "\n".join(([header] if header and draw(st.integers(0, 4)) else []) + lines)
    text += draw(st.sampled_from(["", "\n", "\r\n"]))
    data = text.encode()
    if not draw(st.integers(0, 3)):  # splice random bytes in somewhere
        noise = draw(st.binary(max_size=8))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + noise + data[at:]
    return file_format, data


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(_file())
def test_parser_raises_our_error_or_accounts_for_every_row(case):
    file_format, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "logs.txt"
        path.write_bytes(data)
        try:
            raw = ImpressionLogDataset(
                filepath=str(path), file_format=file_format
            ).load()
            train, valid, test, fingerprint, quarantine = split_logs(
                raw, SCHEMA, PARAMS
            )
        except IngestionError as error:
            event(f"error: {str(error).split(':')[-1][:40]}")
            return  # our own error (RawLogsError is one): fine
    event(f"ok, quarantined {min(quarantine.height, 3)}")
    accepted = train.height + valid.height + test.height
    text = data.decode("utf-8").removeprefix("\ufeff")
    lines = text.removesuffix("\n").split("\n")
    header = 1 if file_format in ("tsv", "csv") else 0
    rows_read = fingerprint["ingestion"]["all"]["rows_read"]
    assert rows_read == len(lines) - header
    assert accepted + quarantine.height == rows_read
    assert quarantine["reason"].null_count() == 0
    assert quarantine["line_number"].n_unique() == quarantine.height
    typed = pl.concat([train, valid, test])
    assert typed["label"].is_in([0, 1]).all()
    assert typed["n"].drop_nulls().is_finite().all()
