"""benchmarks/peers.py: the side-by-side benchmark's parsing, ratios, chart and docs
section (no data needed), the ctrflow part on a small Frappe slice (needs
../shared/data) and each peer script on a small slice (needs the peers venv too,
``bash benchmarks/peers/setup_venv.sh /tmp/peers``; ``$CTRFLOW_PEERS_VENV`` names
another)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = PROJECT_ROOT / "benchmarks"
PEERS_VENV = Path(os.environ.get("CTRFLOW_PEERS_VENV", "/tmp/peers"))

needs_peers_venv = pytest.mark.skipif(
    not (PEERS_VENV / "bin" / "python").exists(),
    reason=f"no peers venv at {PEERS_VENV} (bash benchmarks/peers/setup_venv.sh {PEERS_VENV}, "
    "or set CTRFLOW_PEERS_VENV)",
)


def _load_peers():
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("peers", BENCHMARKS / "peers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


peers = _load_peers()


def _write_version(entry: Path, stamp: float, payload: dict) -> None:
    name = time.strftime("%Y-%m-%dT%H.%M.%S", time.gmtime(stamp)) + ".000Z"
    path = entry / name / entry.name
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(payload))


def _fake_ctrflow_run(root: Path, launched_at: float) -> None:
    """A training history (3 epochs: 10 s training + 2 s validation each, training
    from launch + 30 s) and metrics, as the Kedro run writes them."""
    epochs = [
        {"epoch": i, "train_loss": 0.3, "valid_auc": auc, "valid_logloss": 0.2,
         "learning_rate": 1e-3, "seconds": 10.0, "samples_per_second": 20_000.0,
         "finished_at": launched_at + 30 + 12 * i}
        for i, auc in ((1, 0.95), (2, 0.97), (3, 0.96))
    ]  # fmt: skip
    history = {"epochs": epochs, "best_epoch": 2, "best_valid_auc": 0.97,
               "train_seconds": 30.0, "train_samples_per_second": 20_000.0,
               "device": "cpu", "stopped_early": False}  # fmt: skip
    _write_version(root / peers.HISTORY, launched_at + 70, history)
    _write_version(
        root / peers.METRICS,
        launched_at + 72,
        {"auc": 0.968, "logloss": 0.2, "rows": 1000, "epochs": 3, "best_epoch": 2},
    )


def test_ctrflow_record_parses_the_newest_run(tmp_path):
    launched_at = 1_800_000_000.0
    root = tmp_path / "data" / "frappe"
    _write_version(
        root / peers.HISTORY, launched_at - 3600, {"epochs": []}
    )  # an older run
    _fake_ctrflow_run(root, launched_at)

    record = peers.ctrflow_record(root, launched_at, threads=2, not_before=launched_at)

    assert record["epochs_run"] == 3 and record["best_epoch"] == 2
    assert record["rows"] == {"train": 200_000, "test": 1000}  # 20k/s x 30 s / 3 epochs
    # first end (launch + 42) - 10 s training - 2 s validation (median of the gaps)
    assert record["training_started_at"] == pytest.approx(launched_at + 30)
    assert [e["seconds_since_start"] for e in record["epochs"]] == [42, 54, 66]
    assert record["test_auc"] == 0.968


def test_newest_version_refuses_a_run_older_than_the_launch(tmp_path):
    entry = tmp_path / "metrics.json"
    _write_version(entry, 1_800_000_000.0, {"auc": 0.9})
    assert (
        peers.newest_version(entry, not_before=1_800_000_000.0).name == "metrics.json"
    )
    with pytest.raises(FileNotFoundError, match="predates this run"):
        peers.newest_version(entry, not_before=1_800_000_100.0)


def test_outputs_ratios_chart_and_docs_section(tmp_path):
    launched_at = 1_800_000_000.0
    _fake_ctrflow_run(tmp_path, launched_at)
    ours = peers.summarize(
        peers.ctrflow_record(tmp_path, launched_at, 2),
        peers.common.Measured(0, 80.0, 2**30), launched_at,
    )  # fmt: skip
    peer_record = {
        "test_auc": 0.96, "test_logloss": 0.21, "epochs_run": 2, "best_epoch": 1,
        "rows": {"train": 200_000}, "train_seconds": 40.0,
        "train_samples_per_second": 10_000.0, "training_started_at": launched_at + 50,
        "epochs": [{"epoch": 1, "valid_auc": 0.95, "finished_at": launched_at + 80},
                   {"epoch": 2, "valid_auc": 0.94, "finished_at": launched_at + 110}],
    }  # fmt: skip
    theirs = peers.summarize(
        peer_record, peers.common.Measured(0, 160.0, 2 * 2**30), launched_at
    )
    results = {"ctrflow": ours, "fuxictr": theirs}
    assert theirs["preprocessing_seconds"] == pytest.approx(50)
    assert [p["seconds"] for p in theirs["curve"]] == [80, 110]

    args = peers.parse_args(["--threads", "2", "--max-epochs", "3"])
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nkept text\n")
    payload = peers.write_outputs(
        results, {"ctrflow": {}, "fuxictr": peer_record}, args,
        json_path=tmp_path / "results" / "peers.json", chart_path=tmp_path / "img" / "chart.html",
        docs_page=page, command="python benchmarks/peers.py --threads 2 --max-epochs 3",
        ceiling={"bare_mlp_samples_per_second": 40_000.0},
    )  # fmt: skip

    assert payload["ratios"]["fuxictr"] == {
        "end_to_end_time_ratio": pytest.approx(0.5),
        "train_samples_per_second_ratio": pytest.approx(2.0),
    }
    saved = json.loads((tmp_path / "results" / "peers.json").read_text())
    assert saved["results"]["fuxictr"]["peak_rss_gib"] == pytest.approx(2.0)
    assert saved["records"]["fuxictr"]["train_seconds"] == 40.0
    html = (tmp_path / "img" / "chart.html").read_text()
    assert "cdn.plot.ly" in html and len(html) < 50_000  # plotly.js from the CDN
    figure = json.loads(
        (tmp_path / "results" / "peers_auc_vs_seconds.json").read_text()
    )
    assert [t["name"] for t in figure["data"]] == ["ctrflow", "FuxiCTR 2.3.10"]

    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nkept text\n")
    assert (
        "<!-- benchmark:peers start -->" in text
        and "<!-- benchmark:peers end -->" in text
    )
    assert (
        "| ctrflow | 0.96800 | 0.20000 | 3 (2) | 20.0k | 30.0 | 80.0 | 1.00 |" in text
    )
    assert (
        "| FuxiCTR 2.3.10 | 0.96000 | 0.21000 | 2 (1) | 10.0k | 50.0 | 160.0 | 2.00 |"
        in text
    )
    assert "0.50× its time (2.00× as fast)" in text and "2.00× its samples/s" in text
    # ctrflow's 20k samples/s against a 40k bare-MLP ceiling
    assert payload["ctrflow_fraction_of_bare_mlp"] == pytest.approx(0.5)
    assert "trains 40.0k samples/s; ctrflow's training above is 0.50 of it" in text
    assert (
        "Smoke run" in text and "[chart.html](img/chart.html)" in text
    )  # relative link
    assert "python benchmarks/peers.py --threads 2 --max-epochs 3" in text


def test_missing_peers_venv_says_how_to_build_it(tmp_path, shared_data):
    frappe = shared_data / "frappe_x1"
    with pytest.raises(SystemExit, match="setup_venv.sh"):
        peers.main(["--peers-venv", str(tmp_path / "none"), "--tools", "deepctr",
                    "--data-dir", str(frappe if frappe.exists() else tmp_path)])  # fmt: skip


@pytest.fixture
def frappe(shared_dataset) -> Path:
    """The shared Frappe_x1 folder (the test skips where it is absent)."""
    return shared_dataset("frappe_x1", "valid.csv.gz")


@pytest.mark.shared_data
def test_scratch_project_reads_the_first_rows(tmp_path, frappe):
    project, shared = peers.make_scratch_project(tmp_path, frappe, 500, None)
    assert (project / "pyproject.toml").is_file() and (
        project / "conf" / "frappe"
    ).is_dir()
    with gzip.open(shared / "frappe_x1" / "train_reconstructed.csv.gz", "rt") as lines:
        rows = lines.read().splitlines()
    assert rows[0].startswith("label,user,item") and len(rows) == 501
    assert (shared / "frappe_x1" / "valid.csv.gz").resolve() == (
        frappe / "valid.csv.gz"
    ).resolve()


def _smoke(tmp_path: Path, tools: str, frappe: Path) -> dict:
    return peers.main([
        "--tools", tools, "--threads", "2", "--max-epochs", "1",
        "--train-rows", "3000", "--eval-rows", "1000", "--peers-venv", str(PEERS_VENV),
        "--data-dir", str(frappe), "--output", str(tmp_path / "peers.json"),
        "--docs-page", str(tmp_path / "benchmarks.md"), "--no-ceiling",
    ])  # fmt: skip


@pytest.mark.slow
@pytest.mark.shared_data
def test_ctrflow_smoke_run(tmp_path, frappe):
    history = PROJECT_ROOT / "data" / "frappe" / peers.HISTORY
    before = sorted(history.glob("*")) if history.exists() else []

    payload = _smoke(tmp_path, "ctrflow", frappe)

    row = payload["results"]["ctrflow"]
    assert row["epochs"] == 1 and row["best_epoch"] == 1 and row["train_rows"] == 3000
    assert 0.5 < row["test_auc"] <= 1.0 and row["test_logloss"] > 0
    assert (
        0
        < row["preprocessing_seconds"]
        < row["curve"][0]["seconds"]
        < row["end_to_end_seconds"]
    )
    assert row["peak_rss_gib"] > 0.1 and row["train_samples_per_second"] > 0
    assert payload["records"]["ctrflow"]["rows"]["test"] == 1000
    assert "| ctrflow |" in (tmp_path / "benchmarks.md").read_text()
    assert (tmp_path / "peers_auc_vs_seconds.html").is_file()
    # the run went to a scratch copy: the project's Frappe artifacts are untouched
    assert (sorted(history.glob("*")) if history.exists() else []) == before


@pytest.mark.slow
@pytest.mark.shared_data
@needs_peers_venv
@pytest.mark.parametrize("tool", ["deepctr", "fuxictr"])
def test_peer_smoke_run(tmp_path, tool, frappe):
    payload = _smoke(tmp_path, tool, frappe)

    row = payload["results"][tool]
    record = payload["records"][tool]
    assert row["epochs"] == 1 and row["train_rows"] == 3000
    assert record["rows"] == {"train": 3000, "valid": 1000, "test": 1000}
    assert record["torch_threads"] == 2
    assert 0.5 < row["test_auc"] <= 1.0 and row["test_logloss"] > 0
    assert (
        0
        < row["preprocessing_seconds"]
        < row["curve"][0]["seconds"]
        < row["end_to_end_seconds"]
    )
    assert (tmp_path / f"peers_{tool}.json").is_file()  # the script's own result
