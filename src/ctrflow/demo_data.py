"""Seeded generator of Criteo-shaped impression logs with a planted truth.

The bundled demo data (``data/01_raw/demo/demo_logs.tsv.gz``) was made with::

    python -m ctrflow.demo_data --rows 200000 --seed 7 \
        --output data/01_raw/demo/demo_logs.tsv.gz

(its rows are ``generate_demo_logs(200_000, seed=7)``). More rows than a block
(``--block-rows``, default 1,000,000) are streamed by ``write_demo_logs``: one
block at a time, each drawn from its own seed, so memory stays bounded whatever
the size (gzip level 1, or plain text when the name ends in ``.tsv``)::

    python -m ctrflow.demo_data --rows 50000000 --seed 7 \
        --output /tmp/demo_50M.tsv.gz --block-rows 1000000

(``--stream`` streams fewer rows too.)

and its dirty copy (the same rows plus known bad ones, ``conf/demo_dirty``) with::

    python -m ctrflow.demo_data --rows 200000 --seed 7 \
        --dirty data/01_raw/demo_dirty/demo_logs_dirty.tsv.gz

Rows look like Criteo's ``train.txt``: tab-separated, no header, a 0/1 label,
13 integer counters ``I1..I13`` (with missing values) and 26 hashed categorical ids
``C1..C26`` (8 hex digits, long-tail frequencies, some missing). The click is drawn
from a logistic model whose terms are known (``PLANTED``), so a feature ranking and
a trained model can be checked against the truth:

- informative: ``I1`` (log-count effect), ``I2`` (decreasing effect), ``C1``
  (50 values), ``C2`` (2,000 long-tail values), ``C3`` (20 values) and ``C4``
  (20 values, acting *only* through its interaction with ``C3``);
- near-duplicate: ``C5`` is ``C1`` with 5% of its values replaced at random;
- constant: ``C26`` holds one value;
- noise: every other field, at low (2–10 values), medium (100–5,000) and very high
  cardinality (``C8``: nearly one value per row).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from tqdm import tqdm

NUMERIC = [f"I{i}" for i in range(1, 14)]
CATEGORICAL = [f"C{i}" for i in range(1, 27)]
LABEL = "label"

PLANTED: dict[str, list[str]] = {
    "informative": ["I1", "I2", "C1", "C2", "C3", "C4"],
    "interaction": ["C3", "C4"],
    "near_duplicate": ["C5"],  # of C1
    "constant": ["C26"],
    "noise": [*NUMERIC[2:], *[f"C{i}" for i in range(6, 26)]],
    "very_high_cardinality_noise": ["C8"],
}

# distinct values of each categorical noise field (C8: drawn from 10M ids)
_NOISE_CARDINALITY = {
    "C6": 3, "C7": 500, "C8": 10_000_000, "C9": 2, "C10": 10, "C11": 100,
    "C12": 1_000, "C13": 5_000, "C14": 4, "C15": 300, "C16": 50_000, "C17": 7,
    "C18": 2_000, "C19": 25, "C20": 150, "C21": 800, "C22": 3_000, "C23": 60,
    "C24": 20_000, "C25": 5,
}  # fmt: skip
_MISSING_FRACTION = {"C2": 0.05, "C12": 0.3, "C19": 0.45, "C22": 0.1, "C24": 0.2}
_BASE_LOGIT = -1.6


_CARDINALITY = {"C1": 50, "C2": 2_000, "C3": 20, "C4": 20, "C5": 50,
                **_NOISE_CARDINALITY, "C26": 1}  # fmt: skip
_HEX_TABLE_MAX = 100_000  # ids of fields up to this cardinality: strings made once
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


@functools.cache
def _zipf_probabilities(cardinality: int, exponent: float) -> np.ndarray:
    """P(k) proportional to 1 / (k + 1) ** exponent, k = 0..cardinality-1 (read-only:
    cached, as every block of a streamed file draws from the same law)."""
    weights = 1.0 / np.arange(1, cardinality + 1) ** exponent
    probabilities = weights / weights.sum()
    probabilities.setflags(write=False)
    return probabilities


@functools.cache
def _alias_table(cardinality: int, exponent: float) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table of ``_zipf_probabilities`` (Vose's construction): draw
    ``k`` uniformly, keep it with probability ``accept[k]``, else take ``alias[k]``.
    Two array lookups per draw instead of a binary search of the CDF."""
    scaled = (_zipf_probabilities(cardinality, exponent) * cardinality).tolist()
    accept = np.ones(cardinality)
    alias = np.arange(cardinality)
    small = [k for k, weight in enumerate(scaled) if weight < 1.0]
    large = [k for k, weight in enumerate(scaled) if weight >= 1.0]
    while small and large:
        under, over = small.pop(), large.pop()
        accept[under], alias[under] = scaled[under], over
        scaled[over] += scaled[under] - 1.0
        (small if scaled[over] < 1.0 else large).append(over)
    accept.setflags(write=False)
    alias.setflags(write=False)
    return accept, alias  # what is left in small/large: accept 1 (rounding)


