"""``benchmarks/ceiling.py`` on small shapes: its arithmetic, and a run that writes
the JSON and only its own docs section."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def ceiling(load_benchmark):
    return load_benchmark("ceiling")


def test_flops_per_sample_of_the_bars_deepfm(ceiling):
    shapes = ceiling.Shapes()
    assert shapes.layer_dims == [(100, 400), (400, 400), (400, 400), (400, 1)]
    # 6 x (100*400 + 2 * 400*400 + 400) = 2.1624 MFLOP: the "about 2.2"
    assert shapes.flops_per_sample == 6 * (40_000 + 320_000 + 400)


@pytest.mark.slow
def test_small_run_writes_json_and_its_section(ceiling, tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nkept\n")
    output = tmp_path / "ceiling.json"
    result = ceiling.main(
        ["--threads", "1", "--batch-size", "256", "--ctrflow-rows", "6000",
         "--repeats", "2", "--output", str(output), "--docs-page", str(page)]
    )  # fmt: skip
    saved = json.loads(output.read_text())
    assert saved["threads"] == 1 and saved["shapes"]["batch_size"] == 256
    gemm = saved["gemm"]
    assert gemm["gflop_per_second"] > 0 and len(gemm["per_layer"]) == 4
    assert gemm["gemm_bound_samples_per_second"] == pytest.approx(
        gemm["gflop_per_second"] * 1e9 / gemm["flops_per_sample"]
    )
    assert len(saved["bare_mlp_runs"]) == len(saved["ctrflow_runs"]) == 2
    assert saved["bare_mlp_samples_per_second"] == pytest.approx(
        sum(saved["bare_mlp_runs"]) / 2  # the median of two
    )
    assert saved["ctrflow"]["samples_per_second"] == pytest.approx(
        sum(saved["ctrflow_runs"]) / 2
    )
    assert min(saved["ctrflow_runs"]) > 0
    assert result["ctrflow_fraction_of_bare_mlp"] == pytest.approx(
        saved["ctrflow"]["samples_per_second"] / saved["bare_mlp_samples_per_second"]
    )
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nkept\n")
    assert "<!-- benchmark:ceiling start -->" in text
    assert "bare MLP (Linear + ReLU, Adam)" in text and "of the ceiling" in text
