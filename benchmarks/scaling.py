"""How every stage of ``kedro run --pipeline=train`` grows with the number of rows.

Run from the project root::

    python benchmarks/scaling.py --sizes 5000000,20000000,50000000

For every size, the demo generator streams a Criteo-shaped file once
(``python -m ctrflow.demo_data --rows N --seed 7 --stream``: gzip TSV, label + 13
counters + 26 ids, a block of rows at a time; kept in ``--data-dir`` for the next
run). Then one child process per size runs the real pipeline, as a user does:
a throw-away project copy (``pyproject.toml`` and ``conf/``, an empty ``src/``)
with an environment ``scaling`` whose catalog points ``raw_logs`` at the file
(``ImpressionLogDataset``, ``criteo_tsv``) and whose parameters set
``training.max_epochs`` (``--max-epochs``, default 1: one epoch is enough to
measure at 50M rows), ``training.num_threads`` and no progress bar;
``KedroSession.create(...).run(pipeline_names=["train"])``, every other
parameter from ``conf/base``.

What the child measures (``StageClock``, a hook object registered on the
session's hook manager, the benchmark's own: the project's hooks are unchanged):

- per stage (ingestion, data_quality, feature_ranking, feature_engineering,
  training, evaluation: the node namespaces), wall and CPU seconds: a node's
  share runs from its first dataset load to the next node's (so its saves and
  the release of its inputs count to it), and seconds per million rows;
- peak RSS per stage: a thread reads ``VmRSS`` of ``/proc/self/status`` every
  ``--sample-ms`` (50) ms, each sample counted to the node running then;
- the child's overall peak RSS (``ru_maxrss``), the bytes under the copy's
  ``data/`` folder after the run, training samples/s
  (``training_history.json``: train rows x epochs / training seconds) and the
  test AUC (``metrics.json``).

The parent polls the child's RSS (its process tree) every quarter second: above
``--max-rss-gib`` (default 20; the machine has 24 GiB, no swap, and other work
beside) it kills the child and records ``stopped: RSS above N GiB at stage X``
instead of letting the OOM killer choose a process.

Writes ``--output`` (JSON), ``--chart`` (plotly HTML: seconds per million rows
per stage and peak RSS against rows) and the ``scaling`` section of
``--docs-page`` (``--no-docs`` to skip; ``--render-only`` redraws both from the
JSON). ``--not-run`` lists sizes shown in the table as not run, with
``--not-run-note`` as the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import common
from kedro.framework.hooks import hook_impl

DEFAULT_SIZES = "5000000,20000000,50000000"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "ctrflow-scaling"
STAGES = (
    "ingestion",
    "data_quality",
    "feature_ranking",
    "feature_engineering",
    "training",
    "evaluation",
)
# --in-memory: conf/base's scans of the typed and encoded splits loaded whole
IN_MEMORY_SPLITS = {
    "{split}_table": "02_intermediate/{split}",
    "{split}_encoded": "05_model_input/{split}_encoded",
}
SETUP = "setup"  # before the first node: session, context, catalog
# issue 17's done-when, for the 50M-row run
TARGET_PEAK_GIB, TARGET_GROWTH, TARGET_ROWS = 8.0, 1.25, 50_000_000
_POLL_SECONDS = 0.25


# --- stage attribution (pure) ----------------------------------------------------------


def stage_profile(
    events: list[tuple[float, float, str]],
    samples: list[tuple[float, int]],
    end: tuple[float, float],
) -> dict[str, dict[str, Any]]:
    """Wall seconds, CPU seconds and peak RSS per stage from a run's timeline.

    Args:
        events: ``(wall, cpu, stage)`` each time a node begins, in time order: the
            node's stage holds from then until the next event (the last until
            ``end``); a stage may hold several times (its nodes need not be
            contiguous).
        samples: ``(wall, rss_bytes)`` in time order. A sample counts to the stage
            holding at its time; each holding also counts the last sample before it
            began (the memory it started with), so a node shorter than the
            sampling interval still has a peak.
        end: ``(wall, cpu)`` when the run ended.

    Returns:
        ``{stage: {"seconds", "cpu_seconds", "peak_rss_bytes", "nodes"}}`` in order
        of first appearance; ``peak_rss_bytes`` is ``None`` when no sample exists
        at or before the stage.
    """
    profile: dict[str, dict[str, Any]] = {}
    bounds = [*events[1:], (*end, "")]
    index = 0  # first sample not yet before the current holding's start
    for (wall, cpu, stage), (next_wall, next_cpu, _) in zip(events, bounds):
        entry = profile.setdefault(
            stage,
            {"seconds": 0.0, "cpu_seconds": 0.0, "peak_rss_bytes": None, "nodes": 0},
        )
        entry["seconds"] += next_wall - wall
        entry["cpu_seconds"] += next_cpu - cpu
        entry["nodes"] += 1
        while index < len(samples) and samples[index][0] < wall:
            index += 1
        held = [rss for t, rss in samples[index:] if t < next_wall]
        if index > 0:
            held.append(samples[index - 1][1])
        if held:
            entry["peak_rss_bytes"] = max(entry["peak_rss_bytes"] or 0, *held)
    return profile


# --- the child: one size, the real pipeline in a project copy ----------------------------


class StageClock:
    """Kedro hooks noting when each node begins, and a thread sampling this
    process's RSS (for ``stage_profile``); the stage file names the running stage
    for the parent."""

    def __init__(self, stage_file: Path, sample_seconds: float) -> None:
        self.events: list[tuple[float, float, str]] = []
        self.samples: list[tuple[float, int]] = []
        self._stage_file = stage_file
        self._sample_seconds = sample_seconds
        self._current: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self.events.append((time.perf_counter(), time.process_time(), SETUP))
        self._write_stage(SETUP)
        self._thread.start()

    def stop(self) -> tuple[float, float]:
        end = (time.perf_counter(), time.process_time())
        self._stop.set()
        self._thread.join()
        return end

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), _rss_bytes(os.getpid())))
            self._stop.wait(self._sample_seconds)

    def _write_stage(self, stage: str) -> None:
        # the parent names the stage when it stops the child for its memory
        self._stage_file.write_text(stage)

    def _begin(self, node: Any) -> None:
        if node.name == self._current:
            return
        self._current = node.name
        stage = node.namespace or node.name
        self.events.append((time.perf_counter(), time.process_time(), stage))
        self._write_stage(stage)

    @hook_impl
    def before_dataset_loaded(self, dataset_name: str, node: Any) -> None:
        self._begin(node)

    @hook_impl
    def before_node_run(self, node: Any) -> None:
        self._begin(node)


def _rss_bytes(pid: int) -> int:
    """``VmRSS`` of one process (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _tree_rss_bytes(pid: int) -> int:
    """RSS of ``pid`` and every process under it."""
    total, stack = 0, [pid]
    while stack:
        process = stack.pop()
        total += _rss_bytes(process)
        try:
            for task in Path(f"/proc/{process}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            pass
    return total


def _latest_json(path: Path) -> dict:
    """The newest version of a versioned JSON dataset (``path/<version>/name``)."""
    versions = sorted(path.glob(f"*/{path.name}"))
    if not versions:
        raise FileNotFoundError(f"no version of {path} was saved by the run")
    return json.loads(versions[-1].read_text())


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _path_text(data: dict) -> str:
    if data.get("in_memory"):
        return (
            " except that the typed and encoded splits are loaded whole "
            "(`--in-memory`: `load_args: {lazy: false}`)"
        )
    return (
        " (every stage reads the splits as scans of Parquet shards, streamed or "
        "sampled; training a window of chunks at a time)"
    )


def make_project(destination: Path, raw_file: Path, args: argparse.Namespace) -> Path:
    """A throw-away copy of the project whose ``scaling`` environment reads
    ``raw_file`` and trains ``--max-epochs`` epochs."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(common.PROJECT_ROOT / "pyproject.toml", destination)
    shutil.copytree(common.PROJECT_ROOT / "conf", destination / "conf")
    (destination / "conf" / "local").mkdir(exist_ok=True)
    (destination / "src").mkdir(exist_ok=True)  # Kedro wants it; ctrflow is installed
    telemetry = common.PROJECT_ROOT / ".telemetry"
    if telemetry.is_file():
        shutil.copy(telemetry, destination)
    env = destination / "conf" / "scaling"
    env.mkdir()
    catalog = {
        "raw_logs": {
            "type": "ctrflow.datasets.ImpressionLogDataset",
            "filepath": str(raw_file.resolve()),
            "file_format": "criteo_tsv",
        }
    }
    if args.in_memory:  # the splits loaded whole, as before they were scans
        for name, folder in IN_MEMORY_SPLITS.items():
            catalog[name] = {
                "type": "ctrflow.datasets.ShardedParquetDataset",
                "filepath": "${globals:data_root}/" + folder,
                "load_args": {"lazy": False},
            }
    # JSON is YAML: no quoting questions for the path
    (env / "catalog.yml").write_text(
        "".join(
            f"{json.dumps(name)}: {json.dumps(entry)}\n"
            for name, entry in catalog.items()
        )
    )
    training = {
        "max_epochs": args.max_epochs,
        "num_threads": args.threads,
        "progress_bar": False,
    }
    (env / "parameters.yml").write_text(
        "training: " + json.dumps(training) + "\n"
    )  # merged softly into conf/base's training block (settings.py)
    return destination


def run_child(args: argparse.Namespace) -> None:
    """``kedro run --pipeline=train --env scaling`` in ``--project``, timed per stage;
    the figures go to ``--child-output``."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    project = args.project
    clock = StageClock(args.stage_file, args.sample_ms / 1000)
    bootstrap_project(project)
    clock.start()
    with KedroSession.create(project_path=project, env="scaling") as session:
        # a benchmark's own hooks: registered on this session only (private
        # attribute; settings.HOOKS stay the project's)
        session._hook_manager.register(clock)  # noqa: SLF001
        run_start = time.perf_counter()
        session.run(pipeline_names=["train"])
        run_seconds = time.perf_counter() - run_start
    end = clock.stop()

    data = project / "data"
    history = _latest_json(data / "06_models" / "training_history.json")
    metrics = _latest_json(data / "08_reporting" / "evaluation" / "metrics.json")
    fingerprint = json.loads(
        (data / "02_intermediate" / "data_fingerprint.json").read_text()
    )
    profile = stage_profile(clock.events, clock.samples, end)
    common.write_json(
        args.child_output,
        {
            "stages": profile,
            "run_seconds": run_seconds,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "rss_samples": len(clock.samples),
            "data_bytes": _folder_bytes(data),
            "split_rows": fingerprint["rows"],
            "training": {
                "model": history.get("model", metrics.get("model")),
                "epochs": len(history["epochs"]),
                "batch_size": history.get("batch_size"),
                "threads": history.get("threads"),
                "train_seconds": history["train_seconds"],
                "samples_per_second": history["train_samples_per_second"],
                "best_valid_auc": history["best_valid_auc"],
            },
            "test_auc": metrics["auc"],
            "test_logloss": metrics.get("logloss"),
        },
    )


# --- the parent: data, guarded children, results -----------------------------------------


def _demo_path(rows: int, seed: int, data_dir: Path) -> Path:
    return data_dir / f"demo_{rows}_seed{seed}.tsv.gz"


def demo_file(
    rows: int, seed: int, data_dir: Path, block_rows: int = 1_000_000
) -> Path:
    """The streamed demo file of ``rows`` rows in ``data_dir`` (written once, then
    reused; ``benchmarks/scoring.py`` scores the same files)."""
    path = _demo_path(rows, seed, data_dir)
    if path.is_file():
        return path
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name.removesuffix(".tsv.gz") + ".partial.tsv.gz")
    print(f"generating {path} ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "ctrflow.demo_data", "--rows", str(rows),
         "--seed", str(seed), "--output", str(partial), "--stream",
         "--block-rows", str(block_rows)],
        check=True, cwd=common.PROJECT_ROOT,
    )  # fmt: skip
    partial.rename(path)
    return path


