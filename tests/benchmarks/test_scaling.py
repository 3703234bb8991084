"""benchmarks/scaling.py end to end on tiny sizes: generated files, one measured
child per size, the JSON, the chart and the docs section (all under tmp_path)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SIZES = (2_000, 5_000)


@pytest.mark.slow
def test_scaling_smoke_run_writes_json_chart_and_docs_section(tmp_path, project_root):
    script = project_root / "benchmarks" / "scaling.py"
    output, chart = tmp_path / "scaling.json", tmp_path / "scaling.html"
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nkept\n")
    subprocess.run(
        [
            sys.executable, str(script), "--sizes", ",".join(map(str, SIZES)),
            "--data-dir", str(tmp_path / "data"), "--output", str(output),
            "--chart", str(chart), "--docs-page", str(page),
            "--train-batches", "2", "--valid-rows", "500", "--threads", "1",
        ],
        check=True, cwd=project_root, capture_output=True, text=True,
    )  # fmt: skip

    data = json.loads(output.read_text())
    assert data["benchmark"] == "scaling" and data["threads"] == 1
    assert {"cpu", "cores", "memory_gib", "torch"} <= set(data["machine"])
    assert [r["rows"] for r in data["results"]] == list(SIZES)
    for result in data["results"]:
        rows = result["rows"]
        assert result["rows_read"] == result["accepted"] == rows
        assert result["quarantined"] == 0
        assert sum(result["split_rows"].values()) == rows
        assert result["encoded_columns"] == 1 + 13 + 26  # label, counters, ids
        stages = result["seconds"]
        assert set(stages) == {"read", "type_and_split", "fit_vocabularies", "encode"}
        assert all(0 < s < 30 for s in stages.values())
        assert abs(result["ingestion_encoding_seconds"] - sum(stages.values())) < 0.01
        assert (
            0.05 < result["peak_rss_gib_ingestion_encoding"] <= result["peak_rss_gib"]
        )
        assert result["peak_rss_gib"] < 4
        training = result["training"]
        assert training["model"] == "DeepFM"
        # --train-batches 2 caps the epoch; these splits are smaller than one batch
        assert training["rows"] == min(
            result["split_rows"]["train"], 2 * training["batch_size"]
        )
        assert training["samples_per_second"] > 0
        assert 0 <= training["valid_auc"] <= 1
    assert data["linearity"]["ratio"] > 0 and data["linearity"]["cpu_ratio"] > 0

    assert chart.read_text().count("cdn.plot.ly") >= 1
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nkept\n")
    assert "<!-- benchmark:scaling start -->" in text
    assert "python benchmarks/scaling.py --sizes 2000,5000" in text
    assert "| 5,000 |" in text and "DeepFM samples/s" in text
    assert text.count("<!-- benchmark:scaling end -->") == 1

    # the chart and section can be redrawn from the JSON alone
    other = tmp_path / "other.md"
    subprocess.run(
        [
            sys.executable, str(script), "--render-only", "--output", str(output),
            "--chart", str(tmp_path / "again.html"), "--docs-page", str(other),
        ],
        check=True, cwd=project_root, capture_output=True, text=True,
    )  # fmt: skip
    assert "| 2,000 |" in other.read_text() and (tmp_path / "again.html").is_file()
