"""benchmarks/scaling.py: the stage attribution of the run's timeline, the memory
guard, and the whole script on tiny sizes (generated files, the real pipeline in
a project copy per size, the JSON, the chart and the docs section, under tmp_path)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest
from kedro.config import OmegaConfigLoader

from ctrflow.pipeline_registry import register_pipelines

SIZES = (6_000, 8_000)
GIB = 2**30


def test_stage_profile_counts_each_interval_and_sample_to_the_node_running(
    load_benchmark,
):
    scaling = load_benchmark("scaling")
    events = [
        (0.0, 0.0, "setup"),
        (1.0, 0.5, "ingestion"),
        (3.0, 2.0, "data_quality"),  # a node shorter than the sampling interval
        (3.02, 2.01, "ingestion"),  # the stage holds a second time
        (4.0, 3.0, "training"),
    ]
    samples = [(0.5, 100), (1.5, 300), (2.5, 200), (3.5, 250), (4.5, 900), (5.5, 400)]
    profile = scaling.stage_profile(events, samples, end=(6.0, 5.0))
    assert list(profile) == ["setup", "ingestion", "data_quality", "training"]
    assert profile["ingestion"]["seconds"] == pytest.approx(2.0 + 0.98)
    assert profile["ingestion"]["cpu_seconds"] == pytest.approx(1.5 + 0.99)
    assert profile["ingestion"]["nodes"] == 2
    # [1, 3): 300 and 200, and 100 it started with; [3.02, 4): 250 and 200
    assert profile["ingestion"]["peak_rss_bytes"] == 300
    # no sample inside [3.0, 3.02): the memory it started with
    assert profile["data_quality"]["peak_rss_bytes"] == 200
    assert profile["data_quality"]["seconds"] == pytest.approx(0.02)
    assert profile["training"] == {
        "seconds": 2.0,
        "cpu_seconds": 2.0,
        "peak_rss_bytes": 900,
        "nodes": 1,
    }
    assert profile["setup"]["peak_rss_bytes"] == 100
    empty = scaling.stage_profile([(0.0, 0.0, "setup")], [], end=(1.0, 1.0))
    assert empty["setup"]["peak_rss_bytes"] is None


def test_growth_is_the_largest_sizes_cost_per_million_over_the_smallests(
    load_benchmark,
):
    scaling = load_benchmark("scaling")

    def result(rows, per_million):
        stages = {"ingestion": {"seconds_per_million_rows": per_million}}
        return {"rows": rows, "status": "ok", "stages": stages}

    stopped = {"rows": 9, "status": "stopped: RSS above 20 GiB at stage training"}
    ratios = scaling.growth([result(1, 2.0), result(5, 3.0), stopped])
    assert ratios["ingestion"] == 1.5  # the stopped size is left out
    assert ratios["training"] is None  # measured at neither size
    assert set(ratios) == set(scaling.STAGES)


def test_in_memory_loads_the_splits_whole_in_the_scaling_environment(
    load_benchmark, tmp_path
):
    scaling = load_benchmark("scaling")
    raw = tmp_path / "logs.tsv.gz"
    raw.write_bytes(b"")
    options = {"max_epochs": 1, "threads": 1}
    for in_memory in (False, True):
        project = scaling.make_project(
            tmp_path / f"project_{in_memory}", raw,
            argparse.Namespace(in_memory=in_memory, **options),
        )  # fmt: skip
        loader = OmegaConfigLoader(
            str(project / "conf"), base_env="base", default_run_env="scaling"
        )
        catalog = loader["catalog"]
        assert catalog["raw_logs"]["filepath"] == str(raw.resolve())
        for name in ("{split}_table", "{split}_encoded"):
            # conf/base's scans, or the same folders loaded whole
            assert catalog[name]["load_args"] == {"lazy": not in_memory}
            assert catalog[name]["type"] == "ctrflow.datasets.ShardedParquetDataset"


def test_run_guarded_stops_a_child_above_the_memory_limit(load_benchmark, tmp_path):
    scaling = load_benchmark("scaling")
    hog = "x = bytearray(400 * 2**20); import time; time.sleep(60)"
    code, seconds, peak, stopped_at = scaling.run_guarded(
        [sys.executable, "-c", hog],
        env={},
        log_path=tmp_path / "log.txt",
        max_rss_bytes=200 * 2**20,
    )
    assert code == -9 and seconds < 30
    assert stopped_at > 200 * 2**20 and peak >= stopped_at * 0.9
    code, _, _, stopped_at = scaling.run_guarded(
        [sys.executable, "-c", "pass"], env={}, log_path=tmp_path / "log.txt",
        max_rss_bytes=GIB,
    )  # fmt: skip
    assert code == 0 and stopped_at is None


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
            "--chart", str(chart), "--docs-page", str(page), "--threads", "1",
            "--not-run", "50000000",
        ],
        check=True, cwd=project_root, capture_output=True, text=True,
    )  # fmt: skip

    data = json.loads(output.read_text())
    assert data["benchmark"] == "scaling" and data["threads"] == 1
    assert data["max_epochs"] == 1 and data["not_run"] == [50_000_000]
    assert {"cpu", "cores", "memory_gib", "torch"} <= set(data["machine"])
    assert [r["rows"] for r in data["results"]] == list(SIZES)
    nodes = len(register_pipelines()["train"].nodes)
    for result in data["results"]:
        assert result["status"] == "ok"
        assert sum(result["split_rows"].values()) == result["rows"]
        stages = {k: v for k, v in result["stages"].items() if k != "setup"}
        assert set(stages) == set(data["growth"])  # the six namespaces
        assert sum(s["nodes"] for s in stages.values()) == nodes  # every node counted
        # session.run also holds what comes before the first node (setup's end)
        seconds = sum(s["seconds"] for s in stages.values())
        with_setup = seconds + result["stages"]["setup"]["seconds"]
        assert seconds < result["run_seconds"] + 1 < with_setup + 2
        rounding = 0.006 / result["rows"] * 1e6  # seconds are kept to 0.01
        for stage in stages.values():
            per_million = stage["seconds"] / result["rows"] * 1e6
            assert stage["seconds_per_million_rows"] == pytest.approx(
                per_million, abs=rounding
            )
        peaks = [s["peak_rss_gib"] for s in stages.values()]
        assert 0.1 < max(peaks) <= result["peak_rss_gib"] + 0.01 < 4
        assert result["data_gib"] > 0
        training = result["training"]
        assert training["model"] == "DeepFM" and training["epochs"] == 1
        assert training["samples_per_second"] > 0
        assert 0.5 < result["test_auc"] <= 1
    assert all(isinstance(ratio, float) for ratio in data["growth"].values())

    assert chart.read_text().count("cdn.plot.ly") >= 1
    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nkept\n")
    assert "python benchmarks/scaling.py --sizes 6000,8000" in text
    assert "| 6,000 |" in text and "train samples/s" in text
    assert "| 50,000,000 |  | not run |" in text
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
    assert "| 8,000 |" in other.read_text() and (tmp_path / "again.html").is_file()


@pytest.mark.slow
def test_a_child_above_the_memory_limit_is_stopped_and_its_row_says_where(
    tmp_path, project_root
):
    output = tmp_path / "scaling.json"
    subprocess.run(
        [
            sys.executable, str(project_root / "benchmarks" / "scaling.py"),
            "--sizes", "2000", "--data-dir", str(tmp_path / "data"),
            "--output", str(output), "--chart", str(tmp_path / "chart.html"),
            "--no-docs", "--max-rss-gib", "0.05",
        ],
        check=True, cwd=project_root, capture_output=True, text=True,
    )  # fmt: skip
    (result,) = json.loads(output.read_text())["results"]
    assert result["status"].startswith("stopped: RSS above 0.05 GiB at stage ")
    assert "stages" not in result
