"""Project hooks: what a run is doing (so an error can say where it happened) and
the summary a successful run ends with.

``RunReportHooks`` follows the run step by step (loading a dataset, running a
node, saving a dataset): when the run fails, ``failed_step`` is where, and the
project's ``kedro run`` (``ctrflow.cli``) prints it in its error block. It keeps a
small digest of what the run saves (metrics, row counts, the data-quality
verdict, the leaderboard's best rows) and, after the pipeline, logs a summary to
the ``ctrflow.run_summary`` logger (``conf/logging.yml`` prints it plainly, as the
last lines of the run): the figures, where the artifacts are and how to browse
them. A dataset the run did not save (another pipeline, a ``MemoryDataset``
already released) is left out of the summary, never an error.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kedro.framework.hooks import hook_impl

logger = logging.getLogger(__name__)
summary_logger = logging.getLogger("ctrflow.run_summary")

# metrics.json keys the summary reads (the others are the run's record)
_METRIC_KEYS = (
    "auc",
    "auc_ci",
    "logloss",
    "rows",
    "positives",
    "baseline",
    "auc_vs_baseline",
    "warnings",
)
# artifacts whose saved path the summary shows, with their label
ARTIFACTS = {
    "metrics": "metrics",
    "model": "model",
    "data_quality_docs": "data docs",
    "quarantined_rows": "quarantined",
    "feature_ranking": "ranking",
    "benchmark_leaderboard": "leaderboard",
    "onnx_export": "ONNX export",
    "predictions": "predictions",
    "scoring_report": "report",
    "scoring_quarantine": "quarantined",
}
BROWSE = (
    "kedro viz run (lineage and plots, http://127.0.0.1:4141), "
    "or kedro viz build --include-previews (a static site in ./build)"
)
_LABEL_WIDTH = 13


@dataclass(frozen=True)
class Step:
    """What the run was doing: ``action`` is ``loading``, ``running`` or ``saving``."""

    action: str
    node: str | None = None
    dataset: str | None = None

    def describe(self) -> str:
        """``node evaluation.compute_metrics_node, saving dataset 'metrics'``."""
        parts = [f"node {self.node}"] if self.node else []
        if self.dataset:
            parts.append(f"{self.action} dataset {self.dataset!r}")
        return ", ".join(parts) or self.action


def digest(dataset_name: str, data: Any) -> Any:
    """The little the summary needs of a saved dataset, ``None`` if nothing.

    Example::

        >>> digest("data_fingerprint", {"rows": {"train": 8, "valid": 1, "test": 1},
        ...     "ingestion": {"all": {"quarantined": 2}}, "schema": {}})
        {'rows': {'train': 8, 'valid': 1, 'test': 1}, 'quarantined': 2}
        >>> digest("metrics", {"auc": 0.75, "parameters": {}})
        {'auc': 0.75}
    """
    if dataset_name == "metrics" and isinstance(data, dict):
        return {key: data[key] for key in _METRIC_KEYS if key in data}
    if dataset_name == "data_fingerprint" and isinstance(data, dict):
        files = (data.get("ingestion") or {}).values()
        return {
            "rows": data.get("rows", {}),
            "quarantined": sum(int(f.get("quarantined", 0)) for f in files),
        }
    if dataset_name == "data_quality_report" and isinstance(data, dict):
        return {
            "success": data.get("success"),
            "blocking_failures": len(data.get("blocking_failures") or []),
            "warnings": len(data.get("warnings") or []),
            "drift_warnings": len((data.get("drift") or {}).get("warnings") or []),
            "probable_leaks": [
                leak.get("column") for leak in data.get("probable_leaks") or []
            ],
        }
    if dataset_name == "quarantined_rows" and hasattr(data, "__len__"):
        return len(data)
    if dataset_name == "benchmark_leaderboard" and hasattr(data, "to_dicts"):
        return {"models": data.height, "best": data.head(3).to_dicts()}
    return _report_digest(dataset_name, data)


def _report_digest(dataset_name: str, data: Any) -> dict | None:
    """Of the export's and the scoring's reports."""
    if not isinstance(data, dict):
        return None
    if dataset_name == "export_report":
        return _export_digest(data)
    if dataset_name == "scoring_report":
        keys = ("model_name", "model_version", "rows_in", "rows_scored",
                "rows_quarantined", "labels", "warnings")  # fmt: skip
        return {key: data.get(key) for key in keys}
    return None


def _export_digest(report: dict) -> dict:
    """Model, exporter, verdict and parity figures of an ``export_report``."""
    parity = report.get("parity") or {}
    return {
        "model": report.get("model"),
        "exporter": report.get("exporter"),
        "passed": report.get("passed"),
        **{key: parity.get(key) for key in ("rows", "max_abs_diff", "atol")},
    }


def _scoring_lines(report: dict) -> list[str]:
    """Rows scored with which model, and the labels' AUC when the rows had any."""
    lines = [
        _line(
            "scored",
            f"{report['rows_scored']:,} of {report['rows_in']:,} rows with "
            f"{report['model_name']} {report['model_version'] or '(unversioned)'}; "
            f"{report['rows_quarantined']:,} quarantined",
        )
    ]
    labels = report.get("labels")
    if isinstance(labels, dict) and labels.get("auc") is not None:
        lines.append(
            _line(
                "labels",
                f"AUC {labels['auc']:.4f}, logloss {labels['logloss']:.4f} on "
                f"{labels['rows']:,} labelled rows",
            )
        )
    return lines


