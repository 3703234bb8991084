"""DeepFM on real Frappe data (BARS Frappe_x1 valid/test, reconstructed train).

Needs ../shared/data/frappe_x1 (or $CTRFLOW_SHARED_DATA/frappe_x1); skipped where absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def frappe_project(tmp_path, monkeypatch, shared_dataset, make_project_copy) -> Path:
    """A project copy whose ``frappe`` environment reads the shared Frappe_x1 data."""
    frappe = shared_dataset("frappe_x1", "valid.csv.gz")
    monkeypatch.setenv("CTRFLOW_SHARED_DATA", str(frappe.parent))
    return make_project_copy(tmp_path, demo_rows=None)


@pytest.mark.slow
@pytest.mark.shared_data
def test_deepfm_reaches_bars_level_auc_on_frappe(frappe_project, run_project, latest):
    run_project(
        frappe_project,
        env="frappe",
        runtime_params={"training": {"progress_bar": False}},
    )
    metrics = json.loads(
        latest(
            frappe_project / "data/frappe/08_reporting/evaluation/metrics.json"
        ).read_text()
    )
    assert metrics["rows"] == 28_860  # the exact BARS Frappe_x1 test split
    assert metrics["parameters"]["training"]["model"] == "DeepFM"
    assert metrics["auc"] >= 0.975, metrics
