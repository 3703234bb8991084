"""What the peer scripts (and ``benchmarks/peers.py``) share: the BARS Frappe_x1
DeepFM configuration, the Frappe columns, slicing the CSVs, the process's own start
time and the result record.

No project imports: the peer scripts run in their own virtual environment
(``benchmarks/peers/setup_venv.sh``), which does not hold ctrflow.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from pathlib import Path
from typing import Any

LABEL = "label"
FIELDS = [
    "user", "item", "daytime", "weekday", "isweekend",
    "homework", "cost", "weather", "country", "city",
]  # fmt: skip
SPLIT_FILES = {
    "train": "train_reconstructed.csv.gz",
    "valid": "valid.csv.gz",
    "test": "test.csv.gz",
}

# The BARS Frappe_x1 DeepFM configuration (FuxiCTR's DeepFM_frappe_x1 tuned), the one
# conf/frappe/parameters_training.yml gives ctrflow.
BARS_DEEPFM = {
    "embedding_dim": 10,
    "hidden_units": [400, 400, 400],
    "hidden_activations": "relu",
    "batch_norm": True,
    "net_dropout": 0.2,
    "batch_size": 4096,
    "optimizer": "adam",
    "learning_rate": 1e-3,
    "embedding_regularizer": 0.05,
    "net_regularizer": 0.0,
    "early_stop_patience": 2,
    "monitor": "valid AUC",
    "max_epochs": 100,
    "seed": 2024,
}


def peer_argument_parser(description: str) -> argparse.ArgumentParser:
    """The options every peer script takes (``--data-dir``, ``--threads``,
    ``--max-epochs``, ``--train-rows``, ``--eval-rows``, ``--output``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--data-dir",
        type=Path,
        required=True,
        help="folder with train_reconstructed/valid/test .csv.gz",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-epochs", type=int, default=BARS_DEEPFM["max_epochs"])
    parser.add_argument(
        "--train-rows",
        type=int,
        default=None,
        help="first N train rows only (smoke runs)",
    )
    parser.add_argument(
        "--eval-rows",
        type=int,
        default=None,
        help="first N rows of valid and of test only (smoke runs)",
    )
    parser.add_argument("--output", type=Path, default=None)
    return parser


def process_started_at() -> float:
    """Unix time at which this process started (Linux ``/proc``), else now."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime"):
                return int(line.split()[1]) + start_ticks / ticks
    except (OSError, ValueError, IndexError):
        pass
    return time.time()


def limit_threads(threads: int) -> None:
    """Set the thread environment for libraries imported after this call."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS"):
        os.environ[name] = str(threads)


def slice_csv(source: Path, target: Path, rows: int | None) -> int:
    """Copy the header and the first ``rows`` data lines of a (gzipped) CSV to
    ``target`` (gzipped when its name ends in ``.gz``); all lines when ``rows`` is
    None. Returns the number of data lines written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    opener_in = gzip.open if source.suffix == ".gz" else open
    opener_out = gzip.open if target.suffix == ".gz" else open
    written = 0
    with opener_in(source, "rt") as src, opener_out(target, "wt") as out:
        out.write(src.readline())
        for line in src:
            if rows is not None and written >= rows:
                break
            out.write(line)
            written += 1
    return written


def best_epoch(epochs: list[dict[str, Any]]) -> int:
    """The first epoch with the highest validation AUC (1-based), 0 when none."""
    best, best_auc = 0, float("-inf")
    for entry in epochs:
        if entry["valid_auc"] > best_auc + 1e-6:
            best, best_auc = entry["epoch"], entry["valid_auc"]
    return best


def result_record(
    *,
    tool: str,
    version: str,
    threads: int,
    config: dict[str, Any],
    rows: dict[str, int],
    started_at: float,
    training_started_at: float,
    epochs: list[dict[str, Any]],
    test_auc: float,
    test_logloss: float,
    notes: list[str],
) -> dict[str, Any]:
    """One peer's result: the record ``benchmarks/peers.py`` reads.

    ``epochs``: ``{epoch, valid_auc, valid_logloss, train_seconds, finished_at}``
    each, ``train_seconds`` the epoch's training alone (validation excluded),
    ``finished_at`` Unix time after its validation.
    """
    import torch

    train_seconds = sum(e["train_seconds"] for e in epochs)
    finished_at = time.time()
    return {
        "tool": tool,
        "version": version,
        "torch": torch.__version__,
        "threads": threads,
        "torch_threads": torch.get_num_threads(),
        "config": config,
        "rows": rows,
        "started_at": started_at,
        "training_started_at": training_started_at,
        "finished_at": finished_at,
        "preprocessing_seconds": training_started_at - started_at,
        "end_to_end_seconds": finished_at - started_at,
        "epochs": [
            {**e, "seconds_since_start": e["finished_at"] - started_at} for e in epochs
        ],
        "epochs_run": len(epochs),
        "best_epoch": best_epoch(epochs),
        "train_seconds": train_seconds,
        "train_samples_per_second": (
            rows["train"] * len(epochs) / train_seconds if train_seconds else None
        ),
        "test_auc": test_auc,
        "test_logloss": test_logloss,
        "notes": notes,
    }


def write_result(path: Path | None, record: dict[str, Any]) -> None:
    """Print the record's headline and write it as JSON to ``path``."""
    print(
        f"{record['tool']}: test AUC {record['test_auc']:.5f}, logloss "
        f"{record['test_logloss']:.5f}, {record['epochs_run']} epochs (best "
        f"{record['best_epoch']}), {record['train_samples_per_second']:.0f} train "
        f"samples/s, preprocessing {record['preprocessing_seconds']:.1f} s, end to "
        f"end {record['end_to_end_seconds']:.1f} s",
        flush=True,
    )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=2) + "\n")
