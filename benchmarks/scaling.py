"""How ingestion, encoding, training speed and memory grow with the number of rows.

Run from the project root::

    python benchmarks/scaling.py --sizes 100000,1000000,5000000

For every size, the demo generator writes a Criteo-shaped file once
(``python -m ctrflow.demo_data --rows N --seed 7``, gzip TSV, 39 fields + label;
not timed, kept in ``--data-dir`` for the next run), then one child process per
size (``common.run_measured``: wall seconds and peak RSS) runs the project code in
the order the pipelines run it, with the parameters of ``conf/base``:

- ingestion: ``ImpressionLogDataset(file_format="criteo_tsv").load()`` (read),
  then the ``split_logs_node`` function (typing, quarantine, seeded split);
- encoding (the ``feature_engineering`` stage): ``fit_encoding_node``
  (vocabularies on train) and ``encode_{train,valid,test}_node``, with every one of
  the 39 fields selected (the largest encoding; the demo's ranking selects fewer);
- training: DeepFM (``conf/base`` hyper-parameters) through ``ctrflow.training.fit``,
  two epochs over the first ``--train-batches`` batches of the encoded train split,
  validated on ``--valid-rows`` rows, on CPU with ``--threads`` torch threads; the
  second epoch's samples/s (the first pays one-off costs, such as loading the fused
  kernels).

Data quality and feature ranking are not run (they have their own benchmarks);
the catalog's Parquet writes between stages are not timed (the node functions are
called in-process). Polars gets ``--threads`` threads too (``POLARS_MAX_THREADS``).
The peak memory of ingestion + encoding is the child's ``ru_maxrss`` read before
training starts; the child's overall peak (``run_measured``) includes training.

Writes ``--output`` (JSON), ``--chart`` (plotly HTML: seconds and peak memory vs
rows) and the ``scaling`` section of ``--docs-page`` (``--no-docs`` to skip).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

DEFAULT_SIZES = "100000,1000000,5000000"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "ctrflow_scaling"
STAGES = ("read", "type_and_split", "fit_vocabularies", "encode")
TARGET_SECONDS, TARGET_GIB, TARGET_ROWS = 60.0, 4.0, 5_000_000


# --- the child: one size, measured in its own process --------------------------------


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _parameters() -> dict[str, Any]:
    """``conf/base`` parameters, as Kedro reads them."""
    from kedro.config import OmegaConfigLoader

    loader = OmegaConfigLoader(
        conf_source=str(common.PROJECT_ROOT / "conf"),
        base_env="base",
        default_run_env="base",
    )
    return loader["parameters"]


def _train(encoded: dict, encoding, parameters: dict, args: argparse.Namespace) -> dict:
    """DeepFM, two epochs over the first ``--train-batches`` batches of train; the
    second epoch's samples/s."""
    import torch

    from ctrflow.models import build_model
    from ctrflow.training.batch_size import resolve_batch_size
    from ctrflow.training.data import to_tensors
    from ctrflow.training.params import TrainingParams
    from ctrflow.training.trainer import fit

    training = TrainingParams(
        **{
            **parameters["training"],
            "model": "DeepFM",
            "max_epochs": 2,
            "device": "cpu",
            "num_threads": args.threads,
            "progress_bar": False,
        }
    )
    # as the training node does: conf's batch_size may be "auto"
    batch_size, _ = resolve_batch_size(training.batch_size, encoded["train"].height)
    training = training.model_copy(update={"batch_size": batch_size})
    train_rows = min(encoded["train"].height, args.train_batches * training.batch_size)
    train_set = to_tensors(encoded["train"].head(train_rows), encoding)
    valid_set = to_tensors(encoded["valid"].head(args.valid_rows), encoding)
    torch.manual_seed(training.seed)
    model = build_model("DeepFM", encoding.field_spec, training.models.DeepFM)
    _, history = fit(model, train_set, valid_set, training)
    return {
        "model": "DeepFM",
        "rows": train_rows,
        "batches": -(-train_rows // training.batch_size),
        "batch_size": training.batch_size,
        "valid_rows": len(valid_set),
        "threads": args.threads,
        "seconds": round(history["epochs"][-1]["seconds"], 3),
        "samples_per_second": round(history["epochs"][-1]["samples_per_second"], 1),
        "valid_auc": round(history["best_valid_auc"], 5),
    }


def run_child(
    rows: int, path: Path, result_path: Path, args: argparse.Namespace
) -> None:
    """Ingest, encode and train on ``path``; write the timings to ``result_path``."""
    from ctrflow.datasets import ImpressionLogDataset
    from ctrflow.feature_engineering.feature_map import FeatureMap
    from ctrflow.feature_engineering.params import FeatureEngineeringParams
    from ctrflow.ingestion.params import IngestionParams
    from ctrflow.pipelines.feature_engineering.nodes import encode_split, fit_encoding
    from ctrflow.pipelines.ingestion.nodes import split_logs
    from ctrflow.schema import DatasetSchema

    parameters = _parameters()
    schema = DatasetSchema(**parameters["schema"])
    ingestion = IngestionParams(**parameters["ingestion"])
    engineering = FeatureEngineeringParams(**parameters["feature_engineering"])
    selected = [*schema.numeric, *schema.categorical]
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    peak_gib: dict[str, float] = {}
    clock: dict[str, float] = {}

    def begin() -> None:
        clock["wall"], clock["cpu"] = time.perf_counter(), time.process_time()

    def end(stage: str) -> None:
        seconds[stage] = time.perf_counter() - clock["wall"]
        cpu_seconds[stage] = time.process_time() - clock["cpu"]
        peak_gib[stage] = round(_peak_rss_bytes() / 2**30, 3)

    begin()
    raw = ImpressionLogDataset(filepath=str(path), file_format="criteo_tsv").load()
    end("read")

    begin()
    train, valid, test, fingerprint, quarantine = split_logs(raw, schema, ingestion)
    del raw  # the runner releases raw_logs once its only consumer has run
    end("type_and_split")

    begin()
    feature_map = fit_encoding(train, selected, schema, engineering)
    end("fit_vocabularies")

    begin()
    encoded = {"train": encode_split(train, feature_map)}
    del train
    encoded["valid"] = encode_split(valid, feature_map)
    del valid
    encoded["test"] = encode_split(test, feature_map)
    del test
    end("encode")
    peak_before_training = _peak_rss_bytes()

    encoding = FeatureMap.from_dict(feature_map)
    training = _train(encoded, encoding, parameters, args)

    result = {
        "rows": rows,
        "file": str(path),
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "rows_read": fingerprint["ingestion"]["all"]["rows_read"],
        "accepted": fingerprint["ingestion"]["all"]["accepted"],
        "quarantined": quarantine.height,
        "split_rows": fingerprint["rows"],
        "encoded_columns": encoded["train"].width,
        "vocab_size": encoding.vocab_size,
        "seconds": {stage: round(seconds[stage], 3) for stage in STAGES},
        "cpu_seconds": {stage: round(cpu_seconds[stage], 3) for stage in STAGES},
        "peak_rss_gib_after": peak_gib,
        "ingestion_seconds": round(seconds["read"] + seconds["type_and_split"], 3),
        "encoding_seconds": round(seconds["fit_vocabularies"] + seconds["encode"], 3),
        "ingestion_encoding_seconds": round(sum(seconds.values()), 3),
        "ingestion_encoding_cpu_seconds": round(sum(cpu_seconds.values()), 3),
        "peak_rss_gib_ingestion_encoding": round(peak_before_training / 2**30, 3),
        "training": training,
    }
    common.write_json(result_path, result)


# --- the parent: data, children, results ---------------------------------------------


def demo_file(rows: int, seed: int, data_dir: Path) -> Path:
    """The generated demo file of ``rows`` rows (written once, then reused)."""
    path = data_dir / f"demo_{rows}_seed{seed}.tsv.gz"
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial.gz")
        print(f"generating {path} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "ctrflow.demo_data", "--rows", str(rows),
             "--seed", str(seed), "--output", str(partial)],
            check=True, cwd=common.PROJECT_ROOT,
        )  # fmt: skip
        partial.rename(path)
    return path