def _ci(interval: Any) -> str:
    if not isinstance(interval, dict) or "low" not in interval:
        return ""
    level = round(100 * interval.get("level", 0.95))
    return f" ({level}% CI {interval['low']:.4f}-{interval['high']:.4f})"


def _line(label: str, text: str) -> str:
    return f"  {label:<{_LABEL_WIDTH}}{text}"


def _metric_lines(metrics: dict) -> list[str]:
    lines = []
    if "auc" in metrics:
        counts = ""
        if "rows" in metrics:
            counts = f" on {metrics['rows']:,} test rows"
            if "positives" in metrics:
                counts += f", {metrics['positives']:,} clicks"
        lines.append(
            _line(
                "test AUC", f"{metrics['auc']:.4f}{_ci(metrics.get('auc_ci'))}{counts}"
            )
        )
    baseline = metrics.get("baseline")
    if isinstance(baseline, dict) and "auc" in baseline:
        text = f"{baseline['auc']:.4f}{_ci(baseline.get('auc_ci'))}"
        text += f" ({baseline.get('model', 'baseline')})"
        lines.append(_line("baseline AUC", text))
        versus = metrics.get("auc_vs_baseline")
        if isinstance(versus, dict) and "difference" in versus:
            text = f"{versus['difference']:+.4f}"
            if "low" in versus:
                text += f" (95% CI {versus['low']:+.4f} to {versus['high']:+.4f}"
                text += f", p={versus['p_value']:.3g})" if "p_value" in versus else ")"
            lines.append(_line("model - base", text))
    if "logloss" in metrics:
        text = f"{metrics['logloss']:.4f}"
        if isinstance(baseline, dict) and "logloss" in baseline:
            text += f" (baseline {baseline['logloss']:.4f})"
        lines.append(_line("logloss", text))
    return lines


