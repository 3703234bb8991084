"""A team's own logs, first try: new environments written exactly as
docs/adding_a_dataset.md says (a catalog and a schema, nothing else), run end to
end through KedroSession with every other setting at its default."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from ctrflow.demo_data import generate_display_ads

# display-ads-shaped sample: rows per split (a 9k-row sample, like the user's)
ROWS = {"train": 6000, "valid": 1500, "test": 1500}
START = 1_750_000_000  # epoch seconds of the first impression


def _write_environment(
    project: Path, name: str, file_format: str, filepaths: dict, schema: dict
) -> None:
    """conf/<name>/catalog.yml (``raw_logs``: the files) and
    conf/<name>/parameters.yml (the schema), nothing else."""
    env = project / "conf" / name
    env.mkdir()
    catalog = {
        "raw_logs": {
            "type": "ctrflow.datasets.ImpressionLogDataset",
            "file_format": file_format,
            "filepaths": {split: str(path) for split, path in filepaths.items()},
        }
    }
    (env / "catalog.yml").write_text(yaml.safe_dump(catalog, sort_keys=False))
    (env / "parameters.yml").write_text(
        yaml.safe_dump({"schema": schema}, sort_keys=False)
    )


def _outputs(project: Path, latest) -> tuple[dict, dict, list[str], dict, pl.DataFrame]:
    data = project / "data"
    metrics = json.loads(
        latest(data / "08_reporting/evaluation/metrics.json").read_text()
    )
    report = json.loads(
        latest(data / "08_reporting/data_quality/report.json").read_text()
    )
    selected = json.loads(
        latest(data / "04_feature/feature_ranking/selected_features.json").read_text()
    )
    feature_map = json.loads(
        latest(data / "05_model_input/feature_map.json").read_text()
    )
    ranking = pl.read_csv(latest(data / "04_feature/feature_ranking/ranking.csv"))
    return metrics, report, selected, feature_map, ranking


@pytest.mark.slow
def test_display_ads_csv_with_headerless_valid_and_test(
    tmp_path, make_project_copy, run_project, latest
):
    """Label not called `label`, a headed train file beside headerless valid and
    test files, a timestamp turned into hour and weekday, a leaking column, a
    near-unique id and a redundant field."""
    project = tmp_path / "project"
    project.mkdir()
    make_project_copy(project, None)
    raw = tmp_path / "mylogs"
    raw.mkdir()
    rng = np.random.default_rng(2024)
    offset = 0
    for split, rows in ROWS.items():
        frame = generate_display_ads(rows, rng, START + offset)
        offset += 14 * 86_400
        frame.write_csv(raw / f"{split}.csv", include_header=split == "train")
    _write_environment(
        project,
        "mylogs",
        file_format="csv",
        filepaths={split: raw / f"{split}.csv" for split in ROWS},
        schema={
            "label": "clicked",
            "timestamp": "click_time",
            "categorical": [
                "user_id", "site", "site_group", "ad", "device", "conversion_id",
            ],
            "numeric": ["price"],
            "sequence": [],
            "derived": [{"column": "click_time", "extract": ["hour", "weekday"]}],
        },
    )  # fmt: skip

    run_project(project, env="mylogs")

    metrics, report, selected, feature_map, ranking = _outputs(project, latest)
    assert metrics["data_fingerprint"]["rows"] == ROWS
    # data quality passed with conf/base's thresholds and flagged the leak
    assert report["success"] is True
    assert [leak["column"] for leak in report["probable_leaks"]] == ["conversion_id"]
    # the derived features were ranked; selection dropped the leak and the
    # near-unique id, each with its reason in the ranking table
    decisions = dict(ranking.select("feature", "decision").iter_rows())
    assert {"click_time_hour", "click_time_weekday"} <= set(decisions)
    assert "conversion_id" not in selected
    assert "user_id" not in selected
    assert decisions["user_id"].startswith("dropped")
    assert decisions["conversion_id"].startswith("dropped")
    assert feature_map["derived"]
    # the default model is not worse than the logistic-regression yardstick: on
    # 6,000 rows of additive clicks the trained DeepFM validates below it, so the
    # floor keeps the regression written into DeepFM's first-order term
    baseline = metrics["baseline"]
    assert baseline["model"] == "LogisticRegression"
    assert metrics["auc"] > 0.65
    assert metrics["auc_ci"]["low"] < metrics["auc"] < metrics["auc_ci"]["high"]
    assert metrics["auc_vs_baseline"]["high"] >= 0.0
    assert not any("worse than" in w for w in metrics["warnings"])
    floor = metrics["training"]["baseline_floor"]
    assert floor["model_valid_auc"] == pytest.approx(
        floor["baseline_valid_auc"], abs=1e-4
    )
    assert floor["applied"] == any("baseline_floor" in w for w in metrics["warnings"])
    if floor["applied"]:
        assert metrics["auc"] == pytest.approx(baseline["auc"], abs=1e-3)
    assert metrics["training"]["batch_size"] < 4096  # sized to 6,000 rows


@pytest.mark.slow
def test_libfm_train_and_test_only_with_a_rare_positive_class(
    tmp_path, make_project_copy, run_project, latest
):
    """libFM lines, a train and a test file (no validation file), 1% positives in
    train and 0.25% in test: it runs with conf/base's data-quality thresholds and
    says the test split has too few positives to trust its AUC."""
    project = tmp_path / "project"
    project.mkdir()
    make_project_copy(project, None)
    raw = tmp_path / "libfm"
    raw.mkdir()
    rng = np.random.default_rng(7)
    rates = {"train": 0.01, "test": 0.0025}
    rows = {"train": 8000, "test": 2000}
    for split, rate in rates.items():
        fields = rng.integers(0, 50, (rows[split], 4)) + np.arange(4) * 50
        strong = fields[:, 0] % 50 < 5  # a tenth of field 0's values click more
        clicked = rng.random(rows[split]) < np.where(strong, rate * 6, rate * 0.45)
        lines = [
            " ".join([str(int(label))] + [f"{index}:1" for index in row])
            for label, row in zip(clicked, fields, strict=True)
        ]
        (raw / f"{split}.libfm").write_text("\n".join(lines) + "\n")
    _write_environment(
        project,
        "libfm",
        file_format="libsvm",
        filepaths={split: raw / f"{split}.libfm" for split in rates},
        schema={
            "label": "column_1",
            "categorical": ["column_2", "column_3", "column_4", "column_5"],
            "numeric": [],
            "sequence": [],
        },
    )

    run_project(project, env="libfm")

    metrics, report, *_ = _outputs(project, latest)
    assert report["success"] is True
    fingerprint_rows = metrics["data_fingerprint"]["rows"]
    assert fingerprint_rows["test"] == rows["test"]
    assert fingerprint_rows["train"] + fingerprint_rows["valid"] == rows["train"]
    assert fingerprint_rows["valid"] > 0
    assert any("positives" in warning for warning in metrics["warnings"])
