"""`kedro viz build` on a checkout that has never run: no warning, the six stages as
kedro-viz groups (modular pipelines) and the catalog's layers in data-flow order."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
STAGES = [
    "data_quality",
    "evaluation",
    "feature_engineering",
    "feature_ranking",
    "ingestion",
    "training",
]


@pytest.mark.slow
def test_viz_build_of_a_fresh_checkout_is_quiet_and_shows_stages_and_layers(
    tmp_path, viz_layers
):
    # a fresh checkout's files: no data/ outputs, no .viz run events
    for name in ("conf", "pyproject.toml"):
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(
                source, tmp_path / name, ignore=shutil.ignore_patterns("local")
            )
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "conf" / "local").mkdir()
    (tmp_path / "src").mkdir()  # the package itself is the installed one
    result = subprocess.run(
        [sys.executable, "-m", "kedro", "viz", "build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "Warning" not in output, output
    main = json.loads((tmp_path / "build" / "api" / "main").read_text())
    assert main["layers"] == viz_layers
    groups = set(main["modular_pipelines"]) - {"__root__"}
    assert set(STAGES) <= groups
    # the six stages are the default pipeline's top-level groups, each holding nodes
    top_groups = {
        child["id"]
        for child in main["modular_pipelines"]["__root__"]["children"]
        if child["type"] == "modularPipeline"
    }
    assert top_groups == set(STAGES)
    for stage in STAGES:
        kinds = {c["type"] for c in main["modular_pipelines"][stage]["children"]}
        assert "task" in kinds, (stage, kinds)
    # every catalog dataset of the default pipeline sits on a layer (the two
    # namespaced in-memory settings, `<stage>.<stage>_settings`, are in no catalog)
    datasets = [
        n for n in main["nodes"] if n["type"] == "data" and "." not in n["name"]
    ]
    assert datasets and all(n.get("layer") in viz_layers for n in datasets)
