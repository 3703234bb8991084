"""``benchmarks/checkpoint.py`` on tiny splits: every figure is measured and saved."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_small_run_measures_key_write_and_read(load_benchmark, tmp_path):
    output, page = tmp_path / "checkpoint.json", tmp_path / "benchmarks.md"
    result = load_benchmark("checkpoint").main(
        ["--threads", "1", "--train-rows", "500", "--valid-rows", "100",
         "--repeats", "2", "--output", str(output), "--docs-page", str(page)]
    )  # fmt: skip
    saved = json.loads(output.read_text())
    assert saved["train_rows"] == 500 and saved["valid_rows"] == 100
    assert min(saved[k] for k in ("key_ms", "write_ms", "read_ms")) > 0
    # weights, best weights and Adam's two moments: four float32 copies at least
    assert saved["megabytes"] * 2**20 >= 4 * 4 * result["parameters"]
    assert "<!-- benchmark:checkpoint start -->" in page.read_text()
