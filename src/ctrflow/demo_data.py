"""Seeded generator of Criteo-shaped impression logs with a planted truth.

The bundled demo data (``data/01_raw/demo/demo_logs.tsv.gz``) was made with::

    python -m ctrflow.demo_data --rows 200000 --seed 7 \
        --output data/01_raw/demo/demo_logs.tsv.gz

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
import gzip
import json
from pathlib import Path

import numpy as np
import polars as pl

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


def _zipf_ids(
    rng: np.random.Generator, rows: int, cardinality: int, exponent: float
) -> np.ndarray:
    """Ids 0..cardinality-1 with P(k) proportional to 1 / (k + 1) ** exponent."""
    if cardinality >= rows * 10:  # near-unique ids: uniform draws
        return rng.integers(0, cardinality, rows)
    weights = 1.0 / np.arange(1, cardinality + 1) ** exponent
    return rng.choice(cardinality, size=rows, p=weights / weights.sum())


def _counter(rng: np.random.Generator, rows: int, scale: float) -> np.ndarray:
    """Heavy-tailed non-negative integer counts, many zeros."""
    return np.floor(
        rng.lognormal(mean=np.log(scale), sigma=1.5, size=rows) * rng.random(rows) ** 2
    )


def _hash_ids(ids: np.ndarray, field_index: int) -> np.ndarray:
    """Distinct 8-hex-digit strings per (field, id): an odd multiplier mod 2**32 is a bijection."""
    distinct, inverse = np.unique(ids, return_inverse=True)
    hashed = (
        distinct.astype(np.uint64) * np.uint64(2654435761)
        + np.uint64(field_index * 40503)
    ) % np.uint64(2**32)
    return np.char.mod("%08x", hashed).astype(object)[inverse]


def generate_demo_logs(rows: int = 200_000, seed: int = 7) -> pl.DataFrame:
    """Draw ``rows`` impression logs with the planted truth described in the module doc.

    Returns:
        A DataFrame with ``label`` (Int8), ``I1..I13`` (Int64, nulls) and ``C1..C26``
        (String, nulls), in Criteo column order.
    """
    if rows < 1:
        raise ValueError(f"rows must be positive, got {rows}")
    rng = np.random.default_rng(seed)
    counters = {
        name: _counter(rng, rows, scale=float(2 + 3 * i))
        for i, name in enumerate(NUMERIC)
    }
    ids = {
        "C1": _zipf_ids(rng, rows, 50, 0.8),
        "C2": _zipf_ids(rng, rows, 2_000, 1.05),
        "C3": rng.integers(0, 20, rows),
        "C4": rng.integers(0, 20, rows),
        **{
            name: _zipf_ids(rng, rows, card, 1.1)
            for name, card in _NOISE_CARDINALITY.items()
        },
        "C26": np.zeros(rows, dtype=np.int64),
    }
    duplicate = ids["C1"].copy()
    replaced = rng.random(rows) < 0.05
    duplicate[replaced] = rng.integers(0, 50, int(replaced.sum()))
    ids["C5"] = duplicate

    c1_effect = rng.normal(0, 0.8, 50)
    c2_effect = rng.normal(0, 0.7, 2_000)
    c3_effect = rng.normal(0, 0.5, 20)
    c3_gain = rng.normal(0.6, 0.6, 20)  # interaction: gain[C3] * effect[C4]
    c4_effect = rng.normal(0, 1.0, 20)
    i1 = np.log1p(counters["I1"])
    i2 = np.log1p(counters["I2"])
    logit = (
        _BASE_LOGIT
        + c1_effect[ids["C1"]]
        + c2_effect[ids["C2"]]
        + c3_effect[ids["C3"]]
        + c3_gain[ids["C3"]] * c4_effect[ids["C4"]]
        + 0.45 * (i1 - i1.mean())
        - 0.35 * (i2 - i2.mean())
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
        values = pl.Series(name, _hash_ids(ids[name], field_index), dtype=pl.String)
        missing = rng.random(rows) < _MISSING_FRACTION.get(name, 0.0)
        columns[name] = (
            values.scatter(np.flatnonzero(missing), None) if missing.any() else values
        )
    return pl.DataFrame(columns)


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
    """Write logs as Criteo ``train.txt`` lines (tab-separated, no header, empty = missing), gzipped."""
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
    args = parser.parse_args(argv)
    logs = generate_demo_logs(args.rows, args.seed)
    if args.dirty is not None:
        write_dirty_criteo_tsv(logs, args.dirty, seed=args.seed)
    else:
        write_criteo_tsv(logs, args.output)


if __name__ == "__main__":
    main()
