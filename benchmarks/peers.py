"""ctrflow, DeepCTR-Torch and FuxiCTR side by side: the BARS Frappe_x1 DeepFM on the
same Frappe files, the same machine and the same thread count, one after another.

Run from the project root with the project's environment active::

    python benchmarks/peers.py --peers-venv /tmp/peers --threads 2

Each tool runs as one child process measured by ``common.run_measured`` (wall seconds,
peak resident memory):

1. ctrflow: ``kedro run --pipeline=train --env frappe --params
   "training.num_threads=N,training.progress_bar=false"``; its numbers come from the
   newest training history and evaluation metrics the run wrote.
2. DeepCTR-Torch 0.3.0: ``benchmarks/peers/run_deepctr.py`` in the peers venv.
3. FuxiCTR 2.3.10: ``benchmarks/peers/run_fuxictr.py`` in the peers venv.

The peers venv (``--peers-venv``) is built by ``bash benchmarks/peers/setup_venv.sh
PATH``; the project's own venv never holds the peers. Every child gets
``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``POLARS_MAX_THREADS`` = ``--threads``
and sets ``torch.set_num_threads`` to it (ctrflow through ``training.num_threads``,
FuxiCTR also starts Ray with ``num_cpus`` = ``--threads``).

Full run (no limit options): ctrflow runs in the project itself (outputs under
``data/frappe/``); results go to ``benchmarks/results/peers.json`` (with each peer
script's own result JSON and the chart's figure JSON beside it), the chart to
``docs/img/peers_auc_vs_seconds.html`` and the table to the ``peers`` section of
``docs/benchmarks.md``.

Smoke runs: ``--max-epochs N`` caps all three (ctrflow via ``training.max_epochs``);
``--train-rows N`` / ``--eval-rows N`` keep the first N rows of train / of valid and
test. With any of these (or ``--scratch``), ctrflow runs in a throw-away copy of the
project (``pyproject.toml`` and ``conf/``) whose shared-data folder
(``CTRFLOW_SHARED_DATA``) holds the sliced CSVs, so the project's ``data/frappe``
stays as the full runs left it; results go to ``benchmarks/results/peers_smoke.json``
and ``peers_smoke_auc_vs_seconds.html`` there, and no docs page is touched unless
``--docs-page`` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

PEERS_DIR = Path(__file__).resolve().parent / "peers"
sys.path.insert(0, str(PEERS_DIR))
from peer_common import SPLIT_FILES, best_epoch, slice_csv  # noqa: E402

TOOLS = ("ctrflow", "ctrflow-fast", "deepctr", "fuxictr")
# ctrflow-fast: the same run with early_stop_min_delta, so an epoch that adds less
# than FAST_MIN_DELTA validation AUC does not reset the patience (stops sooner)
FAST_MIN_DELTA = 0.001
LABELS = {
    "ctrflow": "ctrflow",
    "ctrflow-fast": f"ctrflow, min_delta {FAST_MIN_DELTA}",
    "deepctr": "DeepCTR-Torch 0.3.0",
    "fuxictr": "FuxiCTR 2.3.10",
}
PEER_SCRIPTS = {
    "deepctr": PEERS_DIR / "run_deepctr.py",
    "fuxictr": PEERS_DIR / "run_fuxictr.py",
}
HISTORY = "06_models/training_history.json"
METRICS = "08_reporting/evaluation/metrics.json"
CHART_HTML = common.PROJECT_ROOT / "docs" / "img" / "peers_auc_vs_seconds.html"
KEDRO_VERSION_FORMAT = "%Y-%m-%dT%H.%M.%S.%fZ"


def default_data_dir() -> Path:
    """``$CTRFLOW_SHARED_DATA/frappe_x1``, else ``../shared/data/frappe_x1``."""
    root = os.environ.get("CTRFLOW_SHARED_DATA")
    base = Path(root) if root else common.PROJECT_ROOT.parent / "shared" / "data"
    return (base / "frappe_x1").resolve()


def thread_env(threads: int) -> dict[str, str]:
    """The thread environment every child gets."""
    value = str(threads)
    return {
        "OMP_NUM_THREADS": value,
        "MKL_NUM_THREADS": value,
        "POLARS_MAX_THREADS": value,
    }


def ctrflow_command(
    threads: int, max_epochs: int | None, fast: bool = False
) -> list[str]:
    """``kedro run`` of the train pipeline on Frappe with the thread count (and cap);
    ``fast`` adds ``training.early_stop_min_delta=FAST_MIN_DELTA``."""
    params = [f"training.num_threads={threads}", "training.progress_bar=false"]
    if fast:
        params.append(f"training.early_stop_min_delta={FAST_MIN_DELTA}")
    if max_epochs is not None:
        params.append(f"training.max_epochs={max_epochs}")
    kedro = Path(sys.executable).with_name("kedro")
    return [
        str(kedro),
        "run",
        "--pipeline=train",
        "--env",
        "frappe",
        "--params",
        ",".join(params),
    ]


def peer_command(
    tool: str, python: Path, *, data_dir: Path, threads: int, output: Path,
    max_epochs: int | None, train_rows: int | None, eval_rows: int | None,
) -> list[str]:  # fmt: skip
    """The peer script's command line in the peers venv."""
    command = [str(python), str(PEER_SCRIPTS[tool]), "--data-dir", str(data_dir),
               "--threads", str(threads), "--output", str(output)]  # fmt: skip
    for flag, value in (("--max-epochs", max_epochs), ("--train-rows", train_rows),
                        ("--eval-rows", eval_rows)):  # fmt: skip
        if value is not None:
            command += [flag, str(value)]
    return command