def measure(rows: int, path: Path, args: argparse.Namespace, work: Path) -> dict:
    """One child process for one size; its results plus wall time and peak RSS."""
    result_path = work / f"result_{rows}.json"
    log_path = work / f"child_{rows}.log"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child", str(rows),
        "--input", str(path), "--child-output", str(result_path),
        "--threads", str(args.threads), "--train-batches", str(args.train_batches),
        "--valid-rows", str(args.valid_rows),
    ]  # fmt: skip
    threads = str(args.threads)
    env = {
        "POLARS_MAX_THREADS": threads,
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
    }
    measured = common.run_measured(
        command, env=env, cwd=common.PROJECT_ROOT, log_path=log_path
    )
    if measured.returncode != 0:
        tail = log_path.read_text()[-3000:]
        raise RuntimeError(
            f"the {rows:,}-row child failed ({measured.returncode}):\n{tail}"
        )
    result = json.loads(result_path.read_text())
    result["child_seconds"] = round(measured.seconds, 3)
    result["peak_rss_gib"] = round(measured.peak_rss_gib, 3)
    return result


def _linearity(results: list[dict]) -> dict[str, float | None]:
    """Seconds (wall and CPU) per million rows of ingestion + encoding at the
    smallest and largest size, and their ratio (1 = linear; above 1 = worse)."""
    out: dict[str, float | None] = {}
    for kind, key in (
        ("", "ingestion_encoding_seconds"),
        ("cpu_", "ingestion_encoding_cpu_seconds"),
    ):
        if len(results) < 2:  # noqa: PLR2004
            small = large = None
        else:
            small = results[0][key] / results[0]["rows"] * 1e6
            large = results[-1][key] / results[-1]["rows"] * 1e6
        out[f"{kind}seconds_per_million_smallest"] = small and round(small, 3)
        out[f"{kind}seconds_per_million_largest"] = large and round(large, 3)
        out[f"{kind}ratio"] = round(large / small, 3) if small and large else None
    return out


