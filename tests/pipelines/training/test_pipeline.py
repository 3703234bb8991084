import numpy as np
import polars as pl
import pytest
import torch
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from ctrflow.datasets import TorchModelDataset
from ctrflow.evaluation.metrics import roc_auc
from ctrflow.evaluation.params import EvaluationParams
from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.pipelines.training import create_pipeline
from ctrflow.pipelines.training.nodes import train_model
from ctrflow.training.artifact import predict_proba
from ctrflow.training.params import TrainingParams


def test_pipeline_trains_a_model_that_scores_new_data_alone(
    demo_table, tmp_path, demo_schema
):
    train, valid, test = demo_table[:15000], demo_table[15000:18000], demo_table[18000:]
    feature_map = fit_feature_map(
        train,
        ["C1", "C2", "C3", "C4", "I1", "I2"],
        demo_schema,
        FeatureEngineeringParams(),
    )
    params = TrainingParams(
        models={"DeepFM": {"hidden_units": [32, 32]}},
        max_epochs=3,
        device="cpu",
        progress_bar=False,
        checkpoint_dir=str(tmp_path / "checkpoints"),
    )
    catalog = DataCatalog(
        {
            "train_encoded": MemoryDataset(encode_table(train, feature_map)),
            "valid_encoded": MemoryDataset(encode_table(valid, feature_map)),
            "feature_map": MemoryDataset(feature_map.to_dict()),
            "params:training": MemoryDataset(params),
            "params:schema": MemoryDataset(demo_schema),
            "params:evaluation": MemoryDataset(EvaluationParams()),
            "model": TorchModelDataset(filepath=str(tmp_path / "model.pt")),
        }
    )
    SequentialRunner().run(create_pipeline(), catalog)
    history = catalog.load("training_history")
    assert history["model"] == "DeepFM" and 1 <= len(history["epochs"]) <= 3
    # batch_size auto, resolved on the 15,000 train rows (15000 // 256 = 58 steps)
    assert history["batch_size"] == 256
    # the floor applied (15,000 rows, DeepFM): both validation AUCs recorded
    floor = history["baseline_floor"]
    assert floor["model_valid_auc"] == pytest.approx(
        floor["baseline_valid_auc"], abs=1e-4
    )
    assert floor["applied"] == (floor["model_valid_auc"] > history["best_valid_auc"])
    # the node checkpointed every epoch to <checkpoint_dir>/<model>.ckpt
    checkpoint = torch.load(tmp_path / "checkpoints" / "DeepFM.ckpt", weights_only=True)
    assert checkpoint["finished"] and checkpoint["epoch"] == len(history["epochs"])

    # the saved file alone (weights + feature map) scores the test split
    artifact = TorchModelDataset(filepath=str(tmp_path / "model.pt")).load()
    assert artifact.model_name == "DeepFM" and artifact.feature_map == feature_map
    assert artifact.training_params["batch_size"] == 256  # what it trained with
    assert artifact.schema == demo_schema.model_dump(mode="json")  # for scoring
    assert set(artifact.reference["oov_rate"]) == {"C1", "C2", "C3", "C4", "I1", "I2"}
    assert artifact.reference["scores"]["rows"] == valid.height
    probabilities = predict_proba(artifact, encode_table(test, artifact.feature_map))
    assert probabilities.shape == (test.height,) and probabilities.dtype == np.float32
    assert roc_auc(test["label"].to_numpy(), probabilities) > 0.65


def test_lazy_scans_of_encoded_shards_train_the_same_model(
    demo_table, tmp_path, demo_schema
):
    """The streaming path's input (scans of Parquet shards) in one window: the
    same weights, history and scoring reference as the tables in memory."""
    train, valid = demo_table[:6000], demo_table[6000:8000]
    feature_map = fit_feature_map(
        train, ["C1", "C2", "C3", "I1"], demo_schema, FeatureEngineeringParams()
    )
    encoded = {
        "train": encode_table(train, feature_map),
        "valid": encode_table(valid, feature_map),
    }
    scans = {}
    for name, frame in encoded.items():
        (tmp_path / name).mkdir()
        for index, shard in enumerate(frame.iter_slices(1500)):
            shard.write_parquet(tmp_path / name / f"part-{index:05d}.parquet")
        scans[name] = pl.scan_parquet(tmp_path / name / "*.parquet")
    params = TrainingParams(
        models={"DeepFM": {"hidden_units": [16]}}, max_epochs=2, device="cpu",
        progress_bar=False, checkpoint_dir=None,
    )  # fmt: skip
    args = (feature_map.to_dict(), params, demo_schema, EvaluationParams())

    in_memory, memory_history = train_model(encoded["train"], encoded["valid"], *args)
    streamed, streamed_history = train_model(scans["train"], scans["valid"], *args)

    assert [e["valid_auc"] for e in streamed_history["epochs"]] == [
        e["valid_auc"] for e in memory_history["epochs"]
    ]
    assert streamed_history["baseline_floor"] == memory_history["baseline_floor"]
    for key, value in in_memory.model.state_dict().items():
        torch.testing.assert_close(
            streamed.model.state_dict()[key], value, rtol=0, atol=0
        )
    assert streamed.reference == in_memory.reference