def make_scratch_project(
    scratch: Path, data_dir: Path, train_rows: int | None, eval_rows: int | None
) -> tuple[Path, Path]:
    """A throw-away ctrflow project (``pyproject.toml``, ``conf/``, an empty ``src/``:
    ctrflow itself is installed) and a shared-data folder whose ``frappe_x1`` holds
    the first ``train_rows`` / ``eval_rows`` rows of the splits (links to the original
    files where a split is not cut). Returns (project, shared-data folder)."""
    project, shared = scratch / "project", scratch / "shared"
    project.mkdir(parents=True)
    shutil.copy(common.PROJECT_ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(common.PROJECT_ROOT / "conf", project / "conf")
    (project / "conf" / "local").mkdir(exist_ok=True)
    (project / "src").mkdir()
    telemetry = common.PROJECT_ROOT / ".telemetry"
    if telemetry.exists():
        shutil.copy(telemetry, project / ".telemetry")
    limits = {"train": train_rows, "valid": eval_rows, "test": eval_rows}
    for split, name in SPLIT_FILES.items():
        target = shared / "frappe_x1" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if limits[split] is None:
            target.symlink_to(data_dir / name)
        else:
            slice_csv(data_dir / name, target, limits[split])
    return project, shared


def kedro_version_time(name: str) -> float:
    """Unix time of a Kedro dataset version (``2026-11-23T16.40.23.639Z``)."""
    stamp = dt.datetime.strptime(name, KEDRO_VERSION_FORMAT)
    return stamp.replace(tzinfo=dt.timezone.utc).timestamp()


def newest_version(entry: Path, not_before: float | None = None) -> Path:
    """The file of the newest version of a versioned Kedro entry.

    Raises:
        FileNotFoundError: no version, or none written at or after ``not_before``.
    """
    versions = sorted(
        (kedro_version_time(p.name), p) for p in entry.glob("*") if p.is_dir()
    )
    if not versions:
        raise FileNotFoundError(f"no version of {entry}")
    stamp, folder = versions[-1]
    if not_before is not None and stamp < not_before - 1.0:
        raise FileNotFoundError(
            f"newest version of {entry} ({folder.name}) predates this run: the ctrflow "
            "run wrote none (see its log)"
        )
    return folder / entry.name


def ctrflow_record(
    data_root: Path, launched_at: float, threads: int, not_before: float | None = None
) -> dict[str, Any]:
    """ctrflow's run in the peer scripts' record layout, from the newest training
    history and metrics under ``data_root`` (``data/frappe``).

    ``training_started_at`` is estimated: the first epoch's end minus its training
    seconds minus one validation (the median of the later epochs' validation time,
    which is the gap between two epochs' ends less the later one's training; 0 with
    a single epoch)."""
    history = json.loads(newest_version(data_root / HISTORY, not_before).read_text())
    metrics = json.loads(newest_version(data_root / METRICS, not_before).read_text())
    epochs = [
        {
            "epoch": e["epoch"],
            "valid_auc": e["valid_auc"],
            "valid_logloss": e["valid_logloss"],
            "learning_rate": e["learning_rate"],
            "train_seconds": e["seconds"],
            "finished_at": e["finished_at"],
            "seconds_since_start": e["finished_at"] - launched_at,
        }
        for e in history["epochs"]
    ]
    gaps = [
        later["finished_at"] - earlier["finished_at"] - later["train_seconds"]
        for earlier, later in zip(epochs, epochs[1:], strict=False)
    ]
    validation = statistics.median(gaps) if gaps else 0.0
    training_started_at = (
        epochs[0]["finished_at"] - epochs[0]["train_seconds"] - validation
    )
    train_seconds = history["train_seconds"]
    rows_train = round(
        history["train_samples_per_second"] * train_seconds / len(epochs)
    )
    return {
        "tool": "ctrflow",
        "threads": threads,
        "rows": {"train": rows_train, "test": metrics["rows"]},
        "started_at": launched_at,
        "training_started_at": training_started_at,
        "preprocessing_seconds": training_started_at - launched_at,
        "epochs": epochs,
        "epochs_run": len(epochs),
        "best_epoch": history["best_epoch"],
        "train_seconds": train_seconds,
        "train_samples_per_second": history["train_samples_per_second"],
        "test_auc": metrics["auc"],
        "test_logloss": metrics["logloss"],
        "device": history.get("device"),
        "notes": [
            "preprocessing = the train pipeline's stages before training (ingestion, "
            "data quality, feature ranking, feature engineering) plus Kedro start-up",
            "training start estimated from the history (first epoch's end - its "
            "training seconds - one validation)",
        ],
    }


def summarize(
    record: dict[str, Any], measured: common.Measured, launched_at: float
) -> dict:
    """One tool's row: the record's numbers re-based on the parent's launch time
    (preprocessing, curve) and the measured wall time and peak memory."""
    curve = [
        {"epoch": e["epoch"], "seconds": round(e["finished_at"] - launched_at, 3),
         "valid_auc": e["valid_auc"]}
        for e in record["epochs"]
    ]  # fmt: skip
    return {
        "test_auc": record["test_auc"],
        "test_logloss": record["test_logloss"],
        "epochs": record["epochs_run"],
        "best_epoch": record.get("best_epoch") or best_epoch(record["epochs"]),
        "train_rows": record["rows"]["train"],
        "train_seconds": record["train_seconds"],
        "train_samples_per_second": record["train_samples_per_second"],
        "preprocessing_seconds": record["training_started_at"] - launched_at,
        "end_to_end_seconds": measured.seconds,
        "peak_rss_gib": measured.peak_rss_gib,
        "returncode": measured.returncode,
        "curve": curve,
    }


def ratios(
    results: dict[str, dict], ours_name: str = "ctrflow"
) -> dict[str, dict[str, float]]:
    """A ctrflow run against each peer: ``end_to_end_time_ratio`` = ctrflow's
    seconds / the peer's (below 1: ctrflow faster) and
    ``train_samples_per_second_ratio`` = ctrflow's training throughput / the
    peer's (above 1: ctrflow faster)."""
    ours = results.get(ours_name)
    if not ours:
        return {}
    out = {}
    for tool, row in results.items():
        if tool.startswith("ctrflow"):
            continue
        out[tool] = {
            "end_to_end_time_ratio": ours["end_to_end_seconds"]
            / row["end_to_end_seconds"],
            "train_samples_per_second_ratio": (
                ours["train_samples_per_second"] / row["train_samples_per_second"]
            ),
        }
    return out


def auc_figure(results: dict[str, dict]):
    """Validation AUC against seconds since each tool's process started."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for tool, row in results.items():
        figure.add_trace(go.Scatter(
            x=[p["seconds"] for p in row["curve"]],
            y=[p["valid_auc"] for p in row["curve"]],
            mode="lines+markers", name=LABELS.get(tool, tool),
            text=[f"epoch {p['epoch']}" for p in row["curve"]],
            hovertemplate="%{text}: AUC %{y:.5f} at %{x:.1f} s<extra></extra>",
        ))  # fmt: skip
    figure.update_layout(
        title="Frappe DeepFM (BARS configuration): validation AUC against wall seconds",
        xaxis_title="seconds since the process started",
        yaxis_title="validation AUC", template="plotly_white",
    )  # fmt: skip
    return figure


def _gib(value: float) -> str:
    return f"{value:.2f}"


def docs_markdown(
    results: dict[str, dict], rates: dict[str, dict[str, dict]], info: dict[str, Any], *,
    command: str, chart_link: str, settings: dict[str, Any],
    ceiling: dict[str, Any] | None = None,
) -> str:  # fmt: skip
    """The ``peers`` section of docs/benchmarks.md; ``rates``: each ctrflow run
    (``ctrflow``, ``ctrflow-fast``) against each peer (``ratios``)."""
    header = ["tool", "test AUC", "test logloss", "epochs (best)", "train samples/s",
              "preprocessing s", "end to end s", "peak memory GiB"]  # fmt: skip
    rows = [
        [LABELS.get(tool, tool), f"{r['test_auc']:.5f}", f"{r['test_logloss']:.5f}",
         f"{r['epochs']} ({r['best_epoch']})", f"{r['train_samples_per_second'] / 1000:.1f}k",
         f"{r['preprocessing_seconds']:.1f}", f"{r['end_to_end_seconds']:.1f}",
         _gib(r["peak_rss_gib"])]
        for tool, r in results.items()
    ]  # fmt: skip
    lines = [
        "## Frappe: ctrflow against DeepCTR-Torch and FuxiCTR",
        "",
        "Command (from the project root; the peers' venv from "
        "`bash benchmarks/peers/setup_venv.sh /tmp/peers`):",
        "",
        "```bash",
        command,
        f"# -> {settings['json_path']}, {settings['chart_path']}",
        "```",
        "",
        f"Machine: {common.machine_line(info)}.",
    ]
    if settings.get("limited"):
        lines += [
            "",
            f"**Smoke run, not the benchmark**: max epochs {settings['max_epochs']}, "
            f"train rows {settings['train_rows']}, valid/test rows {settings['eval_rows']}.",
        ]
    lines += [
        "",
        "The BARS Frappe_x1 DeepFM in each tool, on the same files, one tool after the "
        f"other with {settings['threads']} threads each (embedding 10, MLP 400×3 with "
        "batch-norm, dropout 0.2, batch 4096, Adam 1e-3, embedding L2 0.05, net L2 0, "
        "early stopping on validation AUC with patience 2 and the best weights "
        "restored, seed 2024, at most 100 epochs).",
        "",
        common.markdown_table(header, rows),
        "",
    ]
    for ours, against in rates.items():  # each ctrflow run against each peer
        for tool, rate in against.items():
            lines.append(
                f"- {LABELS[ours]} against {LABELS[tool]}: end to end "
                f"{rate['end_to_end_time_ratio']:.2f}× its time "
                f"({1 / rate['end_to_end_time_ratio']:.2f}× as fast), training "
                f"throughput {rate['train_samples_per_second_ratio']:.2f}× its samples/s."
            )
    fraction = ceiling_fraction(results, ceiling)
    if fraction is not None:
        bare = ceiling["bare_mlp_samples_per_second"]
        lines.append(
            f"- The machine's ceiling for this model, measured in the same run "
            f"(`benchmarks/ceiling.py`, section below): the bare MLP (Linear + ReLU, "
            f"Adam) trains {bare / 1000:.1f}k samples/s; ctrflow's training above is "
            f"{fraction:.2f} of it (target ≥ 0.8)."
        )
    lines += [
        "",
        "What the columns mean: train samples/s = train rows × epochs / training "
        "seconds (validation excluded); preprocessing = from the process's start to "
        "the first training batch (ctrflow: ingestion, data quality, feature ranking "
        "and encoding; FuxiCTR: gunzip, `FeatureProcessor` fit and its Ray CSV→Parquet "
        "build; DeepCTR-Torch: pandas reads and vocabularies); end to end = the "
        "child's wall time, test evaluation included; peak memory = the child's "
        "largest process's peak RSS (for FuxiCTR, not the sum over Ray's worker "
        "processes).",
        "",
        f"{LABELS['ctrflow-fast']}: the same ctrflow command plus `--params "
        f"training.early_stop_min_delta={FAST_MIN_DELTA}`: an epoch that adds less "
        "validation AUC than that does not reset the patience, so the run stops once "
        "the gains are that small (the best epoch's weights are kept).",
        "",
        "Differences that stay: DeepCTR-Torch has no learning-rate decay on plateau "
        "and no gradient clipping; its L2 is λ·Σw² on the embeddings and the linear "
        "part (FuxiCTR and ctrflow: λ/2·Σw²) and it sums the log loss over the batch "
        "where the others average it, so its L2 weighs about 1/4096 as much. FuxiCTR's DeepFM is composed from "
        "`fuxictr.pytorch` layers (the pip package ships no model zoo), its vocabulary "
        "keeps every train value (min count 1; ctrflow: 2) and Ray shuffles unseeded.",
        "",
        f"Validation AUC against wall seconds, all three: [{Path(chart_link).name}]({chart_link}).",
        "",
        "Each peer alone (its result JSON is also inside `peers.json`):",
        "",
        "```bash",
        "/tmp/peers/bin/python benchmarks/peers/run_deepctr.py --data-dir "
        f"../shared/data/frappe_x1 --threads {settings['threads']} --output deepctr.json",
        "/tmp/peers/bin/python benchmarks/peers/run_fuxictr.py --data-dir "
        f"../shared/data/frappe_x1 --threads {settings['threads']} --output fuxictr.json",
        "```",
    ]
    return "\n".join(lines)


def run_tool(
    tool: str, args: argparse.Namespace, *, data_dir: Path, ctrflow_project: Path,
    ctrflow_env: dict[str, str], work: Path,
) -> tuple[dict, dict]:  # fmt: skip
    """Run one tool as a measured child; return (its record, its summary row)."""
    log = work / f"{tool}.log"
    env = thread_env(args.threads)
    print(f"[peers] {LABELS[tool]}: running (log: {log})", flush=True)
    launched_at = time.time()
    if tool.startswith("ctrflow"):
        command = ctrflow_command(
            args.threads, args.max_epochs, fast=tool == "ctrflow-fast"
        )
        measured = common.run_measured(
            command, env={**env, **ctrflow_env}, cwd=ctrflow_project, log_path=log
        )
        _check(tool, measured, log)
        record = ctrflow_record(
            ctrflow_project / "data" / "frappe", launched_at, args.threads,
            not_before=launched_at,
        )  # fmt: skip
    else:
        output = work / f"{tool}.json"
        command = peer_command(
            tool, args.peers_venv / "bin" / "python", data_dir=data_dir,
            threads=args.threads, output=output, max_epochs=args.max_epochs,
            train_rows=args.train_rows, eval_rows=args.eval_rows,
        )  # fmt: skip
        measured = common.run_measured(command, env=env, cwd=work, log_path=log)
        _check(tool, measured, log)
        record = json.loads(output.read_text())
    row = summarize(record, measured, launched_at)
    row["command"] = " ".join(command)
    print(
        f"[peers] {LABELS[tool]}: test AUC {row['test_auc']:.5f}, logloss "
        f"{row['test_logloss']:.5f}, {row['epochs']} epochs (best {row['best_epoch']}), "
        f"{row['train_samples_per_second']:.0f} samples/s, preprocessing "
        f"{row['preprocessing_seconds']:.1f} s, end to end {row['end_to_end_seconds']:.1f} s, "
        f"peak {row['peak_rss_gib']:.2f} GiB",
        flush=True,
    )
    return record, row


def _check(tool: str, measured: common.Measured, log: Path) -> None:
    if measured.returncode != 0:
        tail = log.read_text()[-3000:] if log.exists() else ""
        raise RuntimeError(
            f"{tool} exited with {measured.returncode}; log {log}:\n{tail}"
        )


def run_ceiling(
    args: argparse.Namespace, work: Path, docs_page: Path | None
) -> dict[str, Any]:
    """``benchmarks/ceiling.py`` in a child with the same threads: the machine's
    limit for this model, measured in the same run as the tools (it also updates
    its own ``ceiling`` docs section when ``docs_page`` is given)."""
    output = work / "ceiling.json"
    command = [
        sys.executable, str(Path(__file__).with_name("ceiling.py")),
        "--threads", str(args.threads), "--output", str(output),
        "--docs-page", str(docs_page or work / "ceiling.md"),
    ]  # fmt: skip
    measured = common.run_measured(
        command, env=thread_env(args.threads), log_path=work / "ceiling.log"
    )
    _check("ceiling", measured, work / "ceiling.log")
    return json.loads(output.read_text())


def ceiling_fraction(
    results: dict[str, dict], ceiling: dict[str, Any] | None
) -> float | None:
    """ctrflow's training samples/s in its run over the bare-MLP samples/s."""
    if not ceiling or "ctrflow" not in results:
        return None
    bare = ceiling["bare_mlp_samples_per_second"]
    return results["ctrflow"]["train_samples_per_second"] / bare


def write_outputs(
    results: dict[str, dict], records: dict[str, dict], args: argparse.Namespace,
    *, json_path: Path, chart_path: Path, docs_page: Path | None, command: str,
    ceiling: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """peers.json (with each tool's record and the ratios), the chart (HTML and
    figure JSON) and, when ``docs_page`` is given, its ``peers`` section."""
    info = common.machine()
    rates = {ours: ratios(results, ours) for ours in ("ctrflow", "ctrflow-fast")}
    settings = {
        "threads": args.threads, "max_epochs": args.max_epochs,
        "train_rows": args.train_rows, "eval_rows": args.eval_rows,
        "limited": limited(args),
        "json_path": _shown(json_path), "chart_path": _shown(chart_path),
    }  # fmt: skip
    figure = auc_figure(results)
    chart_path.parent.mkdir(parents=True, exist_ok=True)
    figure.write_html(chart_path, include_plotlyjs="cdn")
    figure_json = json_path.with_name(json_path.stem + "_auc_vs_seconds.json")
    figure_json.parent.mkdir(parents=True, exist_ok=True)
    figure_json.write_text(figure.to_json())
    payload = {
        "command": command,
        "machine": info,
        "settings": settings,
        "results": results,
        "ratios": rates["ctrflow"],
        "ratios_fast": rates["ctrflow-fast"],
        "ceiling": ceiling,
        "ctrflow_fraction_of_bare_mlp": ceiling_fraction(results, ceiling),
        "records": records,
        "chart_html": str(chart_path),
        "chart_json": str(figure_json),
    }
    common.write_json(json_path, payload)
    if docs_page is not None:
        link = os.path.relpath(chart_path, docs_page.parent)
        common.update_docs_section(
            "peers",
            docs_markdown(
                results,
                rates,
                info,
                command=command,
                chart_link=link,
                settings=settings,
                ceiling=ceiling,
            ),
            docs_page,
        )
    return payload


def _shown(path: Path) -> str:
    """``path`` relative to the project root when inside it."""
    try:
        return str(path.resolve().relative_to(common.PROJECT_ROOT))
    except ValueError:
        return str(path)


def limited(args: argparse.Namespace) -> bool:
    return any(
        v is not None for v in (args.max_epochs, args.train_rows, args.eval_rows)
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--peers-venv",
        type=Path,
        default=Path("/tmp/peers"),
        help="venv with deepctr-torch and fuxictr (benchmarks/peers/setup_venv.sh)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder with the Frappe CSVs (default: <shared data>/frappe_x1)",
    )
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="comma-separated subset of " + ",".join(TOOLS),
    )
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--train-rows", type=int, default=None)
    parser.add_argument("--eval-rows", type=int, default=None)
    parser.add_argument(
        "--scratch",
        action="store_true",
        help="run ctrflow in a throw-away project copy even for a full run",
    )
    parser.add_argument(
        "--keep-work",
        action="store_true",
        help="keep the work folder (logs, peer JSON, scratch project)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="result JSON (default benchmarks/results/peers.json, "
        "peers_smoke.json for limited runs)",
    )
    parser.add_argument("--chart", type=Path, default=None, help="chart HTML path")
    parser.add_argument(
        "--no-ceiling",
        action="store_true",
        help="skip benchmarks/ceiling.py (run by default before the tools, same run)",
    )
    parser.add_argument(
        "--docs-page",
        type=Path,
        default=None,
        help="page whose `peers` section to update (default: "
        "docs/benchmarks.md for full runs, none for limited runs)",
    )
    args = parser.parse_args(argv)  # fmt: skip
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(args.tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; choose from {TOOLS}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    command = "python benchmarks/peers.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    data_dir = (args.data_dir or default_data_dir()).resolve()
    missing = [n for n in SPLIT_FILES.values() if not (data_dir / n).is_file()]
    if missing:
        sys.exit(f"Frappe files {missing} not found in {data_dir} (--data-dir or "
                 "CTRFLOW_SHARED_DATA)")  # fmt: skip
    peers = [t for t in args.tools if not t.startswith("ctrflow")]
    if peers and not (args.peers_venv / "bin" / "python").exists():
        sys.exit(f"no peers venv at {args.peers_venv}: build it with\n"
                 f"    bash benchmarks/peers/setup_venv.sh {args.peers_venv}\n"
                 "or run only ctrflow with --tools ctrflow")  # fmt: skip
    smoke = limited(args)
    json_path = args.output or common.RESULTS_DIR / (
        "peers_smoke.json" if smoke else "peers.json"
    )
    chart_path = args.chart or (
        json_path.with_name(json_path.stem + "_auc_vs_seconds.html")
        if smoke
        else CHART_HTML
    )
    docs_page = args.docs_page or (None if smoke else common.DOCS_PAGE)

    work = Path(tempfile.mkdtemp(prefix="ctrflow_peers_"))
    try:
        if smoke or args.scratch:
            ctrflow_project, shared = make_scratch_project(
                work / "scratch", data_dir, args.train_rows, args.eval_rows
            )
            peer_data = shared / "frappe_x1"
        else:
            if data_dir.name != "frappe_x1":
                sys.exit("a run in the project reads <shared data>/frappe_x1: name the "
                         "folder frappe_x1 or use --scratch")  # fmt: skip
            ctrflow_project, shared, peer_data = (
                common.PROJECT_ROOT,
                data_dir.parent,
                data_dir,
            )
        ctrflow_env = {"CTRFLOW_SHARED_DATA": str(shared)}
        # first, on a quiet machine: FuxiCTR's Ray workers can outlive its run
        ceiling = None if args.no_ceiling else run_ceiling(args, work, docs_page)
        records, results = {}, {}
        for tool in args.tools:
            records[tool], results[tool] = run_tool(
                tool, args, data_dir=peer_data, ctrflow_project=ctrflow_project,
                ctrflow_env=ctrflow_env, work=work,
            )  # fmt: skip
            # peers get the sliced files too; they slice again to the same rows
        payload = write_outputs(
            results, records, args, json_path=json_path, chart_path=chart_path,
            docs_page=docs_page, command=command, ceiling=ceiling,
        )  # fmt: skip
        for tool in peers:
            shutil.copy(
                work / f"{tool}.json",
                json_path.with_name(f"{json_path.stem}_{tool}.json"),
            )
    finally:
        if args.keep_work:
            print(f"[peers] work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"results": {t: {k: v for k, v in r.items() if k != "curve"}
                                  for t, r in results.items()},
                      "ratios": payload["ratios"]}, indent=2, default=str))  # fmt: skip
    print(
        f"[peers] wrote {json_path}, {chart_path}"
        + (f", {docs_page}" if docs_page else "")
    )
    return payload


if __name__ == "__main__":
    main()
