"""Scorer: raw dicts or a frame -> the batch path's probabilities; RowError names
the row and the field."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from ctrflow.scoring.errors import ScoringError
from ctrflow.scoring.prepare import prepare_rows
from ctrflow.scoring.scorer import RowError, Scorer
from ctrflow.training.artifact import ModelArtifact, predict_proba


def test_dicts_score_as_the_batch_path_scores_the_same_rows(demo_artifact, demo_raw):
    raw = demo_raw(64).drop("label")
    batch = predict_proba(
        demo_artifact, prepare_rows(raw, demo_artifact, "f").encoded, device="cpu"
    )
    scorer = Scorer.from_artifact(demo_artifact)
    np.testing.assert_array_equal(scorer.predict(raw.to_dicts()), batch)
    np.testing.assert_array_equal(scorer.predict(raw), batch)
    # numbers as JSON carries them: the same text once read
    rows = [
        {
            k: (float(v) if k.startswith("I") and v is not None else v)
            for k, v in row.items()
        }
        for row in raw.to_dicts()
    ]
    assert scorer.predict(rows).dtype == np.float32
    assert scorer.predict([]).shape == (0,)


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"I1": "abc"}, "column 'I1' holds 'abc', expected a number"),
        ({"I2": float("nan")}, "expected a finite number"),
        ({"C1": {"a": 1}}, "holds a dict"),
        ({"C1": True}, "holds a bool"),
        ({"C2": "x" * 70_000}, "more than ingestion.max_field_chars"),
    ],
)
def test_a_bad_row_raises_row_error_naming_row_and_field(
    demo_artifact, demo_raw, change, reason
):
    row, (field,) = 1, change
    rows = demo_raw(3).drop("label").to_dicts()
    rows[row] = {**rows[row], **change}
    with pytest.raises(RowError) as error:
        Scorer(demo_artifact).predict(rows)
    assert (error.value.row, error.value.field) == (row, field)
    assert reason in error.value.reason
    assert str(error.value).startswith(f"row {row}, field {field!r}: ")


def test_a_missing_field_or_a_non_object_row_is_a_row_error(demo_artifact, demo_raw):
    rows = demo_raw(3).drop("label").to_dicts()
    del rows[2]["C7"]
    with pytest.raises(RowError, match=r"row 2, field 'C7': the field 'C7' is missing"):
        Scorer(demo_artifact).predict(rows)
    with pytest.raises(RowError, match=r"row 1: a row must be an object, got list"):
        Scorer(demo_artifact).predict([demo_raw(1).to_dicts()[0], [1, 2]])


def test_from_a_versioned_file_records_the_version(demo_artifact, tmp_path):
    path = tmp_path / "model.pt" / "2026-05-01T10.00.00.000Z" / "model.pt"
    path.parent.mkdir(parents=True)
    torch.save(demo_artifact.to_state(), path)
    scorer = Scorer.from_artifact(path)
    assert scorer.version == "2026-05-01T10.00.00.000Z"
    assert scorer.artifact.schema == demo_artifact.schema


def test_a_format_1_file_loads_without_schema_and_cannot_score(demo_artifact, tmp_path):
    state = demo_artifact.to_state()
    assert state["format"] == "ctrflow.model/2"
    v1 = {k: v for k, v in state.items() if k not in ("schema", "reference")}
    v1["format"] = "ctrflow.model/1"
    torch.save(v1, tmp_path / "old.pt")
    loaded = ModelArtifact.from_state(
        torch.load(tmp_path / "old.pt", weights_only=True)
    )
    assert loaded.schema is None and loaded.reference is None
    with pytest.raises(ScoringError, match="retrain it"):
        Scorer.from_artifact(tmp_path / "old.pt")
    with pytest.raises(ScoringError, match="retrain it"):
        Scorer(replace(demo_artifact, schema=None))
