"""``benchmarks/inference.py``: the GEMM ceiling counts the model's own products,
and a run writes its JSON and only its docs section."""

from __future__ import annotations

import json

import pytest
from torch import nn


def test_gemm_ceiling_counts_every_linear_layer(load_benchmark):
    inference = load_benchmark("inference")
    model = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 1, bias=False))
    ceiling = inference.gemm_ceiling(model, batch=64, repeats=3)
    assert ceiling["mflop_per_row"] == pytest.approx(2 * (8 * 4 + 4 * 1) / 1e6)
    assert ceiling["rows_per_second"] > 0


@pytest.mark.slow
def test_a_run_writes_json_and_its_section(load_benchmark, tmp_path, monkeypatch):
    inference = load_benchmark("inference")
    monkeypatch.setattr(inference, "_repeats", lambda batch: 3)
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nkept\n")
    output = tmp_path / "inference.json"
    inference.main(["--model", "FM", "--output", str(output), "--docs-page", str(page)])
    saved = json.loads(output.read_text())
    assert set(saved["batches"]) == {"1", "64", "4096"}
    for batch in saved["batches"].values():
        assert batch["torch_rows_per_second"] > 0 < batch["onnx_rows_per_second"]
    assert 0 < saved["forward_vs_ceiling"]
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nkept\n")
    assert "<!-- benchmark:inference start -->" in text and "| 4096 |" in text