def format_summary(
    pipelines: list[str], digests: dict[str, Any], paths: dict[str, str]
) -> list[str]:
    """The lines a successful run ends with, from what it saved.

    Args:
        pipelines: the pipelines run (``["train"]``).
        digests: ``digest()`` of each dataset the run saved, by dataset name.
        paths: where each artifact of ``ARTIFACTS`` was saved, by dataset name.

    Example::

        >>> print("\\n".join(format_summary(["ingestion"],
        ...     {"data_fingerprint": {"rows": {"train": 8, "test": 2},
        ...                           "quarantined": 0}}, {})))
        Run finished: pipeline ingestion
          rows         train 8, test 2; 0 quarantined
          browse       kedro viz run (lineage and plots, http://127.0.0.1:4141), or kedro viz build --include-previews (a static site in ./build)
    """
    lines = [f"Run finished: pipeline {', '.join(pipelines) or '__default__'}"]
    metrics = digests.get("metrics")
    if isinstance(metrics, dict):
        lines += _metric_lines(metrics)
    fingerprint = digests.get("data_fingerprint")
    if isinstance(fingerprint, dict) and fingerprint.get("rows"):
        rows = ", ".join(f"{split} {n:,}" for split, n in fingerprint["rows"].items())
        lines.append(
            _line("rows", f"{rows}; {fingerprint['quarantined']:,} quarantined")
        )
    report = digests.get("data_quality_report")
    if isinstance(report, dict):
        verdict = "passed" if report["success"] else "FAILED"
        text = f"{verdict}, {report['blocking_failures']} blocking failures, "
        text += f"{report['warnings']} warnings"
        if report.get("drift_warnings"):
            text += f", {report['drift_warnings']} drift warnings"
        if report["probable_leaks"]:
            text += f"; probable leaks: {', '.join(map(str, report['probable_leaks']))}"
        lines.append(_line("data quality", text))
    board = digests.get("benchmark_leaderboard")
    if isinstance(board, dict) and board["best"]:
        best = ", ".join(
            f"{row['model']} {row['auc']:.4f}"
            for row in board["best"]
            if "model" in row
        )
        lines.append(_line("best AUC", f"{best} (of {board['models']} models)"))
    export = digests.get("export_report")
    if isinstance(export, dict):
        verdict = "matches" if export["passed"] else "does NOT match"
        lines.append(
            _line(
                "ONNX parity",
                f"{export['model']} ({export['exporter']} exporter) {verdict} torch "
                f"on {export['rows']:,} test rows: max |p_onnx - p_torch| "
                f"{export['max_abs_diff']:.2g} (tolerance {export['atol']:g})",
            )
        )
    scoring = digests.get("scoring_report")
    if isinstance(scoring, dict):
        lines += _scoring_lines(scoring)
    warnings = metrics.get("warnings") if isinstance(metrics, dict) else None
    if isinstance(scoring, dict):
        warnings = scoring.get("warnings") or []
    if warnings is not None:
        lines.append(_line("warnings", "none" if not warnings else warnings[0]))
        lines += [_line("", warning) for warning in warnings[1:]]
    counts = {
        "quarantined_rows": digests.get("quarantined_rows"),
        "scoring_quarantine": (scoring or {}).get("rows_quarantined")
        if isinstance(scoring, dict)
        else None,
    }
    for name, label in ARTIFACTS.items():
        if name not in paths or (name in counts and not counts[name]):
            continue
        prefix = f"{counts[name]:,} rows: " if name in counts else ""
        lines.append(_line(label, prefix + paths[name]))
    lines.append(_line("browse", BROWSE))
    return lines


def saved_path(dataset: Any) -> str | None:
    """Where a file dataset saved this run (its version folder when versioned),
    relative to the working directory when under it; ``None`` for datasets
    without a file (``MemoryDataset``)."""
    filepath = getattr(dataset, "_filepath", None)  # kedro-datasets' file datasets
    if filepath is None:
        return None
    path = PurePosixPath(str(filepath))
    version = getattr(dataset, "resolve_save_version", None)
    if callable(version) and getattr(dataset, "_version", None):
        path = path / version() / path.name
    if os.path.isabs(path):
        try:
            return Path(path).relative_to(Path.cwd()).as_posix()
        except ValueError:
            return str(path)
    return str(path)


