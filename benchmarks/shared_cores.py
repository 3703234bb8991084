"""Training throughput on shared cores: the demo DeepFM's samples/s alone and beside
one CPU-bound process, before and after ``ctrflow.training.threads``.

Each measurement is a fresh child process (OpenMP's waiting policy is fixed when
torch loads) that trains the demo's DeepFM (its defaults, batch 4096) on synthetic
ids shaped like the demo's encoded splits (38 fields, 31,085 ids, 160,000 rows)
and reports its last epoch's samples/s. "before" runs it with
``CTRFLOW_LEGACY_THREADS=1`` (torch's thread count, spinning OpenMP threads),
"after" with ctrflow's defaults. The competitor is ``python -c 'while True: pass'``,
started before the child and stopped after it. The four cases alternate for
``--repeats`` rounds; medians are reported, and each mode's loaded/quiet ratio.

    python benchmarks/shared_cores.py

writes ``benchmarks/results/shared_cores.json`` and the ``shared_cores`` section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import common

MODES = {"before": {"CTRFLOW_LEGACY_THREADS": "1"}, "after": {}}
# the demo's encoded splits (data/05_model_input): 38 categorical fields, no numeric
DEMO_FIELDS, DEMO_VOCABULARY, DEMO_TRAIN_ROWS = 38, 31_085, 160_000
BUSY_LOOP = [sys.executable, "-c", "while True: pass"]


def train_samples_per_second(rows: int, epochs: int, batch_size: int) -> dict:
    """The demo DeepFM through ``ctrflow.training.fit`` on demo-shaped synthetic
    ids; the last epoch's samples/s (the first pays one-off allocation) and the
    trainer's thread count."""
    import torch

    from ctrflow.models.layers import FieldSpec
    from ctrflow.models.registry import build_model
    from ctrflow.training.data import TensorSet
    from ctrflow.training.params import TrainingParams
    from ctrflow.training.trainer import fit

    generator = torch.Generator().manual_seed(0)
    per_field = DEMO_VOCABULARY // DEMO_FIELDS
    local = torch.randint(0, per_field, (rows, DEMO_FIELDS), generator=generator)
    ids = (local + torch.arange(DEMO_FIELDS) * per_field).to(torch.int32)
    signal = (local[:, 0] % 7 - 3).float() + (local[:, 1] % 5 - 2).float()
    labels = (torch.rand(rows, generator=generator) < torch.sigmoid(signal)).float()
    numerics = torch.zeros(rows, 0)
    valid_rows = max(2, rows // 8)
    train = TensorSet(ids[valid_rows:], numerics[valid_rows:], labels[valid_rows:])
    valid = TensorSet(ids[:valid_rows], numerics[:valid_rows], labels[:valid_rows])
    params = TrainingParams(
        model="DeepFM", device="cpu", max_epochs=epochs, early_stop_patience=epochs,
        batch_size=batch_size, progress_bar=False,
    )  # fmt: skip
    torch.manual_seed(params.seed)
    spec = FieldSpec(DEMO_VOCABULARY, DEMO_FIELDS, 0)
    model = build_model("DeepFM", spec, params.models.DeepFM)
    _, history = fit(model, train, valid, params)
    rate = history["epochs"][-1]["samples_per_second"]
    return {"samples_per_second": rate, "threads": history["threads"]}


def _child(args: argparse.Namespace) -> None:
    result = train_samples_per_second(args.rows, args.epochs, args.batch_size)
    print(json.dumps(result))  # noqa: T201 - the parent reads this line


def measure_once(mode: str, competitor: bool, args: argparse.Namespace) -> dict:
    """One child's result (``samples_per_second``, ``threads``) in ``mode``."""
    env = {**os.environ, **MODES[mode]}
    if mode == "before":  # the child must not inherit the parent's setting
        env.pop("OMP_WAIT_POLICY", None)
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child",
        "--rows", str(args.rows), "--epochs", str(args.epochs),
        "--batch-size", str(args.batch_size),
    ]  # fmt: skip
    busy = subprocess.Popen(BUSY_LOOP) if competitor else None
    try:
        done = subprocess.run(
            command, env=env, check=True, capture_output=True, text=True
        )
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every (mode, competitor) case ``args.repeats`` times, alternating."""
    runs: dict[str, dict[str, list[float]]] = {
        mode: {"quiet": [], "one_competitor": []} for mode in MODES
    }
    threads: dict[str, dict[str, list[int]]] = {
        mode: {"quiet": [], "one_competitor": []} for mode in MODES
    }
    for _ in range(args.repeats):
        for competitor in (False, True):
            for mode in MODES:
                result = measure_once(mode, competitor, args)
                key = "one_competitor" if competitor else "quiet"
                runs[mode][key].append(result["samples_per_second"])
                threads[mode][key].append(result["threads"])
    summary = {}
    for mode, cases in runs.items():
        quiet = statistics.median(cases["quiet"])
        loaded = statistics.median(cases["one_competitor"])
        summary[mode] = {
            "threads": threads[mode],  # per case, per run
            "quiet_samples_per_second": quiet,
            "one_competitor_samples_per_second": loaded,
            "ratio": loaded / quiet,
            "runs": cases,
        }
    summary["after_vs_before_quiet"] = (
        summary["after"]["quiet_samples_per_second"]
        / summary["before"]["quiet_samples_per_second"]
    )
    return summary


def markdown(result: dict[str, Any], command: str, machine: dict[str, Any]) -> str:
    rows = [
        [
            label,
            "/".join(
                str(round(statistics.median(result[mode]["threads"][case])))
                for case in ("quiet", "one_competitor")
            ),
            f"{result[mode]['quiet_samples_per_second']:,.0f}",
            f"{result[mode]['one_competitor_samples_per_second']:,.0f}",
            f"{result[mode]['ratio']:.0%}",
        ]
        for mode, label in (
            ("before", "before (`CTRFLOW_LEGACY_THREADS=1`)"),
            ("after", "after (affinity/quota threads, passive OpenMP waits)"),
        )
    ]
    return "\n".join(
        [
            f"Command: `{command}` — {common.machine_line(machine)}; demo DeepFM, "
            f"batch {result['batch_size']}, {result['rows']:,} synthetic demo-shaped "
            f"rows, last of {result['epochs']} epochs; the median of "
            f"{result['repeats']} alternating runs per case.",
            "",
            common.markdown_table(
                [
                    "",
                    "threads",
                    "quiet samples/s",
                    "beside one busy loop",
                    "loaded / quiet (target ≥ 40%)",
                ],
                rows,
            ),  # fmt: skip
            "",
            f"After / before on a quiet machine: {result['after_vs_before_quiet']:.2f}.",
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEMO_TRAIN_ROWS)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--output", type=Path, default=common.RESULTS_DIR / "shared_cores.json"
    )
    parser.add_argument("--docs-page", type=Path, default=common.DOCS_PAGE)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return None
    result = {
        "rows": args.rows, "epochs": args.epochs, "batch_size": args.batch_size,
        "repeats": args.repeats, **measure(args),
    }  # fmt: skip
    machine = common.machine()
    result["machine"] = machine
    common.write_json(args.output, result)
    command = "python benchmarks/shared_cores.py"
    common.update_docs_section(
        "shared_cores", markdown(result, command, machine), args.docs_page
    )
    print(markdown(result, command, machine))  # noqa: T201
    return result


if __name__ == "__main__":
    main()