def chart(results: list[dict], path: Path) -> Path:
    """Seconds per stage and peak memory against rows (log-log), as HTML."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = [r["rows"] for r in results]
    figure = make_subplots(
        rows=1, cols=2, subplot_titles=("seconds (2 cores)", "peak memory (GiB)")
    )
    for stage in STAGES:
        figure.add_trace(
            go.Scatter(x=rows, y=[r["seconds"][stage] for r in results],
                       mode="lines+markers", name=stage.replace("_", " ")),
            row=1, col=1,
        )  # fmt: skip
    total = [r["ingestion_encoding_seconds"] for r in results]
    figure.add_trace(
        go.Scatter(x=rows, y=total, mode="lines+markers", name="ingestion + encoding",
                   line={"width": 3}),
        row=1, col=1,
    )  # fmt: skip
    if rows:  # linear growth from the smallest size, for comparison
        linear = [total[0] * n / rows[0] for n in rows]
        figure.add_trace(
            go.Scatter(x=rows, y=linear, mode="lines", name="linear from smallest",
                       line={"dash": "dot", "color": "grey"}),
            row=1, col=1,
        )  # fmt: skip
    for key, name in (
        ("peak_rss_gib_ingestion_encoding", "ingestion + encoding"),
        ("peak_rss_gib", "whole child (with training)"),
    ):
        figure.add_trace(
            go.Scatter(x=rows, y=[r[key] for r in results], mode="lines+markers",
                       name=f"peak RSS: {name}"),
            row=1, col=2,
        )  # fmt: skip
    figure.update_xaxes(type="log", title_text="rows")
    figure.update_yaxes(type="log", row=1, col=1)
    figure.update_layout(
        title="ctrflow scaling: demo data, ingestion + encoding", height=450, width=1000
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.write_html(path, include_plotlyjs="cdn")
    return path


def docs_markdown(data: dict, command: str) -> str:
    """The ``scaling`` section of docs/benchmarks.md."""
    header = [
        "rows", "gzip MB", "read s", "type + split s", "vocabularies s", "encode s",
        "ingestion + encoding s", "CPU s", "s per 1M rows", "peak GiB (ingest + encode)",
        "peak GiB (with training)", "DeepFM samples/s",
    ]  # fmt: skip
    table_rows = [
        [
            f"{r['rows']:,}", r["file_mb"], f"{r['seconds']['read']:.2f}",
            f"{r['seconds']['type_and_split']:.2f}",
            f"{r['seconds']['fit_vocabularies']:.2f}", f"{r['seconds']['encode']:.2f}",
            f"**{r['ingestion_encoding_seconds']:.2f}**",
            f"{r['ingestion_encoding_cpu_seconds']:.2f}",
            f"{r['ingestion_encoding_seconds'] / r['rows'] * 1e6:.2f}",
            f"{r['peak_rss_gib_ingestion_encoding']:.2f}", f"{r['peak_rss_gib']:.2f}",
            f"{r['training']['samples_per_second'] / 1e3:.1f}k",
        ]
        for r in data["results"]
    ]  # fmt: skip
    linear = data["linearity"]
    training = data["results"][0]["training"] if data["results"] else {}
    lines = [
        "## Scaling: ingestion, encoding and training with the number of rows",
        "",
        "Command (from the project root):",
        "",
        "```bash",
        command,
        "```",
        "",
        f"Machine: {data['machine_line']}. Polars and torch limited to "
        f"{data['threads']} threads. *CPU s*: the child's CPU time (user + system) "
        "for ingestion + encoding, less sensitive than wall seconds to other jobs "
        "on the cores.",
        "",
        common.markdown_table(header, table_rows),
        "",
        "Demo files from `python -m ctrflow.demo_data --rows N --seed 7` (Criteo-shaped "
        "gzip TSV, label + 13 counters + 26 ids; generation not timed). *read*: "
        "`ImpressionLogDataset.load()`; *type + split*: `split_logs_node`; "
        "*vocabularies*: `fit_encoding_node` with all 39 fields selected; *encode*: "
        "the three `encode_{split}_node`. Data quality, feature ranking and the "
        "catalog's Parquet writes are not included. Peak memory is the child "
        "process's peak RSS (`ru_maxrss`), read before training and at its end. "
        f"Training: DeepFM (`conf/base`), two epochs of {training.get('batches')} "
        f"batches of {training.get('batch_size')} rows on CPU with "
        f"{training.get('threads')} threads (`ctrflow.training.fit`); samples/s of "
        "the second.",
        "",
        f"Growth: {linear['seconds_per_million_smallest']} s per million rows at the "
        f"smallest size, {linear['seconds_per_million_largest']} at the largest "
        f"(ratio {linear['ratio']}; CPU seconds: {linear.get('cpu_ratio')}; "
        "1 = linear). Targets: ingestion + encoding of "
        f"{TARGET_ROWS:,} rows under {TARGET_SECONDS:.0f} s on 2 cores and under "
        f"{TARGET_GIB:.0f} GiB peak memory. Chart: [img/scaling.html](img/scaling.html).",
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
    parser.add_argument("--output", type=Path,
                        default=common.RESULTS_DIR / "scaling.json")  # fmt: skip
    parser.add_argument("--chart", type=Path,
                        default=common.PROJECT_ROOT / "docs" / "img" / "scaling.html")  # fmt: skip
    parser.add_argument("--docs-page", type=Path, default=common.DOCS_PAGE)
    parser.add_argument("--note", default=None,
                        help="a sentence for the docs section (e.g. what else ran)")  # fmt: skip
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: redraw the chart and the docs section "
                        "from the JSON at --output")  # fmt: skip
    parser.add_argument("--no-docs", action="store_true",
                        help="do not update the docs page")  # fmt: skip
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-batches", type=int, default=20)
    parser.add_argument("--valid-rows", type=int, default=50_000)
    # the child process (internal)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--child-output", type=Path, default=None, help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)

    if args.child is not None:
        run_child(args.child, args.input, args.child_output, args)
        return None

    if args.render_only:
        data = json.loads(args.output.read_text())
        data["linearity"] = _linearity(data["results"])
        if args.note is not None:
            data["note"] = args.note
        common.write_json(args.output, data)
        _render(data, args)
        return data

    sizes = sorted(int(size) for size in args.sizes.split(","))
    results = []
    with tempfile.TemporaryDirectory(prefix="ctrflow_scaling_") as folder:
        for rows in sizes:
            path = demo_file(rows, args.seed, args.data_dir)
            result = measure(rows, path, args, Path(folder))
            results.append(result)
            print(
                f"{rows:>10,} rows: ingestion + encoding "
                f"{result['ingestion_encoding_seconds']:.2f} s {result['seconds']}, "
                f"peak {result['peak_rss_gib_ingestion_encoding']:.2f} GiB "
                f"({result['peak_rss_gib']:.2f} with training), DeepFM "
                f"{result['training']['samples_per_second']:,.0f} samples/s",
                flush=True,
            )
    info = common.machine()
    command = "python benchmarks/scaling.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    data = {
        "benchmark": "scaling",
        "command": command.strip(),
        "machine": info,
        "machine_line": common.machine_line(info),
        "threads": args.threads,
        "seed": args.seed,
        "targets": {
            "rows": TARGET_ROWS,
            "seconds": TARGET_SECONDS,
            "peak_gib": TARGET_GIB,
        },
        "results": results,
        "linearity": _linearity(results),
        "note": args.note,
    }
    common.write_json(args.output, data)
    _render(data, args)
    return data


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
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