def _zipf_ids(  # noqa: PLR0913 - the law, its size and how to draw it
    rng: np.random.Generator,
    rows: int,
    cardinality: int,
    exponent: float,
    *,
    total_rows: int | None = None,
    alias: bool = False,
) -> np.ndarray:
    """Ids 0..cardinality-1 with P(k) proportional to 1 / (k + 1) ** exponent.

    Near-unique fields (``cardinality`` at least 10x the rows of the whole file,
    ``total_rows``, default ``rows``) draw uniformly instead. ``alias``: the same law
    drawn through ``_alias_table`` (fields up to ``_HEX_TABLE_MAX`` values; faster,
    other draws than ``rng.choice``).
    """
    if cardinality >= (total_rows or rows) * 10:  # near-unique ids: uniform draws
        return rng.integers(0, cardinality, rows)
    if alias and cardinality <= _HEX_TABLE_MAX:
        accept, other = _alias_table(cardinality, exponent)
        ids = rng.integers(0, cardinality, rows)
        return np.where(rng.random(rows) < accept[ids], ids, other[ids])
    return rng.choice(
        cardinality, size=rows, p=_zipf_probabilities(cardinality, exponent)
    )


def _counter(rng: np.random.Generator, rows: int, scale: float) -> np.ndarray:
    """Heavy-tailed non-negative integer counts, many zeros."""
    return np.floor(
        rng.lognormal(mean=np.log(scale), sigma=1.5, size=rows) * rng.random(rows) ** 2
    )


def _hex_strings(ids: np.ndarray, field_index: int) -> pl.Series:
    """Distinct 8-hex-digit strings per (field, id): an odd multiplier mod 2**32 is a
    bijection. Formatted digit by digit in numpy (no Python object per row)."""
    hashed = (
        (ids.astype(np.uint64) * np.uint64(2654435761) + np.uint64(field_index * 40503))
        % np.uint64(2**32)
    ).astype(np.uint32)
    shifts = np.arange(28, -1, -4, dtype=np.uint32)  # most significant digit first
    digits = _HEX_DIGITS[(hashed[:, None] >> shifts) & np.uint32(15)]
    return pl.Series(digits.view("S8").ravel()).cast(pl.String)


@functools.cache
def _hex_table(field_index: int, cardinality: int) -> pl.Series:
    """The strings of ids 0..cardinality-1 of one field, gathered by id per block."""
    return _hex_strings(np.arange(cardinality), field_index)


def _categorical(
    name: str, field_index: int, ids: np.ndarray, missing: np.ndarray
) -> pl.Series:
    """A field's hashed ids as strings, null where ``missing``."""
    cardinality = _CARDINALITY[name]
    if cardinality <= _HEX_TABLE_MAX:
        values = _hex_table(field_index, cardinality).gather(ids)
    else:
        values = _hex_strings(ids, field_index)
    values = values.rename(name)
    return values.scatter(np.flatnonzero(missing), None) if missing.any() else values


@dataclass(frozen=True)
class _Effects:
    """The planted logistic model's terms: one value per id of C1, C2, C3 and C4."""

    c1: np.ndarray
    c2: np.ndarray
    c3: np.ndarray
    c3_gain: np.ndarray  # interaction: gain[C3] * effect[C4]
    c4: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator) -> _Effects:
        return cls(
            c1=rng.normal(0, 0.8, 50),
            c2=rng.normal(0, 0.7, 2_000),
            c3=rng.normal(0, 0.5, 20),
            c3_gain=rng.normal(0.6, 0.6, 20),
            c4=rng.normal(0, 1.0, 20),
        )


