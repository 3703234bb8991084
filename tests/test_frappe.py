"""DeepFM on real Frappe data (BARS Frappe_x1 valid/test, reconstructed train).

Needs ../shared/data/frappe_x1 (or $CTRFLOW_SHARED_DATA/frappe_x1); skipped where absent.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import make_project_copy, shared_data_dir
from tests.test_run import _latest, run_project

FRAPPE = shared_data_dir() / "frappe_x1"


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(
    not (FRAPPE / "valid.csv.gz").is_file(),
    reason=f"Frappe data not found at {FRAPPE} (set CTRFLOW_SHARED_DATA to the shared data folder)",
)
def test_deepfm_reaches_bars_level_auc_on_frappe(tmp_path, monkeypatch):
    monkeypatch.setenv("CTRFLOW_SHARED_DATA", str(shared_data_dir().resolve()))
    project = make_project_copy(tmp_path, demo_rows=None)
    run_project(
        project, env="frappe", runtime_params={"training": {"progress_bar": False}}
    )
    metrics = json.loads(
        _latest(
            project / "data/frappe/08_reporting/evaluation/metrics.json"
        ).read_text()
    )
    assert metrics["rows"] == 28_860  # the exact BARS Frappe_x1 test split
    assert metrics["parameters"]["training"]["model"] == "DeepFM"
    assert metrics["auc"] >= 0.975, metrics