class RunReportHooks:
    """Follows the run for the error block and logs the summary it ends with."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the previous run (a session may run once; a process many)."""
        self.step: Step | None = None
        self.failed_step: Step | None = None
        self.digests: dict[str, Any] = {}
        self.summary: list[str] = []

    @hook_impl
    def before_pipeline_run(self) -> None:
        self.reset()

    @hook_impl
    def before_dataset_loaded(self, dataset_name: str, node: Any) -> None:
        self.step = Step("loading", node.name, dataset_name)

    @hook_impl
    def before_node_run(self, node: Any) -> None:
        self.step = Step("running", node.name)

    @hook_impl
    def on_node_error(self, node: Any) -> None:
        # exact even when nodes run in threads
        self.failed_step = Step("running", node.name)

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, node: Any) -> None:
        self.step = Step("saving", node.name, dataset_name)

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, data: Any) -> None:
        # loaded by then (the catalog made the dataset); not at Kedro's startup
        from ctrflow.datasets.sharded_parquet import ShardBlock  # noqa: PLC0415

        if isinstance(data, ShardBlock):  # one block of a stream: count them all
            if dataset_name == "quarantined_rows":
                so_far = self.digests.get(dataset_name, 0)
                self.digests[dataset_name] = so_far + data.frame.height
            return
        small = digest(dataset_name, data)
        if small is not None:
            self.digests[dataset_name] = small

    @hook_impl
    def on_pipeline_error(self) -> None:
        self.failed_step = self.failed_step or self.step

    @hook_impl
    def after_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Any, catalog: Any
    ) -> list[str]:
        outputs = pipeline.all_outputs()
        digests = dict(self.digests)
        paths = {}
        for name in outputs:
            if name not in digests:
                # nodes that ran in other processes (ParallelRunner) saved unseen
                small = _load_digest(catalog, name)
                if small is not None:
                    digests[name] = small
            if name in ARTIFACTS:
                path = _artifact_path(catalog, name)
                if path:
                    paths[name] = path
        self.summary = format_summary(
            run_params.get("pipeline_names") or [], digests, paths
        )
        summary_logger.info("\n".join(self.summary))
        return self.summary


def _load_digest(catalog: Any, name: str) -> Any:
    if name not in {"metrics", "data_fingerprint", "data_quality_report"}:
        return None
    try:
        return digest(name, catalog.load(name)) if catalog.exists(name) else None
    except Exception as error:  # a summary never fails a finished run
        logger.debug("summary: could not read %s: %s", name, error)
        return None


def _artifact_path(catalog: Any, name: str) -> str | None:
    try:
        return saved_path(catalog.get(name)) if catalog.exists(name) else None
    except Exception as error:  # a summary never fails a finished run
        logger.debug("summary: no path for %s: %s", name, error)
        return None


SCORE_NODE = "score.score_new_logs_node"


def _model_version(parameters: Any) -> str | None:
    """``score.model_version`` of the run's parameters (a dict or the validated model)."""
    if isinstance(parameters, dict):
        return parameters.get("model_version")
    return getattr(parameters, "model_version", None)


class ModelVersionHooks:
    """``score.model_version`` picks the ``model`` version the score pipeline loads
    (as ``--load-versions model:<version>`` does; naming two different ones is an
    error). Only a run that scores and does not train the model is changed."""

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Any, catalog: Any
    ) -> None:
        if SCORE_NODE not in {n.name for n in pipeline.nodes}:
            return
        if "model" in pipeline.all_outputs() or "params:score" not in catalog:
            return
        version = _model_version(catalog.load("params:score"))
        if version is None:
            return
        given = (run_params.get("load_versions") or {}).get("model")
        if given is not None:
            if given != version:
                raise ValueError(
                    f"--load-versions model:{given} and score.model_version "
                    f"{version!r} name different models: keep one"
                )
            return
        dataset = catalog["model"]
        if not hasattr(dataset, "at_version"):
            raise ValueError(
                "score.model_version is set, but the catalog entry 'model' "
                f"({type(dataset).__name__}) is not a versioned TorchModelDataset"
            )
        catalog["model"] = dataset.at_version(version)