@functools.cache
def _log_count_means() -> tuple[float, float]:
    """E[log1p(I1)] and E[log1p(I2)] (a fixed draw of 1M counts each): a streamed
    block centres the counters' effects on these, not on its own mean, so every
    block, the last short one too, has the same base rate."""
    rng = np.random.default_rng(0)
    i1 = np.log1p(_counter(rng, 1_000_000, scale=2.0)).mean()
    i2 = np.log1p(_counter(rng, 1_000_000, scale=5.0)).mean()
    return float(i1), float(i2)


def _draw_logs(
    rng: np.random.Generator,
    rows: int,
    total_rows: int,
    *,
    effects: _Effects | None = None,
    centres: tuple[float, float] | None = None,
    alias: bool = False,
) -> pl.DataFrame:
    """``rows`` impression logs drawn from ``rng``, in ``generate_demo_logs``' order
    of draws.

    Args:
        rng: the rows' generator.
        rows: rows to draw.
        total_rows: rows of the whole file (which fields are near-unique).
        effects: the planted terms; ``None``: drawn from ``rng`` after the ids
            (``generate_demo_logs``).
        centres: what ``log1p(I1)`` and ``log1p(I2)`` are centred on; ``None``:
            their means over these rows.
        alias: long-tail ids drawn through alias tables (``_zipf_ids``).
    """
    counters = {
        name: _counter(rng, rows, scale=float(2 + 3 * i))
        for i, name in enumerate(NUMERIC)
    }
    ids = {
        "C1": _zipf_ids(rng, rows, 50, 0.8, total_rows=total_rows, alias=alias),
        "C2": _zipf_ids(rng, rows, 2_000, 1.05, total_rows=total_rows, alias=alias),
        "C3": rng.integers(0, 20, rows),
        "C4": rng.integers(0, 20, rows),
        **{
            name: _zipf_ids(rng, rows, card, 1.1, total_rows=total_rows, alias=alias)
            for name, card in _NOISE_CARDINALITY.items()
        },
        "C26": np.zeros(rows, dtype=np.int64),
    }
    duplicate = ids["C1"].copy()
    replaced = rng.random(rows) < 0.05
    duplicate[replaced] = rng.integers(0, 50, int(replaced.sum()))
    ids["C5"] = duplicate

    if effects is None:
        effects = _Effects.draw(rng)
    i1 = np.log1p(counters["I1"])
    i2 = np.log1p(counters["I2"])
    i1_centre, i2_centre = centres or (i1.mean(), i2.mean())
    logit = (
        _BASE_LOGIT
        + effects.c1[ids["C1"]]
        + effects.c2[ids["C2"]]
        + effects.c3[ids["C3"]]
        + effects.c3_gain[ids["C3"]] * effects.c4[ids["C4"]]
        + 0.45 * (i1 - i1_centre)
        - 0.35 * (i2 - i2_centre)
    )
    label = (rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int8)

    columns: dict[str, pl.Series] = {LABEL: pl.Series(LABEL, label, dtype=pl.Int8)}
    for i, name in enumerate(NUMERIC):
        missing = rng.random(rows) < 0.05 + 0.03 * i  # 5% .. 41% missing
        # the planted effect uses the true count; the log only shows what was recorded
        columns[name] = pl.Series(name, counters[name].astype(np.int64)).scatter(
            np.flatnonzero(missing), None
        )
    for field_index, name in enumerate(CATEGORICAL, start=1):
        missing = rng.random(rows) < _MISSING_FRACTION.get(name, 0.0)
        columns[name] = _categorical(name, field_index, ids[name], missing)
    return pl.DataFrame(columns)


def generate_demo_logs(rows: int = 200_000, seed: int = 7) -> pl.DataFrame:
    """Draw ``rows`` impression logs with the planted truth described in the module doc.

    The whole frame comes from one generator seeded with ``seed`` (the bundled demo:
    200,000 rows, seed 7); ``write_demo_logs`` streams larger files block by block.

    Returns:
        A DataFrame with ``label`` (Int8), ``I1..I13`` (Int64, nulls) and ``C1..C26``
        (String, nulls), in Criteo column order.

    Raises:
        ValueError: ``rows`` is not positive.
    """
    if rows < 1:
        raise ValueError(f"rows must be positive, got {rows}")
    return _draw_logs(np.random.default_rng(seed), rows, total_rows=rows)


