"""Scoring new logs end to end, and the HTTP scorer's latency.

    python benchmarks/scoring.py [--sizes 1000000,5000000] [--requests 1000]

In a project copy under ``--work`` (pyproject, conf and the bundled demo logs), the
demo model is trained once (``kedro run --pipeline=train --env bench``, not timed).
Then, for each size, the demo generator's file of that many rows (written once and
kept in ``--data-dir``, as ``benchmarks/scaling.py`` does) becomes ``new_logs`` and
``kedro run --pipeline=score --env bench`` runs in a child process measured for
wall seconds and peak RSS (``common.run_measured``): reading, typing, encoding,
predicting and writing the predictions, Kedro's start included. The ceiling beside
it is the trained model's ``nn.Linear`` products alone at batch 4096
(``benchmarks/inference.py``'s ``gemm_ceiling``).

The HTTP part starts ``python -m ctrflow serve`` on 127.0.0.1 (a free port) with the
trained model, sends ``--requests`` requests of 1 row and a quarter as many of 100
rows (rows of the demo logs, as JSON objects) from one client and from four
concurrent clients, and stops the server: p50/p99 latency and requests/s per case.

Writes ``benchmarks/results/scoring.json`` and the ``scoring`` section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import common
import numpy as np
from scaling import demo_file

DEFAULT_WORK = Path(tempfile.gettempdir()) / "ctrflow_scoring"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "ctrflow_scaling"
TARGET_ROWS_PER_SECOND, TARGET_GIB = 100_000, 2.0


def project_copy(work: Path) -> Path:
    """A fresh project copy: pyproject, conf and the bundled demo logs."""
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    shutil.copy(common.PROJECT_ROOT / "pyproject.toml", project)
    shutil.copytree(common.PROJECT_ROOT / "conf", project / "conf")
    demo = project / "data" / "01_raw" / "demo"
    demo.mkdir(parents=True)
    for path in (common.PROJECT_ROOT / "data" / "01_raw" / "demo").glob("*.tsv.gz"):
        shutil.copy(path, demo)
    (project / "conf" / "bench").mkdir()
    return project


def point_new_logs(project: Path, logs: Path) -> None:
    """``conf/bench/catalog.yml``: ``new_logs`` is ``logs`` (the demo's layout)."""
    (project / "conf" / "bench" / "catalog.yml").write_text(
        "new_logs:\n"
        "  type: ctrflow.datasets.ImpressionLogDataset\n"
        f"  filepath: {logs}\n"
        "  file_format: criteo_tsv\n"
        "  catalog_entry: new_logs\n"
    )


def _kedro(project: Path, pipeline: str, log: Path, threads: int) -> common.Measured:
    env = {"POLARS_MAX_THREADS": str(threads), "CTRFLOW_TRACEBACK": "1"}
    command = [
        sys.executable,
        "-m",
        "ctrflow",
        "--pipeline",
        pipeline,
        "--env",
        "bench",
    ]
    measured = common.run_measured(command, env=env, cwd=project, log_path=log)
    if measured.returncode != 0:
        raise RuntimeError(f"{pipeline} failed:\n{log.read_text()[-3000:]}")
    return measured


def _latest(folder: Path) -> Path:
    return sorted(p for p in folder.iterdir() if p.is_dir())[-1] / folder.name


def ceiling_rows_per_second(model_file: Path) -> dict[str, float]:
    """The trained model's GEMMs alone at batch 4096 (``inference.gemm_ceiling``)."""
    from inference import gemm_ceiling  # noqa: PLC0415

    from ctrflow.datasets.torch_model import TorchModelDataset  # noqa: PLC0415

    artifact = TorchModelDataset(filepath=str(model_file)).load()
    return gemm_ceiling(artifact.model, 4096, 30)


def batch_scoring(
    project: Path, sizes: list[int], data_dir: Path, threads: int
) -> list[dict[str, Any]]:
    results = []
    for rows in sizes:
        logs = demo_file(rows, seed=7, data_dir=data_dir)
        point_new_logs(project, logs)
        log = project / f"score_{rows}.log"
        measured = _kedro(project, "score", log, threads)
        report_file = _latest(project / "data/08_reporting/score/report.json")
        report = json.loads(report_file.read_text())
        pipeline_seconds = _pipeline_seconds(log.read_text())
        results.append(
            {
                "rows": rows,
                "rows_scored": report["rows_scored"],
                "rows_quarantined": report["rows_quarantined"],
                "seconds": round(measured.seconds, 2),
                "pipeline_seconds": pipeline_seconds,
                "rows_per_second": rows / measured.seconds,
                "peak_rss_gib": round(measured.peak_rss_gib, 3),
            }
        )
        print(json.dumps(results[-1]), flush=True)  # noqa: T201
    return results


def _pipeline_seconds(log: str) -> float | None:
    """Kedro's "completed successfully in X sec" (the nodes, without its start)."""
    marker = "successfully in "
    at = log.rfind(marker)
    if at < 0:
        return None
    try:
        return float(log[at + len(marker) :].split(maxsplit=1)[0])
    except ValueError:
        return None


# --- HTTP ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_rows(project: Path, count: int) -> list[dict[str, Any]]:
    """``count`` rows of the bundled demo logs as request objects (no label)."""
    import polars as pl  # noqa: PLC0415

    names = [
        "label",
        *(f"I{k}" for k in range(1, 14)),
        *(f"C{k}" for k in range(1, 27)),
    ]
    logs = next((project / "data" / "01_raw" / "demo").glob("*.tsv.gz"))
    frame = pl.read_csv(
        logs, separator="\t", has_header=False, new_columns=names, n_rows=count,
        schema_overrides={name: pl.String for name in names},
    )  # fmt: skip
    rows = []
    for record in frame.drop("label").iter_rows(named=True):
        rows.append(
            {
                k: (int(v) if k.startswith("I") and v else v or None)
                for k, v in record.items()
            }
        )
    return rows


class Server:
    """``python -m ctrflow serve`` on 127.0.0.1, stopped by ``close``."""

    def __init__(self, project: Path, model: Path, threads: int) -> None:
        self.port = _free_port()
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        self.log = open(project / "serve.log", "w")  # noqa: SIM115 - closed in close
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ctrflow", "serve", "--model", str(model),
             "--port", str(self.port)],
            cwd=project, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.close()
        raise RuntimeError("the server did not answer /health within 120 s")

    def request(self, method: str, path: str, body: bytes | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Content-Type": "application/json"} if body else {}
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def load(server: Server, body: bytes, requests: int, clients: int) -> dict[str, float]:
    """``requests`` POST /predict split over ``clients`` threads; latency and rate."""
    latencies: list[float] = []
    failures = []
    lock = threading.Lock()

    def client(count: int) -> None:
        for _ in range(count):
            start = time.perf_counter()
            status, answer = server.request("POST", "/predict", body)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    failures.append((status, answer[:200]))

    for _ in range(20):  # warm-up
        server.request("POST", "/predict", body)
    share = [requests // clients + (k < requests % clients) for k in range(clients)]
    threads = [threading.Thread(target=client, args=(n,)) for n in share]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return {
        "requests": requests,
        "clients": clients,
        "p50_ms": statistics.median(latencies) * 1e3,
        "p99_ms": float(np.percentile(latencies, 99)) * 1e3,
        "requests_per_second": requests / seconds,
    }


def http_latency(project: Path, model: Path, requests: int, threads: int) -> list[dict]:
    rows = demo_rows(project, 100)
    server = Server(project, model, threads)
    results = []
    try:
        for per_request, count in ((1, requests), (100, max(1, requests // 4))):
            body = json.dumps({"rows": rows[:per_request]}).encode()
            for clients in (1, 4):
                result = {"rows_per_request": per_request,
                          **load(server, body, count, clients)}  # fmt: skip
                results.append(result)
                print(json.dumps(result), flush=True)  # noqa: T201
    finally:
        server.close()
    return results


# --- the report ---------------------------------------------------------------------


def markdown(data: dict[str, Any], command: str) -> str:
    ceiling = data["ceiling"]
    batch_rows = [
        [f"{r['rows']:,}", f"{r['seconds']:.1f}", f"{r['pipeline_seconds'] or 0:.1f}",
         f"{r['rows_per_second']:,.0f}", f"{r['rows_per_second'] / ceiling['rows_per_second']:.2f}",
         f"{r['peak_rss_gib']:.2f}", f"{r['rows_quarantined']:,}"]
        for r in data["batch"]
    ]  # fmt: skip
    http_rows = [
        [r["rows_per_request"], r["clients"], r["requests"], f"{r['p50_ms']:.2f}",
         f"{r['p99_ms']:.2f}", f"{r['requests_per_second']:,.0f}"]
        for r in data["http"]
    ]  # fmt: skip
    return "\n".join(
        [
            f"Command: `{command}` — {common.machine_line(data['machine'])}; the demo "
            f"model of `kedro run --pipeline=train` ({data['model']}, "
            f"{data['fields']} fields), {data['threads']} threads.",
            "",
            common.markdown_table(
                [
                    "rows",
                    "wall s",
                    "Kedro pipeline s",
                    "rows/s (target ≥ 100k)",
                    "of the GEMM ceiling",
                    "peak GiB (target < 2)",
                    "quarantined",
                ],
                batch_rows,
            ),  # fmt: skip
            "",
            f"GEMM ceiling of this model: {ceiling['rows_per_second']:,.0f} rows/s "
            f"({ceiling['mflop_per_row']:.2f} MFLOP a row at {ceiling['gflops']:.0f} "
            "GFLOP/s, batch 4096).",
            "",
            common.markdown_table(
                [
                    "rows per request",
                    "clients",
                    "requests",
                    "p50 ms",
                    "p99 ms",
                    "requests/s",
                ],
                http_rows,
            ),  # fmt: skip
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--output", type=Path, default=common.RESULTS_DIR / "scoring.json"
    )
    parser.add_argument("--docs-page", type=Path, default=common.DOCS_PAGE)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    project = project_copy(args.work)
    print("training the demo model ...", flush=True)  # noqa: T201
    _kedro(project, "train", project / "train.log", args.threads)
    model = _latest(project / "data" / "06_models" / "model.pt")
    from ctrflow.datasets.torch_model import TorchModelDataset  # noqa: PLC0415

    artifact = TorchModelDataset(filepath=str(model)).load()
    data = {
        "machine": common.machine(),
        "threads": args.threads,
        "model": artifact.model_name,
        "fields": len(artifact.feature_map.categorical)
        + len(artifact.feature_map.numeric),
        "ceiling": ceiling_rows_per_second(model),
        "batch": batch_scoring(project, sizes, args.data_dir, args.threads),
        "http": http_latency(project, model, args.requests, args.threads),
    }
    common.write_json(args.output, data)
    given = sys.argv[1:] if argv is None else argv
    text = markdown(data, " ".join(["python benchmarks/scoring.py", *given]))
    common.update_docs_section("scoring", text, args.docs_page)
    print(text)  # noqa: T201
    return data


if __name__ == "__main__":
    main()
