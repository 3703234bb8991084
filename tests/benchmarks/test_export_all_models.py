"""benchmarks/export_all_models.py: its check on two models, and the table of
docs/pipelines/export.md covering every registered model."""

from __future__ import annotations

import json
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


@pytest.mark.parametrize("name", ["DeepFM", "DIN"])
def test_a_model_trained_on_encoded_splits_exports_and_matches(
    name, load_benchmark, tmp_path
):
    """``--trained-on``: encoded splits as ``data/05_model_input`` holds them; DIN
    without a behaviour sequence in the data is reported, not run."""
    script = load_benchmark("export_all_models")
    feature_map = script.demo_feature_map(sequence=False)
    (tmp_path / "feature_map.json").write_text(json.dumps(feature_map.to_dict()))
    for seed, split in enumerate(("train", "valid", "test")):
        script.random_encoded(feature_map, 600, seed=seed).write_parquet(
            tmp_path / f"{split}_encoded.parquet"
        )
    result = script.check_trained(name, tmp_path, ExportParams())
    if name == "DIN":
        assert result["result"].startswith("not run: the data has no behaviour")
        return
    assert result["result"] == "matches"
    assert result["rows"] == 600
    assert result["max_abs_diff"] <= ExportParams().parity_atol