def demo_block(seed: int, block: int, rows: int, total_rows: int) -> pl.DataFrame:
    """Block ``block`` of a streamed demo file: ``rows`` rows from the block's own
    generator (``SeedSequence(seed, spawn_key=(block,))``), the file's planted terms
    (drawn from ``seed``) and its near-unique fields decided by ``total_rows``.

    The same arguments give the same rows, whatever the other blocks. The law of
    every field and of the click is ``generate_demo_logs``'; the draws are others
    (alias tables for the long-tail ids, the planted terms drawn apart).
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))
    effects = _Effects.draw(np.random.default_rng(seed))
    return _draw_logs(
        rng, rows, total_rows, effects=effects, centres=_log_count_means(), alias=True
    )


def iter_demo_blocks(
    rows: int, seed: int, block_rows: int = 1_000_000
) -> Iterator[pl.DataFrame]:
    """The blocks of a streamed demo file of ``rows`` rows, one at a time: every block
    has ``block_rows`` rows but the last (the rest).

    Raises:
        ValueError: ``rows`` or ``block_rows`` is not positive.
    """
    if rows < 1 or block_rows < 1:
        raise ValueError(
            f"rows and block_rows must be positive, got {rows} and {block_rows}"
        )
    for block, start in enumerate(range(0, rows, block_rows)):
        yield demo_block(seed, block, min(block_rows, rows - start), rows)


def write_demo_logs(
    rows: int,
    seed: int,
    output: Path,
    block_rows: int = 1_000_000,
    progress: bool | None = None,
) -> int:
    """Stream ``rows`` demo logs to ``output`` as Criteo ``train.txt`` lines, a block
    at a time (memory: one block's frame and its text).

    Args:
        rows: rows to write.
        seed: the file's seed (planted terms and every block's generator).
        output: a ``.tsv`` is written as plain text, any other name gzipped (level 1:
            about 3x faster than level 9, files about a third larger).
        block_rows: rows per block.
        progress: a tqdm bar; ``None``: when stderr is a terminal.

    Returns:
        The rows written.

    Raises:
        ValueError: ``rows`` or ``block_rows`` is not positive.

    A block's text is written (compressed) in a worker thread while the next block
    is drawn (zlib releases the GIL): at most two blocks' text are held.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with (
        open(output, "wb") as raw,
        (
            nullcontext(raw)
            if output.name.endswith(".tsv")
            else gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0)
        ) as handle,
        tqdm(
            total=rows,
            unit=" rows",
            unit_scale=True,
            desc=output.name,
            disable=not sys.stderr.isatty() if progress is None else not progress,
        ) as bar,
        ThreadPoolExecutor(max_workers=1) as writer,
    ):
        pending: Future | None = None
        for frame in iter_demo_blocks(rows, seed, block_rows):
            text = io.BytesIO()
            # no value needs quoting (digits and hex): skip the writer's scan
            frame.write_csv(
                text,
                separator="\t",
                include_header=False,
                null_value="",
                quote_style="never",
            )
            if pending is not None:
                pending.result()
            pending = writer.submit(handle.write, text.getbuffer())
            written += frame.height
            bar.update(frame.height)
        if pending is not None:
            pending.result()
    return written


