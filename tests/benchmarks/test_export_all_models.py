"""benchmarks/export_all_models.py: its check on two models, and the table of
docs/pipelines/export.md covering every registered model."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctrflow.export.params import ExportParams
from ctrflow.models import MODEL_NAMES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "pipelines" / "export.md"


@pytest.mark.parametrize("name", ["FM", "DIN"])
def test_the_check_exports_and_compares(name, load_benchmark):
    script = load_benchmark("export_all_models")
    result = script.check(name, rows=300, params=ExportParams())
    assert result["exporter"] == "dynamo"
    assert result["result"] == "matches"
    assert result["max_abs_diff"] <= ExportParams().parity_atol
    assert result["spread"] > 0.01  # probabilities that differ between rows


def test_the_docs_table_lists_every_registered_model():
    rows = {
        line.split("|")[1].strip()
        for line in DOCS.read_text().splitlines()
        if line.startswith("| ") and line.count("|") >= 5
    }
    assert set(MODEL_NAMES) <= rows
