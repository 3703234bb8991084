"""Small data: the default model against the logistic-regression yardstick.

The display-ads generator of tests/test_own_logs.py
(``ctrflow.demo_data.generate_display_ads``: 6,000 / 1,500 / 1,500 rows, label
``clicked``) in a new environment written as docs/adding_a_dataset.md says (a
catalog and a schema), ``kedro run --pipeline=train`` through ``KedroSession``
with every default, for each draw (``--seeds``), each kind of clicks (additive:
the regression's own family; with interactions) and ``training.baseline_floor``
false (the model as trained) and auto (the default). Each run is a fresh child
process in a throwaway project copy; the test AUC of the model and of the run's
baseline are read from its ``metrics.json``.

    python benchmarks/small_data.py

writes ``benchmarks/results/small_data.json`` and the ``small_data`` section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import common

ROOT = Path(__file__).resolve().parents[1]
ROWS = {"train": 6000, "valid": 1500, "test": 1500}
START = 1_750_000_000
SCHEMA = {
    "label": "clicked",
    "timestamp": "click_time",
    "categorical": ["user_id", "site", "site_group", "ad", "device", "conversion_id"],
    "numeric": ["price"],
    "sequence": [],
    "derived": [{"column": "click_time", "extract": ["hour", "weekday"]}],
}
FLOORS = {"false": False, "auto": "auto"}

_CHILD = """
import json, sys
from pathlib import Path
import numpy as np, torch, yaml
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from ctrflow.demo_data import generate_display_ads

project, kind, seed, floor = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
spec = json.loads(sys.argv[5])
torch.set_num_threads(1)
raw = project / "mylogs"
raw.mkdir()
rng, offset = np.random.default_rng(seed), 0
for split, rows in spec["rows"].items():
    frame = generate_display_ads(rows, rng, spec["start"] + offset, kind == "interactions")
    offset += 14 * 86_400
    frame.write_csv(raw / f"{split}.csv", include_header=split == "train")
env = project / "conf" / "mylogs"
env.mkdir()
catalog = {"raw_logs": {"type": "ctrflow.datasets.ImpressionLogDataset",
    "file_format": "csv",
    "filepaths": {s: str(raw / f"{s}.csv") for s in spec["rows"]}}}
(env / "catalog.yml").write_text(yaml.safe_dump(catalog))
(env / "parameters.yml").write_text(yaml.safe_dump({"schema": spec["schema"]}))
bootstrap_project(project)
floor = {"false": False, "auto": "auto"}[floor]
with KedroSession.create(project_path=project, env="mylogs",
        runtime_params={"training": {"baseline_floor": floor}}) as session:
    session.run(pipeline_names=["train"])
metrics = sorted((project / "data/08_reporting/evaluation/metrics.json").glob("*/metrics.json"))[-1]
print("METRICS", metrics.read_text().replace("\\n", " "))
"""


def run_one(kind: str, seed: int, floor: str) -> dict[str, Any]:
    """One ``kedro run --pipeline=train`` in a throwaway project copy."""
    with tempfile.TemporaryDirectory(prefix="ctrflow-small-") as folder:
        project = Path(folder)
        shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
        shutil.copytree(ROOT / "conf", project / "conf")
        (project / "conf" / "local").mkdir(exist_ok=True)
        (project / "src").mkdir()
        shutil.copy(ROOT / ".telemetry", project / ".telemetry")
        spec = json.dumps({"rows": ROWS, "start": START, "schema": SCHEMA})
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(project), kind, str(seed), floor, spec],
            capture_output=True,
            text=True,
            check=False,
        )
        line = next(
            (x for x in done.stdout.splitlines() if x.startswith("METRICS ")), None
        )
        if done.returncode or line is None:
            raise RuntimeError(
                f"{kind} seed {seed} floor {floor}:\n{done.stderr[-3000:]}"
            )
    metrics = json.loads(line.removeprefix("METRICS "))
    floor_record = metrics["training"].get("baseline_floor") or {}
    return {
        "kind": kind,
        "seed": seed,
        "baseline_floor": floor,
        "auc": metrics["auc"],
        "baseline_auc": metrics["baseline"]["auc"],
        "difference": metrics["auc"] - metrics["baseline"]["auc"],
        "regression_kept": bool(floor_record.get("applied")),
        "best_epoch": metrics["best_epoch"],
    }


def markdown(results: list[dict[str, Any]], seeds: list[int], machine: dict) -> str:
    rows = []
    for kind in ("additive", "interactions"):
        for floor in FLOORS:
            runs = [
                r for r in results if r["kind"] == kind and r["baseline_floor"] == floor
            ]
            runs.sort(key=lambda r: seeds.index(r["seed"]))
            rows.append(
                [
                    "additive" if kind == "additive" else "with interactions",
                    floor,
                    " / ".join(f"{r['auc']:.4f}" for r in runs),
                    " / ".join(f"{r['baseline_auc']:.4f}" for r in runs),
                    " / ".join(
                        f"{round(r['difference'], 4) or 0.0:+.4f}" for r in runs
                    ),
                    " / ".join("yes" if r["regression_kept"] else "no" for r in runs),
                ]
            )
    table = common.markdown_table(
        [
            "clicks follow",
            "`baseline_floor`",
            "DeepFM test AUC",
            "baseline test AUC",
            "DeepFM − baseline",
            "regression kept",
        ],
        rows,
    )
    return (
        f"`python benchmarks/small_data.py` (seeds {' / '.join(map(str, seeds))}; "
        f"{common.machine_line(machine)}):\n\n{table}"
    )


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[2024, 1, 2])
    args = parser.parse_args(argv)
    results = []
    for kind in ("additive", "interactions"):
        for seed in args.seeds:
            for floor in FLOORS:
                result = run_one(kind, seed, floor)
                print(json.dumps(result), flush=True)
                results.append(result)
    machine = common.machine()
    common.write_json(
        ROOT / "benchmarks" / "results" / "small_data.json",
        {"machine": machine, "results": results},
    )
    common.update_docs_section("small_data", markdown(results, args.seeds, machine))
    return results


if __name__ == "__main__":
    main()
