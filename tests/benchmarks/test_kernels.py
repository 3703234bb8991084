"""``benchmarks/kernels.py`` on a small batch: every figure is measured and saved."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def kernels(load_benchmark):
    return load_benchmark("kernels")


@pytest.mark.slow
def test_small_run_measures_every_piece(kernels, tmp_path):
    output = tmp_path / "kernels.json"
    result = kernels.main(
        ["--threads", "1", "--rows", "64", "--width", "12", "--repeats", "2",
         "--steps", "1", "--output", str(output)]
    )  # fmt: skip
    saved = json.loads(output.read_text())
    assert saved["layer"] == result["layer"]
    assert saved["layer"]["rows"] == 64 and saved["layer"]["width"] == 12
    assert saved["layer"]["unfused_ms"] > 0 and saved["layer"]["fused_ms"] > 0
    assert set(saved["adam"]) == {"default_ms", "foreach_ms", "fused_ms"}
    assert min(saved["adam"].values()) > 0
    assert set(saved["page_faults"]) == {"plain_per_step", "reuse_per_step"}
    assert min(saved["page_faults"].values()) >= 0
