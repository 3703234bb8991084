"""Registering the pipelines imports nothing heavy, every stage is a Kedro namespace
whose catalog datasets keep their names, and the pipelines are the same in every
environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kedro.config import OmegaConfigLoader
from kedro.framework.project import pipelines as project_pipelines
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from ctrflow import settings
from ctrflow.pipeline_registry import STAGES, register_pipelines

PROJECT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "great_expectations", "outrank", "plotly", "onnx", "onnxruntime")


def test_registering_the_pipelines_imports_no_heavy_library():
    """A fresh interpreter registers every pipeline and reads their parameter
    types as Kedro does before a run (so a bad parameter fails in about the
    time Kedro needs to start)."""
    code = (
        "import json, sys\n"
        "from kedro.validation import TypeExtractor\n"
        "from ctrflow.pipeline_registry import register_pipelines\n"
        "pipelines = register_pipelines()\n"
        "types = TypeExtractor(pipelines).extract_types_from_pipelines()\n"
        f"print(json.dumps({{'types': sorted(types), 'loaded': "
        f"[m for m in {HEAVY!r} if m in sys.modules]}}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["loaded"] == []
    # the node annotations resolved without the heavy libraries: every block typed
    assert report["types"] == sorted(
        ["schema", "ingestion", "data_quality", "feature_ranking",
         "feature_engineering", "training", "evaluation", "benchmark", "score", "export"]
    )  # fmt: skip


def test_each_stage_is_a_namespace_and_keeps_the_catalog_names():
    pipelines = register_pipelines()
    for stage in STAGES:
        nodes = pipelines[stage].nodes
        assert {node.namespace for node in nodes} == {stage}
        assert all(node.name.startswith(f"{stage}.") for node in nodes)
    train = pipelines["train"]
    internal = {d for d in train.datasets() if "." in d and not d.startswith("params:")}
    # only what passes between a stage's own nodes is prefixed (memory datasets)
    assert internal == {
        "data_quality.data_quality_settings",
        "feature_ranking.feature_ranking_settings",
        "feature_ranking.screened_ranking",
        "feature_ranking.chosen_top_k",
    }
    # every other dataset is a catalog entry (or factory), named as before
    loader = OmegaConfigLoader(str(PROJECT / "conf"), **settings.CONFIG_LOADER_ARGS)
    catalog = DataCatalog.from_config(loader["catalog"])
    for name in train.datasets() - internal - {"parameters"}:
        if not name.startswith("params:"):
            assert catalog.get(name) is not None, name
    for name in internal:
        assert catalog.get(name) is None, name


def test_train_parameters_keep_their_names():
    train = register_pipelines()["train"]
    assert {d for d in train.inputs() if d.startswith("params:")} == {
        f"params:{block}"
        for block in ("schema", "ingestion", "data_quality", "feature_ranking",
                      "feature_engineering", "training", "evaluation")
    }  # fmt: skip


class RecordingRunner(SequentialRunner):
    """Runs nothing: writes the pipeline it was given (``$RECORD_PIPELINE``)."""

    def run(self, pipeline, catalog, hook_manager=None, run_id=None, **kwargs):
        Path(os.environ["RECORD_PIPELINE"]).write_text(json.dumps(_shape(pipeline)))
        return {}


def _shape(pipeline) -> list:
    return sorted([n.name, n.inputs, n.outputs] for n in pipeline.nodes)


def test_train_is_the_same_from_python_and_from_kedro_run_env_movielens(
    tmp_path, make_project_copy
):
    """Nothing reads the environment before Kedro: ``KedroSession.create(env=...)``
    from Python builds the ``train`` that ``kedro run --env movielens`` runs; the
    environment's ``raw_logs`` is the MovieLens dataset."""
    project = make_project_copy(tmp_path, demo_rows=None)
    record = tmp_path / "pipeline.json"
    result = subprocess.run(
        [sys.executable, "-m", "kedro", "run", "--env", "movielens",
         f"--runner={__name__}.RecordingRunner"],
        check=False, cwd=project, capture_output=True, text=True, timeout=300,
        env={**os.environ, "RECORD_PIPELINE": str(record), "PYTHONPATH": str(PROJECT),
             "KEDRO_DISABLE_TELEMETRY": "true"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    from_cli = json.loads(record.read_text())

    bootstrap_project(project)
    with KedroSession.create(project_path=project, env="movielens") as session:
        context = session.load_context()
        from_python = _shape(project_pipelines["train"])
    assert from_python == from_cli
    # the environment only switches the dataset behind `raw_logs`
    assert type(context.catalog.get("raw_logs")).__name__ == "MovieLensLogsDataset"
    assert ["ingestion.split_logs_node"] == [
        name for name, inputs, _ in from_cli if "raw_logs" in inputs
    ]
