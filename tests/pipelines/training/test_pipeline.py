import numpy as np
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
