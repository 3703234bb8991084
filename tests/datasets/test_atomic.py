"""Atomic saves: a writer killed mid-write (SIGKILL, for real) leaves no file where
a later load reads, which gets the earlier complete version; a failed save leaves
the previous file; the datasets round-trip as their kedro-datasets parents do."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from kedro.io import DatasetError, Version

import ctrflow
from ctrflow.datasets import (
    AtomicEagerPolarsDataset,
    AtomicJSONDataset,
    AtomicPlotlyJSONDataset,
    AtomicTextDataset,
    OnnxExportDataset,
    OptionalJSONDataset,
    TorchModelDataset,
)
from ctrflow.export.bundle import OnnxExport

FIRST, SECOND = "2026-01-01T00.00.00.000Z", "2026-01-02T00.00.00.000Z"

# Saves version FIRST, then starts SECOND; a thread SIGKILLs the process once the
# temporary file of SECOND holds a MiB (of about 64: a single write the kernel is
# still copying). Prints the complete size of FIRST.
_CHILD = """
import glob, os, signal, sys, threading, time
from pathlib import Path
from kedro.io import DatasetError, Version

kind, path, first, second = sys.argv[1:]
if kind == "frame":
    import numpy as np, polars as pl
    from ctrflow.datasets import AtomicEagerPolarsDataset
    rng = np.random.default_rng(0)  # random floats: parquet cannot shrink them
    data = pl.DataFrame({f"x{i}": rng.random(2_000_000) for i in range(4)})
    def dataset(version):
        return AtomicEagerPolarsDataset(
            filepath=path, file_format="parquet", version=Version(None, version)
        )
else:
    import torch
    from ctrflow.datasets import TorchModelDataset
    from ctrflow.feature_engineering.feature_map import CategoricalField, FeatureMap
    from ctrflow.models import build_model, config_type
    from ctrflow.training.artifact import ModelArtifact
    feature_map = FeatureMap(label="y", categorical=[CategoricalField("c", ["a"], 0)])
    torch.manual_seed(0)
    config = config_type("DNN")(hidden_units=[2048, 2048, 2048, 2048])  # 50 MiB
    model = build_model("DNN", feature_map.field_spec, config)
    data = ModelArtifact(
        model, "DNN", config.model_dump(), feature_map, {}, schema={"label": "y"}
    )
    def dataset(version):
        return TorchModelDataset(path, version=Version(None, version))

dataset(first).save(data)
name = Path(path).name
print(os.path.getsize(Path(path) / first / name), flush=True)

def kill_mid_write():
    pattern = str(Path(path) / second / f".{name}.*.tmp")
    while True:
        for tmp in glob.glob(pattern):
            if os.path.getsize(tmp) >= 1 << 20:
                os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0)

threading.Thread(target=kill_mid_write, daemon=True).start()
dataset(second).save(data)
print("the second save completed before the kill", flush=True)
"""


def _kill_mid_save(kind: str, path: Path) -> int:
    """Run the child; returns the size of its complete first version."""
    src = Path(ctrflow.__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
    }
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path), FIRST, SECOND],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    return int(child.stdout.split()[0])


def _assert_killed_mid_write(path: Path, complete_size: int) -> None:
    """The kill left a partial temporary of SECOND and nothing at its path."""
    (partial,) = (path / SECOND).iterdir()
    assert partial.name.startswith(f".{path.name}.") and partial.suffix == ".tmp"
    assert 0 < partial.stat().st_size < complete_size
    assert not (path / SECOND / path.name).exists()


@pytest.mark.slow
def test_a_frame_save_killed_mid_write_leaves_the_earlier_version_readable(tmp_path):
    path = tmp_path / "table.parquet"
    complete = _kill_mid_save("frame", path)
    _assert_killed_mid_write(path, complete)

    latest = AtomicEagerPolarsDataset(
        filepath=str(path), file_format="parquet", version=Version(None, None)
    )
    assert latest.resolve_load_version() == FIRST
    frame = latest.load()
    assert frame.shape == (2_000_000, 4)
    assert frame.equals(pl.read_parquet(path / FIRST / path.name))


@pytest.mark.slow
def test_a_model_save_killed_mid_write_leaves_the_earlier_version_readable(tmp_path):
    path = tmp_path / "model.pt"
    complete = _kill_mid_save("model", path)
    _assert_killed_mid_write(path, complete)

    artifact = TorchModelDataset(str(path), version=Version(None, None)).load()
    assert artifact.version == FIRST and artifact.model_name == "DNN"


def test_a_failed_save_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "report.json"
    dataset = AtomicJSONDataset(filepath=str(path))
    dataset.save({"rows": 1})
    with pytest.raises(DatasetError, match="not JSON serializable"):
        # json.dump has written the first key when it meets the set
        dataset.save({"rows": 2, "fields": {"a", "b"}})
    assert dataset.load() == {"rows": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_failed_onnx_export_save_leaves_no_folder_at_its_version(tmp_path):
    path = tmp_path / "onnx_export"
    export = OnnxExport(
        model_name="LR",
        onnx_model=b"graph",
        preprocessing={"model": {"name": "LR"}, "onnx": {"exporter": "dynamo", "opset": 18}},
        exporter="dynamo",
        opset=18,
    )  # fmt: skip
    OnnxExportDataset(str(path), version=Version(None, FIRST)).save(export)
    broken = dataclasses.replace(export, preprocessing={"bad": {1, 2}})
    # model.onnx is written, then preprocessing.json fails
    with pytest.raises(DatasetError, match="not JSON serializable"):
        OnnxExportDataset(str(path), version=Version(None, SECOND)).save(broken)

    assert list((path / SECOND).iterdir()) == []
    latest = OnnxExportDataset(str(path), version=Version(None, None))
    assert latest.load() == export


def test_the_atomic_datasets_round_trip(tmp_path):
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    csv = AtomicEagerPolarsDataset(filepath=str(tmp_path / "t.csv"), file_format="csv")
    csv.save(frame)
    assert csv.load().equals(frame)

    figure = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    plot = AtomicPlotlyJSONDataset(
        filepath=str(tmp_path / "plot.json"), version=Version(None, FIRST)
    )
    plot.save(figure)
    assert plot.load().data[0].y == (3, 4)

    text = AtomicTextDataset(filepath=str(tmp_path / "page.html"))
    text.save("<p>done</p>")
    assert text.load() == "<p>done</p>"

    metrics = OptionalJSONDataset(
        filepath=str(tmp_path / "m.json"), version=Version(None, None)
    )
    assert metrics.load() is None
    metrics.save({"auc": 0.8})
    assert metrics.load() == {"auc": 0.8}
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "m.json", "page.html", "plot.json", "t.csv",
    ]  # fmt: skip


def test_a_remote_protocol_keeps_the_parents_save(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may land on the local disk
    dataset = AtomicJSONDataset(filepath="memory://ctrflow-test/report.json")
    dataset.save({"rows": 3})
    assert dataset.exists() and dataset.load() == {"rows": 3}
    assert list(tmp_path.iterdir()) == []
