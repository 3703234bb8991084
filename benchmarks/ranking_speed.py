"""Seconds to rank 1,000,000 rows x 39 fields (the demo generator's layout).

Run from the project root::

    python benchmarks/ranking_speed.py --rows 1000000 --output ranking_speed.json

Times, on the same typed table: the relevance scores alone
(``ctrflow.feature_ranking.rank_features``) and the whole ranking node (relevance,
redundancy between the 15 best fields, the 28 pairs of the 8 best, selection,
plot) with the default ``conf/base/parameters_feature_ranking.yml`` settings, the
AUC-vs-k node excluded. Generating the data is not timed. The table is typed as
ingestion types it (label Int8, counters Float64, ids String).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import polars as pl
import yaml

from ctrflow.demo_data import CATEGORICAL, LABEL, NUMERIC, generate_demo_logs
from ctrflow.feature_ranking.params import FeatureRankingParams
from ctrflow.feature_ranking.ranking import rank_features
from ctrflow.pipelines.feature_ranking.nodes import rank_features as rank_node
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(label=LABEL, categorical=CATEGORICAL, numeric=NUMERIC)
PARAMETERS = (
    Path(__file__).resolve().parents[1] / "conf/base/parameters_feature_ranking.yml"
)
PASSED = {"success": True, "blocking_failures": [], "warnings": []}


def _best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    table = generate_demo_logs(args.rows, args.seed).with_columns(
        pl.col(LABEL).cast(pl.Int8),
        pl.col(NUMERIC).cast(pl.Float64),
        pl.col(CATEGORICAL).cast(pl.String),
    )
    generate_seconds = time.perf_counter() - start
    params = FeatureRankingParams(
        **yaml.safe_load(PARAMETERS.read_text())["feature_ranking"]
    )

    relevance = _best_of(args.repeats, lambda: rank_features(table, SCHEMA, params))
    node = _best_of(args.repeats, lambda: rank_node(table, PASSED, SCHEMA, params))
    result = {
        "rows": table.height,
        "fields": len(SCHEMA.categorical) + len(SCHEMA.numeric),
        "relevance_seconds": round(relevance, 3),
        "rank_node_seconds": round(node, 3),
        "generate_seconds_not_timed": round(generate_seconds, 3),
        "repeats_best_of": args.repeats,
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "polars": pl.__version__,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
