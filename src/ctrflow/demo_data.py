"""Seeded generator of Criteo-shaped impression logs with a planted truth.

The bundled demo data (``data/01_raw/demo/demo_logs.tsv.gz``) was made with::

    python -m ctrflow.demo_data --rows 200000 --seed 7 \
        --output data/01_raw/demo/demo_logs.tsv.gz

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


def write_criteo_tsv(logs: pl.DataFrame, output: Path) -> None:
    """Write logs as Criteo ``train.txt`` lines (tab-separated, no header, empty = missing), gzipped."""
    output.parent.mkdir(parents=True, exist_ok=True)
    text = logs.write_csv(separator="\t", include_header=False, null_value="")
    with gzip.open(output, "wb", compresslevel=9) as handle:
        handle.write(text.encode())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--output", type=Path, default=Path("data/01_raw/demo/demo_logs.tsv.gz")
    )
    args = parser.parse_args(argv)
    write_criteo_tsv(generate_demo_logs(args.rows, args.seed), args.output)


if __name__ == "__main__":
    main()