def generate_display_ads(
    rows: int, rng: np.random.Generator, start: int, interactions: bool = False
) -> pl.DataFrame:
    """Display-ad impressions whose click depends on site, ad, device, price and hour.

    The shape of a team's first own sample (tests/test_own_logs.py): label
    ``clicked``, a ``click_time`` in epoch seconds from ``start`` over 14 days,
    about 15% clicks. Besides the honest fields: ``user_id`` is near-unique
    noise, ``site_group`` a copy of part of ``site`` (redundant), and
    ``conversion_id`` is set only on clicks (a leak: it exists because the user
    clicked). The effects are the same in every call; ``rng`` draws the rows.

    Args:
        rows: impressions to draw.
        rng: the rows' random generator (one per dataset, drawn split by split).
        start: epoch seconds of the first impression.
        interactions: add a site-theme x ad-theme affinity (``site % 5`` x
            ``ad % 5``) and phones (``dev1``) clicking more in the evening, which
            a logistic regression on one-hot fields cannot represent; without it
            the click follows a logistic model of the fields.
    """
    site = rng.integers(0, 40, rows)
    ad = np.minimum(rng.zipf(1.3, rows), 300)
    device = rng.integers(0, 4, rows)
    price = rng.lognormal(0.0, 1.0, rows)
    clicked_at = start + rng.integers(0, 14 * 86_400, rows)
    hour = (clicked_at // 3600) % 24
    effects = np.random.default_rng(99)  # the same effects in every split
    site_effect = effects.normal(0, 0.9, 40)
    ad_effect = effects.normal(0, 0.6, 301)
    logit = (
        -2.4
        + site_effect[site]
        + ad_effect[ad]
        + 0.4 * (device == 2)
        + 0.35 * np.log(price)
        + 0.8 * ((hour >= 18) & (hour <= 22))
    )
    if interactions:
        affinity = effects.normal(0, 1.0, (5, 5))
        logit += affinity[site % 5, ad % 5] + 0.9 * ((device == 1) & (hour >= 18))
    clicked = rng.random(rows) < 1 / (1 + np.exp(-logit))
    conversion = np.where(clicked, rng.integers(1, 10**9, rows), 0)
    return pl.DataFrame(
        {
            "clicked": clicked.astype(np.int8),
            "user_id": [f"u{value}" for value in rng.integers(0, 10**7, rows)],
            "site": [f"site{value}" for value in site],
            "site_group": [f"group{value // 8}" for value in site],
            "ad": [f"ad{value}" for value in ad],
            "device": [f"dev{value}" for value in device],
            "price": np.round(price, 3),
            "click_time": clicked_at,
            "conversion_id": [f"cv{value}" if value else None for value in conversion],
        }
    )


def write_criteo_tsv(logs: pl.DataFrame, output: Path) -> None:
    """Write logs as Criteo ``train.txt`` lines (tab-separated, no header, empty =
    missing), gzipped (level 9: the bundled demo's size)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    text = logs.write_csv(separator="\t", include_header=False, null_value="")
    with gzip.open(output, "wb", compresslevel=9) as handle:
        handle.write(text.encode())


# --- a dirty copy, for the quarantine (conf/demo_dirty) ------------------------------

# kind of injected bad row -> the quarantine reason ingestion must give it
DIRTY_KINDS: dict[str, str] = {
    "too_few_fields": "wrong_field_count",
    "too_many_fields": "wrong_field_count",
    "text_in_numeric": "not_a_number",
    "nan_in_numeric": "not_finite",
    "inf_in_numeric": "not_finite",
    "label_2": "label_not_0_or_1",
    "label_minus_1": "label_not_0_or_1",
    "label_yes": "label_not_0_or_1",
    "label_empty": "missing_label",
    "blank_line": "empty_line",
    "value_too_long": "value_too_long",
}
_DIRTY_COUNTS = {"blank_line": 2, "value_too_long": 1}
DIRTY_PER_KIND = 5
_LONG_VALUE_CHARS = 70_000  # above ingestion.max_field_chars (65,536)


def _dirty_line(kind: str, fields: list[str], rng: np.random.Generator) -> str:
    """A copy of one clean line's ``fields`` (label, I1..I13, C1..C26) made bad."""
    fields = list(fields)
    numeric = 1 + int(rng.integers(0, len(NUMERIC)))
    if kind == "too_few_fields":
        fields = fields[: -int(rng.integers(1, 10))]
    elif kind == "too_many_fields":
        fields += ["extra"] * int(rng.integers(1, 3))
    elif kind == "text_in_numeric":
        fields[numeric] = str(rng.choice(["abc", "12x", "n/a", "1,5"]))
    elif kind == "nan_in_numeric":
        fields[numeric] = str(rng.choice(["nan", "NaN"]))
    elif kind == "inf_in_numeric":
        fields[numeric] = str(rng.choice(["inf", "-inf", "1e999"]))
    elif kind.startswith("label_"):
        fields[0] = {"label_2": "2", "label_minus_1": "-1", "label_yes": "yes"}.get(
            kind, ""
        )
    elif kind == "blank_line":
        return ""
    elif kind == "value_too_long":
        fields[1 + len(NUMERIC)] = "a" * _LONG_VALUE_CHARS
    return "\t".join(fields)


def write_dirty_criteo_tsv(
    logs: pl.DataFrame, output: Path, seed: int = 7, per_kind: int = DIRTY_PER_KIND
) -> dict:
    """Write ``logs`` as Criteo TSV with known bad rows inserted, and their manifest.

    Every clean row is kept; ``per_kind`` bad copies of random clean rows are
    inserted for each kind of ``DIRTY_KINDS`` (2 blank lines, 1 over-long value),
    and the file ends with one more line cut short, without line end (kind
    ``truncated_last_line``). The manifest (``<output without .tsv.gz>.manifest.json``)
    lists each injected line's number, kind and the quarantine reason expected.

    Args:
        logs: clean logs (``generate_demo_logs``).
        output: the ``.tsv.gz`` to write.
        seed: where the bad rows go and what they hold.
        per_kind: bad rows of each kind.

    Returns:
        The manifest.
    """
    rng = np.random.default_rng(seed + 1_000_003)
    text = logs.write_csv(separator="\t", include_header=False, null_value="")
    lines = text.removesuffix("\n").split("\n")
    injected = []
    for kind in DIRTY_KINDS:
        for _ in range(_DIRTY_COUNTS.get(kind, per_kind)):
            source = int(rng.integers(0, len(lines)))
            injected.append((int(rng.integers(0, len(lines) + 1)), kind, lines[source]))
    injected.sort(key=lambda item: item[0])
    out: list[str] = []
    manifest_rows = []
    previous = 0
    for position, kind, source in injected:
        out += lines[previous:position]
        previous = position
        out.append(_dirty_line(kind, source.split("\t"), rng))
        manifest_rows.append(
            {"line": len(out), "kind": kind, "expected_reason": DIRTY_KINDS[kind]}
        )
    out += lines[previous:]
    cut = lines[int(rng.integers(0, len(lines)))].split("\t")[:20]
    out.append("\t".join(cut))
    manifest_rows.append(
        {
            "line": len(out),
            "kind": "truncated_last_line",
            "expected_reason": "wrong_field_count",
        }
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(output, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as handle,
    ):
        handle.write("\n".join(out).encode())  # no final line end: truncated
    reasons: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for row in manifest_rows:
        reasons[row["expected_reason"]] = reasons.get(row["expected_reason"], 0) + 1
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    manifest = {
        "file": output.name,
        "seed": seed,
        "clean_rows": len(lines),
        "rows": len(out),
        "injected_rows": len(manifest_rows),
        "injected_by_kind": kinds,
        "expected_quarantine_by_reason": reasons,
        "injected": manifest_rows,
    }
    manifest_path = output.with_name(output.name.split(".")[0] + ".manifest.json")
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--output", type=Path, default=Path("data/01_raw/demo/demo_logs.tsv.gz")
    )
    parser.add_argument(
        "--dirty",
        type=Path,
        default=None,
        help="instead of --output, write a copy with known bad rows to this path "
        "(and its .manifest.json beside it)",
    )
    parser.add_argument(
        "--block-rows",
        type=int,
        default=1_000_000,
        help="more rows than this are streamed block by block (write_demo_logs: "
        "other draws than generate_demo_logs, the same planted truth); up to it, "
        "generate_demo_logs' rows (default %(default)s)",
    )
    parser.add_argument(
        "--stream",
        action="store_true",
        help="stream (write_demo_logs) whatever the rows, even up to one block",
    )
    args = parser.parse_args(argv)
    if args.dirty is None and (args.stream or args.rows > args.block_rows):
        write_demo_logs(args.rows, args.seed, args.output, args.block_rows)
        return
    logs = generate_demo_logs(args.rows, args.seed)
    if args.dirty is not None:
        write_dirty_criteo_tsv(logs, args.dirty, seed=args.seed)
    else:
        write_criteo_tsv(logs, args.output)


if __name__ == "__main__":
    main()
