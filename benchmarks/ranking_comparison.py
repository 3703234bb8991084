"""Rank of each planted demo field under three estimators, side by side.

Run from the project root::

    python benchmarks/ranking_comparison.py --rows 200000 --seed 7

On the demo generator's data (the bundled demo is 200,000 rows, seed 7), every
categorical and numeric field is encoded as the ranking stage encodes it (one id
per value, 32 quantile bins per counter, missing its own id) and scored against
the label by:

- OutRank's cardinality-aware MI (``MI-numba-randomized``): ours
  (``ctrflow.feature_ranking.mutual_information``) and, with ``--outrank``, OutRank
  0.97.5's own numba estimator on the same ids;
- plain MI (the same estimator without the correction, OutRank's ``MI-numba``);
- scikit-learn's ``mutual_info_classif(discrete_features=True)`` (plain plug-in
  MI from a contingency table; on ``--sklearn-rows`` rows if set).

Prints a Markdown table (rank and score per estimator, for the planted fields
and the best-ranked noise fields) and the seconds each took.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl
from sklearn.feature_selection import mutual_info_classif

from ctrflow.demo_data import CATEGORICAL, LABEL, NUMERIC, PLANTED, generate_demo_logs
from ctrflow.feature_ranking.encoding import encode_label
from ctrflow.feature_ranking.mutual_information import (
    mutual_information,
    outrank_mutual_information,
)
from ctrflow.feature_ranking.ranking import encode_fields
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label=LABEL, categorical=CATEGORICAL, numeric=NUMERIC)


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    order = sorted(scores, key=lambda name: -scores[name])  # stable: schema order
    return {name: rank for rank, name in enumerate(order, start=1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sklearn-rows", type=int, default=None)
    parser.add_argument("--outrank", action="store_true")
    args = parser.parse_args(argv)

    table = generate_demo_logs(args.rows, args.seed).with_columns(
        pl.col(NUMERIC).cast(pl.Float64)
    )
    names = [*CATEGORICAL, *NUMERIC]
    ids = encode_fields(table, SCHEMA, names, numeric_bins=32)
    label = encode_label(table[LABEL])
    columns: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}

    start = time.perf_counter()
    columns["corrected MI (ours)"] = {
        n: mutual_information(label, ids[n]).score for n in names
    }
    seconds["corrected MI (ours)"] = time.perf_counter() - start
    if args.outrank:
        start = time.perf_counter()
        columns["OutRank 0.97.5"] = {
            n: outrank_mutual_information(label, ids[n]) for n in names
        }
        seconds["OutRank 0.97.5"] = time.perf_counter() - start
    start = time.perf_counter()
    columns["plain MI"] = {
        n: mutual_information(label, ids[n], cardinality_correction=False).score
        for n in names
    }
    seconds["plain MI"] = time.perf_counter() - start

    rows = args.sklearn_rows or args.rows
    matrix = np.column_stack([ids[n][:rows] for n in names])
    start = time.perf_counter()
    sklearn = mutual_info_classif(
        matrix, label[:rows], discrete_features=True, random_state=0
    )
    seconds[f"sklearn ({rows:,} rows)"] = time.perf_counter() - start
    columns[f"sklearn ({rows:,} rows)"] = dict(zip(names, sklearn, strict=True))

    ranks = {key: _ranks(scores) for key, scores in columns.items()}
    first = ranks["corrected MI (ours)"]
    noise = sorted(PLANTED["noise"], key=first.get)[:2]
    shown = [
        *PLANTED["informative"],
        *PLANTED["near_duplicate"],
        *PLANTED["constant"],
        *PLANTED["very_high_cardinality_noise"],
        *[n for n in noise if n not in PLANTED["very_high_cardinality_noise"]],
    ]
    role = {n: "informative" for n in PLANTED["informative"]}
    role |= {"C4": "informative (through C3 x C4)", "C5": "near-duplicate of C1"}
    role |= {"C26": "constant", "C8": "noise, ~199k values"}
    header = ["field", "planted", "distinct ids"] + [
        f"{key}: rank (score)" for key in columns
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in shown:
        cells = [name, role.get(name, "noise"), f"{int(ids[name].max()) + 1:,}"]
        cells += [f"{ranks[k][name]} ({columns[k][name]:.4f})" for k in columns]
        print("| " + " | ".join(cells) + " |")
    print()
    for key, rank in ranks.items():
        top = sorted(rank, key=rank.get)[:10]
        print(f"- top 10, {key}: {', '.join(top)}")
    print()
    print(f"{args.rows:,} rows x {len(names)} fields; seconds: "
          + ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()))  # fmt: skip


if __name__ == "__main__":
    main()