def run_guarded(
    command: list[str],
    *,
    env: dict[str, str],
    log_path: Path,
    max_rss_bytes: int,
) -> tuple[int, float, int, int | None]:
    """Run ``command``, killing it (and its process group) once its process tree's
    RSS goes above ``max_rss_bytes``.

    Returns:
        Exit code, wall seconds, the child's peak RSS (``ru_maxrss``), and the RSS
        that stopped it (``None`` when it ran to its end).
    """
    start = time.perf_counter()
    with open(log_path, "w") as log:
        child = subprocess.Popen(
            command, env={**os.environ, **env}, cwd=common.PROJECT_ROOT,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        stopped_at = None
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            rss = _tree_rss_bytes(child.pid)
            if rss > max_rss_bytes and stopped_at is None:
                stopped_at = rss
                os.killpg(child.pid, signal.SIGKILL)  # its own session: only its tree
            time.sleep(_POLL_SECONDS)
    child.returncode = os.waitstatus_to_exitcode(status)
    return (
        child.returncode,
        time.perf_counter() - start,
        usage.ru_maxrss * 1024,
        stopped_at,
    )


def measure(rows: int, path: Path, args: argparse.Namespace, work: Path) -> dict:
    """One guarded child for one size: its figures, or why it stopped."""
    project = make_project(work / f"project_{rows}", path, args)
    result_path = work / f"result_{rows}.json"
    stage_file = work / f"stage_{rows}.txt"
    log_path = work / f"child_{rows}.log"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child",
        "--project", str(project), "--child-output", str(result_path),
        "--stage-file", str(stage_file), "--sample-ms", str(args.sample_ms),
    ]  # fmt: skip
    threads = str(args.threads)
    env = {
        "POLARS_MAX_THREADS": threads,
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "PYTHONHASHSEED": "0",
    }
    limit = int(args.max_rss_gib * 2**30)
    load_before = os.getloadavg()[0]
    code, seconds, peak, stopped_at = run_guarded(
        command, env=env, log_path=log_path, max_rss_bytes=limit
    )
    base = {
        "rows": rows,
        "file": str(path),
        "file_gib": round(path.stat().st_size / 2**30, 3),
        "child_seconds": round(seconds, 1),
        "peak_rss_gib": round(peak / 2**30, 3),
        # other work on the cores: the 1-minute load average before and after
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if stopped_at is not None:
        stage = stage_file.read_text() if stage_file.is_file() else "unknown"
        return {
            **base,
            "status": f"stopped: RSS above {args.max_rss_gib:g} GiB at stage {stage}",
        }
    if code != 0:
        tail = log_path.read_text()[-3000:]
        print(f"the {rows:,}-row child failed ({code}):\n{tail}", file=sys.stderr)
        return {**base, "status": f"failed: exit code {code} (log: {log_path})"}
    child = json.loads(result_path.read_text())
    million = rows / 1e6
    stages = {
        stage: {
            "seconds": round(entry["seconds"], 2),
            "cpu_seconds": round(entry["cpu_seconds"], 2),
            "seconds_per_million_rows": round(entry["seconds"] / million, 3),
            "peak_rss_gib": entry["peak_rss_bytes"]
            and round(entry["peak_rss_bytes"] / 2**30, 3),
            "nodes": entry["nodes"],
        }
        for stage, entry in child["stages"].items()
    }
    return {
        **base,
        "status": "ok",
        "stages": stages,
        "run_seconds": round(child["run_seconds"], 1),
        "peak_rss_gib": round(child["peak_rss_bytes"] / 2**30, 3),
        "rss_samples": child["rss_samples"],
        "data_gib": round(child["data_bytes"] / 2**30, 3),
        "split_rows": child["split_rows"],
        "training": {
            **child["training"],
            "samples_per_second": round(child["training"]["samples_per_second"], 1),
            "train_seconds": round(child["training"]["train_seconds"], 1),
        },
        "test_auc": round(child["test_auc"], 5),
        "test_logloss": child["test_logloss"] and round(child["test_logloss"], 5),
    }


def growth(results: list[dict]) -> dict[str, float | None]:
    """Each stage's seconds per million rows at the largest measured size over the
    smallest's (1 = linear; issue 17 asks at most 1.25 up to 50M rows)."""
    measured = [r for r in results if r.get("status") == "ok"]
    if len(measured) < 2:  # noqa: PLR2004
        return dict.fromkeys(STAGES)
    small, large = measured[0]["stages"], measured[-1]["stages"]
    out: dict[str, float | None] = {}
    for stage in STAGES:
        a = small.get(stage, {}).get("seconds_per_million_rows")
        b = large.get(stage, {}).get("seconds_per_million_rows")
        out[stage] = round(b / a, 3) if a and b else None
    return out


def chart(results: list[dict], path: Path) -> Path:
    """Seconds per million rows per stage and peak RSS against rows (log x), HTML."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    measured = [r for r in results if r.get("status") == "ok"]
    rows = [r["rows"] for r in measured]
    figure = make_subplots(
        rows=1, cols=2,
        subplot_titles=("seconds per million rows", "peak RSS (GiB)"),
    )  # fmt: skip
    for stage in STAGES:
        figure.add_trace(
            go.Scatter(
                x=rows,
                y=[r["stages"].get(stage, {}).get("seconds_per_million_rows")
                   for r in measured],
                mode="lines+markers", name=stage.replace("_", " "),
                legendgroup=stage,
            ),
            row=1, col=1,
        )  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=rows,
                y=[r["stages"].get(stage, {}).get("peak_rss_gib") for r in measured],
                mode="lines+markers", name=f"{stage.replace('_', ' ')} (RSS)",
                legendgroup=stage, showlegend=False,
            ),
            row=1, col=2,
        )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=rows, y=[r["peak_rss_gib"] for r in measured],
                   mode="lines+markers", name="whole run (peak RSS)",
                   line={"width": 3, "color": "black"}),
        row=1, col=2,
    )  # fmt: skip
    figure.add_hline(
        y=TARGET_PEAK_GIB, line_dash="dot", line_color="grey", row=1, col=2,
        annotation_text=f"{TARGET_PEAK_GIB:g} GiB target",
    )  # fmt: skip
    figure.update_xaxes(type="log", title_text="rows")
    figure.update_layout(
        title="ctrflow scaling: kedro run --pipeline=train on generated demo logs",
        height=480, width=1100,
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.write_html(path, include_plotlyjs="cdn")
    return path


def _cell(value: float | None, fmt: str = ".2f") -> str:
    return "–" if value is None else format(value, fmt)


def docs_markdown(data: dict, command: str) -> str:
    """The ``scaling`` section of docs/benchmarks.md."""
    stage_names = [s.replace("_", " ") for s in STAGES]
    header = [
        "rows", "gzip GiB", *[f"{s} s/M" for s in stage_names], "run s",
        "stages' CPU s", "peak RSS GiB", "data/ GiB", "train samples/s", "test AUC",
    ]  # fmt: skip
    rss_header = ["rows", *[f"{s} GiB" for s in stage_names]]
    table, rss_table = [], []
    for r in data["results"]:
        if r.get("status") != "ok":
            table.append([f"{r['rows']:,}", _cell(r.get("file_gib")), r["status"],
                          *[""] * (len(header) - 3)])  # fmt: skip
            continue
        stages = r["stages"]
        table.append([
            f"{r['rows']:,}", _cell(r["file_gib"]),
            *[_cell(stages.get(s, {}).get("seconds_per_million_rows")) for s in STAGES],
            f"{r['run_seconds']:.0f}",
            f"{sum(stages.get(s, {}).get('cpu_seconds', 0) for s in STAGES):.0f}",
            f"**{r['peak_rss_gib']:.2f}**",
            _cell(r["data_gib"]), f"{r['training']['samples_per_second'] / 1e3:.1f}k",
            f"{r['test_auc']:.4f}",
        ])  # fmt: skip
        rss_table.append([
            f"{r['rows']:,}",
            *[_cell(stages.get(s, {}).get("peak_rss_gib")) for s in STAGES],
        ])  # fmt: skip
    for rows in data.get("not_run", []):
        table.append([f"{rows:,}", "", "not run" + (f": {note}" if (note := data.get("not_run_note")) else ""),
                      *[""] * (len(header) - 3)])  # fmt: skip
    measured = [r for r in data["results"] if r.get("status") == "ok"]
    training = measured[0]["training"] if measured else {}
    ratios = data["growth"]
    ratio_text = ", ".join(
        f"{stage.replace('_', ' ')} {ratio}"
        for stage, ratio in ratios.items()
        if ratio is not None
    )
    lines = [
        "## Scaling: every stage of `kedro run --pipeline=train` with the number of rows",
        "",
        "Command (from the project root):",
        "",
        "```bash",
        command,
        "```",
        "",
        f"Machine: {data['machine_line']}. Polars and torch limited to "
        f"{data['threads']} threads; other work may have shared the cores.",
        "",
        "Seconds per million rows of each stage (s/M, wall), the run's wall seconds "
        "(`session.run`), the six stages' CPU seconds (all threads; less sensitive "
        "than wall seconds to other work on the cores), the child's peak RSS, the project's `data/` folder after "
        "the run, training throughput and test AUC:",
        "",
        common.markdown_table(header, table),
        "",
        "Peak RSS while each stage ran (GiB):",
        "",
        common.markdown_table(rss_header, rss_table),
        "",
        "Each size is a file from `python -m ctrflow.demo_data --rows N --seed 7 "
        "--stream` (Criteo-shaped gzip TSV, label + 13 counters + 26 ids, written a "
        "block at a time) and one child process running "
        'the real pipeline: `KedroSession.create(...).run(pipeline_names=["train"])` '
        "in a throw-away project copy whose `scaling` environment points `raw_logs` "
        "at the file and sets "
        f"`training.max_epochs={data['max_epochs']}`; everything else is "
        f"`conf/base`{_path_text(data)}. A stage's time runs from its node's first dataset load to the next "
        "node's (saves included), summed over its nodes; its peak RSS is the "
        f"highest of `VmRSS` samples every {data['sample_ms']} ms while it ran "
        "(a hook object registered on the session's hook manager, the benchmark's "
        "own). Training: "
        f"{training.get('model')}, {training.get('epochs')} epoch(s), batch "
        f"{training.get('batch_size')}, {training.get('threads')} threads on CPU; "
        "samples/s = train rows x epochs / training seconds "
        "(`training_history.json`).",
        "",
        f"Growth (s/M at the largest measured size over the smallest): "
        f"{ratio_text or 'needs two measured sizes'}. Issue 17's target: at "
        f"{TARGET_ROWS:,} rows (2 cores, 24 GiB, no swap) peak RSS under "
        f"{TARGET_PEAK_GIB:g} GiB and no stage above {TARGET_GROWTH}x its s/M at "
        "5M rows. A child whose RSS goes above "
        f"{data['max_rss_gib']:g} GiB is stopped by the parent and its row says so. "
        "Chart: [img/scaling.html](img/scaling.html).",
    ]
    generated = [r for r in data["results"] if r.get("generate_seconds")]
    if generated:
        lines += [
            "",
            "Generating the files (`--stream`, gzip level 1, one block of rows at a "
            "time; before the child, not in its figures): "
            + ", ".join(
                f"{r['rows']:,} rows in {r['generate_seconds']:.0f} s "
                f"({r['rows'] / r['generate_seconds'] / 1e3:.0f}k rows/s)"
                for r in generated
            )
            + ".",
        ]
    loads = [r for r in data["results"] if r.get("load_average")]
    if loads:
        lines += [
            "",
            "1-minute load average before and after each child (2 cores: above 2, "
            "other work was waiting for them): "
            + ", ".join(
                f"{r['rows']:,} rows {r['load_average'][0]} / {r['load_average'][1]}"
                for r in loads
            )
            + ".",
        ]
    if data.get("note"):
        lines += ["", data["note"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help="comma-separated row counts (default %(default)s)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="where the generated demo files are kept (default %(default)s)")  # fmt: skip
    parser.add_argument("--block-rows", type=int, default=1_000_000,
                        help="rows per generated block (default %(default)s)")  # fmt: skip
    parser.add_argument("--output", type=Path,
                        default=common.RESULTS_DIR / "scaling.json")  # fmt: skip
    parser.add_argument("--chart", type=Path,
                        default=common.PROJECT_ROOT / "docs" / "img" / "scaling.html")  # fmt: skip
    parser.add_argument("--docs-page", type=Path, default=common.DOCS_PAGE)
    parser.add_argument("--note", default=None,
                        help="a sentence for the docs section (e.g. what else ran)")  # fmt: skip
    parser.add_argument("--not-run", default="",
                        help="comma-separated sizes listed as not run")  # fmt: skip
    parser.add_argument("--not-run-note", default="",
                        help="why the --not-run sizes were not run")  # fmt: skip
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: redraw the chart and the docs section "
                        "from the JSON at --output")  # fmt: skip
    parser.add_argument("--no-docs", action="store_true",
                        help="do not update the docs page")  # fmt: skip
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-epochs", type=int, default=1)
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help="load the typed and encoded splits whole (DataFrames) "
        "instead of conf/base's scans: the path before issue 17, "
        "to compare",
    )
    parser.add_argument("--max-rss-gib", type=float, default=20.0,
                        help="stop a child above this RSS (default %(default)s)")  # fmt: skip
    parser.add_argument("--sample-ms", type=int, default=50,
                        help="RSS sampling interval in the child (default %(default)s)")  # fmt: skip
    parser.add_argument("--keep-work", type=Path, default=None,
                        help="keep the project copies and child logs here "
                        "(default: a temporary folder, removed)")  # fmt: skip
    # the child process (internal)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-output", type=Path, default=None,
                        help=argparse.SUPPRESS)  # fmt: skip
    parser.add_argument("--stage-file", type=Path, default=None,
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)

    if args.child:
        run_child(args)
        return None

    if args.render_only:
        data = json.loads(args.output.read_text())
        data["growth"] = growth(data["results"])
        if args.note is not None:
            data["note"] = args.note
        common.write_json(args.output, data)
        _render(data, args)
        return data

    results = run_sizes(sorted(int(size) for size in args.sizes.split(",")), args)
    info = common.machine()
    command = "python benchmarks/scaling.py " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    data = {
        "benchmark": "scaling",
        "command": command.strip(),
        "machine": info,
        "machine_line": common.machine_line(info),
        "threads": args.threads,
        "seed": args.seed,
        "max_epochs": args.max_epochs,
        "in_memory": args.in_memory,
        "max_rss_gib": args.max_rss_gib,
        "sample_ms": args.sample_ms,
        "targets": {
            "rows": TARGET_ROWS,
            "peak_rss_gib": TARGET_PEAK_GIB,
            "growth": TARGET_GROWTH,
        },
        "results": results,
        "growth": growth(results),
        "not_run": sorted(int(s) for s in args.not_run.split(",") if s),
        "not_run_note": args.not_run_note,
        "note": args.note,
    }
    common.write_json(args.output, data)
    _render(data, args)
    return data


def run_sizes(sizes: list[int], args: argparse.Namespace) -> list[dict]:
    """Generate (once) and measure each size in turn."""
    results = []
    with tempfile.TemporaryDirectory(prefix="ctrflow_scaling_") as folder:
        work = args.keep_work or Path(folder)
        work.mkdir(parents=True, exist_ok=True)
        for rows in sizes:
            cached = _demo_path(rows, args.seed, args.data_dir).is_file()
            start = time.perf_counter()
            path = demo_file(rows, args.seed, args.data_dir, args.block_rows)
            generated = None if cached else round(time.perf_counter() - start, 1)
            result = {**measure(rows, path, args, work), "generate_seconds": generated}
            results.append(result)
            if args.keep_work is None:  # its data/ may be gigabytes: free the disk
                shutil.rmtree(work / f"project_{rows}", ignore_errors=True)
            print(_summary_line(result), flush=True)
    return results


def _summary_line(result: dict) -> str:
    if result["status"] != "ok":
        return f"{result['rows']:>11,} rows: {result['status']}"
    per_million = {
        stage: entry["seconds_per_million_rows"]
        for stage, entry in result["stages"].items()
    }
    return (
        f"{result['rows']:>11,} rows: s per 1M rows {per_million}, peak "
        f"{result['peak_rss_gib']:.2f} GiB, data {result['data_gib']:.2f} GiB, "
        f"{result['training']['samples_per_second']:,.0f} samples/s, "
        f"test AUC {result['test_auc']:.4f}"
    )


def _render(data: dict, args: argparse.Namespace) -> None:
    chart(data["results"], args.chart)
    if not args.no_docs:
        common.update_docs_section("scaling", docs_markdown(data, data["command"]),
                                   page=args.docs_page)  # fmt: skip
    print(
        f"wrote {args.output}, {args.chart}"
        + ("" if args.no_docs else f", {args.docs_page}")
    )


if __name__ == "__main__":
    main()
