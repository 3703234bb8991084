"""``benchmarks/shared_cores.py`` on a tiny run: every case measured in its own
process, the ratios computed from the medians, the JSON and only its docs section
written."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def shared_cores(load_benchmark):
    return load_benchmark("shared_cores")


@pytest.mark.slow
def test_tiny_run_writes_json_and_its_section(shared_cores, tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nkept\n")
    output = tmp_path / "shared_cores.json"
    shared_cores.main(
        ["--rows", "3000", "--epochs", "1", "--batch-size", "256", "--repeats", "1",
         "--output", str(output), "--docs-page", str(page)]
    )  # fmt: skip
    saved = json.loads(output.read_text())
    for mode in ("before", "after"):
        result = saved[mode]
        assert result["quiet_samples_per_second"] > 0
        assert result["ratio"] == pytest.approx(
            result["one_competitor_samples_per_second"]
            / result["quiet_samples_per_second"]
        )
        assert (
            len(result["runs"]["quiet"]) == len(result["runs"]["one_competitor"]) == 1
        )
    assert min(saved["after"]["threads"]["one_competitor"]) >= 1
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nkept\n")
    assert "<!-- benchmark:shared_cores start -->" in text
    assert "beside one busy loop" in text and "CTRFLOW_LEGACY_THREADS=1" in text
