"""TorchModelDataset: the version loaded is recorded on the artifact; at_version
pins one, or lists the saved ones."""

from __future__ import annotations

import pytest
import torch
from kedro.io import DatasetError, Version

from ctrflow.datasets import TorchModelDataset
from ctrflow.feature_engineering.feature_map import CategoricalField, FeatureMap
from ctrflow.models import build_model, config_type
from ctrflow.training.artifact import ModelArtifact


def _artifact() -> ModelArtifact:
    feature_map = FeatureMap(label="y", categorical=[CategoricalField("c", ["a"], 0)])
    torch.manual_seed(0)
    model = build_model("LR", feature_map.field_spec, config_type("LR")())
    return ModelArtifact(model, "LR", {}, feature_map, {}, schema={"label": "y"})


def test_load_records_the_version_and_at_version_pins_one(tmp_path):
    path = str(tmp_path / "model.pt")
    for version in ("2026-01-01T00.00.00.000Z", "2026-02-01T00.00.00.000Z"):
        TorchModelDataset(path, version=Version(None, version)).save(_artifact())
    latest = TorchModelDataset(path, version=Version(None, None))
    assert latest.load().version == "2026-02-01T00.00.00.000Z"
    assert latest.load().schema == {"label": "y"}
    pinned = latest.at_version("2026-01-01T00.00.00.000Z")
    assert pinned.load().version == "2026-01-01T00.00.00.000Z"
    with pytest.raises(DatasetError, match=r"'2025' is not saved .*2026-01-01T00"):
        latest.at_version("2025")
