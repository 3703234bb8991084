"""``benchmarks/scoring.py`` on a tiny run: it trains the demo model in a project
copy, scores a generated file through ``kedro run --pipeline=score``, sends real
requests to ``ctrflow serve`` on 127.0.0.1 (stopped after), and writes its JSON
and only its docs section."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_tiny_run_scores_serves_and_reports(load_benchmark, tmp_path):
    scoring = load_benchmark("scoring")
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nkept\n")
    output = tmp_path / "scoring.json"
    scoring.main(
        ["--sizes", "3000", "--requests", "8", "--work", str(tmp_path / "work"),
         "--data-dir", str(tmp_path / "data"), "--output", str(output),
         "--docs-page", str(page)]
    )  # fmt: skip
    saved = json.loads(output.read_text())
    (batch,) = saved["batch"]
    assert batch["rows"] == batch["rows_scored"] + batch["rows_quarantined"] == 3000
    assert batch["rows_per_second"] > 0 and batch["peak_rss_gib"] > 0
    cases = {(r["rows_per_request"], r["clients"]) for r in saved["http"]}
    assert cases == {(1, 1), (1, 4), (100, 1), (100, 4)}
    assert all(r["p50_ms"] <= r["p99_ms"] for r in saved["http"])
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nkept\n")
    assert "<!-- benchmark:scoring start -->" in text
