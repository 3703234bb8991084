"""A small typed table with known signal, noise, a near-unique id and a constant;
and the 200k-row demo data with its planted truth (built once per session)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ctrflow.schema import DatasetSchema

ROWS = 20_000
DEMO_ROWS = 200_000  # the bundled demo's size and seed


def make_table(rows: int = ROWS, seed: int = 0) -> pl.DataFrame:
    """label depends on ``signal`` (10 values) and ``amount``; nothing else matters."""
    rng = np.random.default_rng(seed)
    signal = rng.integers(0, 10, rows)
    amount = rng.exponential(1.0, rows)
    logit = np.linspace(-2.0, 1.5, 10)[signal] + 0.8 * (amount > 1.0) - 0.5
    label = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    amount_missing = rng.random(rows) < 0.1
    return pl.DataFrame(
        {
            "label": pl.Series(label, dtype=pl.Int8),
            "signal": [f"s{v}" for v in signal],
            "noise": [f"n{v}" for v in rng.integers(0, 5, rows)],
            "user_id": [f"u{v}" for v in rng.integers(0, rows * 2, rows)],
            "constant": ["x"] * rows,
            "amount": pl.Series(np.where(amount_missing, np.nan, amount)).fill_nan(
                None
            ),
            "noise_num": rng.normal(size=rows),
            "history": [["a", "b"]] * rows,
        },
        schema_overrides={"history": pl.List(pl.String)},
    )


SCHEMA = DatasetSchema(
    label="label",
    categorical=["signal", "noise", "user_id", "constant"],
    numeric=["amount", "noise_num"],
    sequence=["history"],
)


@pytest.fixture(scope="session")
def table() -> pl.DataFrame:
    return make_table()


@pytest.fixture
def schema() -> DatasetSchema:
    return SCHEMA


@pytest.fixture(scope="session")
def demo_200k(typed_demo_table) -> pl.DataFrame:
    """The bundled demo's 200,000 rows (seed 7), typed as ingestion types them."""
    return typed_demo_table(DEMO_ROWS, seed=7)
