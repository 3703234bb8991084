import numpy as np
import polars as pl
import pytest
import torch

from ctrflow.evaluation.metrics import roc_auc
from ctrflow.feature_engineering.feature_map import (
    CategoricalField,
    FeatureMap,
    NumericField,
)
from ctrflow.models import FieldSpec, ModelsConfig, SequenceSpec, build_model
from ctrflow.models.batch import ModelOutput
from ctrflow.training.data import TensorSet
from ctrflow.training.loss import embedding_regularizer
from ctrflow.training.params import TrainingParams
from ctrflow.training.shards import ShardedSplit
from ctrflow.training.trainer import TrainingError, batch_bounds, fit, predict_logits

SPEC = FieldSpec(vocab_size=40, num_categorical=2, num_numeric=1)


def _data(rows, seed):
    """Clicks driven by the first field (ids 0-19; odd ids click more)."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 20, rows)
    second = rng.integers(20, 40, rows)
    numeric = rng.normal(size=(rows, 1)).astype(np.float32)
    p = np.where(first % 2 == 1, 0.8, 0.2)
    labels = (rng.random(rows) < p).astype(np.float32)
    ids = np.stack([first, second], axis=1).astype(np.int32)
    return TensorSet(
        torch.from_numpy(ids), torch.from_numpy(numeric), torch.from_numpy(labels)
    )


PARAMS = TrainingParams(
    model="DeepFM", max_epochs=6, batch_size=256, learning_rate=0.01,
    device="cpu", progress_bar=False, early_stop_patience=2,
)  # fmt: skip


def _model(seed=0):
    torch.manual_seed(seed)
    config = ModelsConfig().DeepFM.model_copy(update={"hidden_units": [16]})
    return build_model("DeepFM", SPEC, config)


def test_fit_learns_and_reports_history():
    model, history = fit(_model(), _data(4000, 0), _data(1000, 1), PARAMS)
    assert history["best_valid_auc"] > 0.75  # the Bayes AUC of this data is 0.8
    epochs = history["epochs"]
    assert 1 <= len(epochs) <= PARAMS.max_epochs
    assert set(epochs[0]) >= {
        "epoch",
        "train_loss",
        "valid_auc",
        "valid_logloss",
        "learning_rate",
    }
    best = max(epochs, key=lambda e: e["valid_auc"])
    assert history["best_epoch"] == best["epoch"]
    assert not model.training


def test_best_epoch_weights_are_restored():
    valid = _data(1000, 1)
    model, history = fit(_model(), _data(4000, 0), valid, PARAMS)
    logits = predict_logits(model, valid, 512, torch.device("cpu"))
    assert roc_auc(valid.labels.numpy(), logits) == pytest.approx(
        history["best_valid_auc"], abs=1e-6
    )


def test_early_stopping_and_learning_rate_decay():
    # a learning rate this large makes validation AUC stall quickly
    params = PARAMS.model_copy(update={"max_epochs": 30, "learning_rate": 0.05})
    _, history = fit(_model(), _data(2000, 0), _data(500, 1), params)
    epochs = history["epochs"]
    assert history["stopped_early"]
    assert len(epochs) < params.max_epochs
    assert len(epochs) - history["best_epoch"] == params.early_stop_patience
    # the first of the two epochs without a better AUC decayed the rate
    # (lr_decay_patience 1): the last one ran at the decayed rate
    assert epochs[-1]["learning_rate"] == pytest.approx(
        epochs[-2]["learning_rate"] * params.lr_decay_factor
    )


def test_same_seed_same_weights_on_cpu():
    runs = [
        fit(_model(), _data(2000, 0), _data(500, 1), PARAMS)[0].state_dict()
        for _ in range(2)
    ]
    assert all(torch.equal(runs[0][k], runs[1][k]) for k in runs[0])


def test_regularizer_shrinks_embeddings():
    plain, _ = fit(_model(), _data(2000, 0), _data(500, 1), PARAMS)
    shrunk, _ = fit(
        _model(),
        _data(2000, 0),
        _data(500, 1),
        PARAMS.model_copy(update={"embedding_regularizer": 1.0}),
    )
    assert (
        shrunk.embedding.embedding.weight.norm()
        < plain.embedding.embedding.weight.norm()
    )


def test_model_embedding_regularizer_overrides_the_training_one():
    own = PARAMS.models.DeepFM.model_copy(update={"embedding_regularizer": 0.5})
    per_model = PARAMS.model_copy(
        update={
            "embedding_regularizer": 0.0,
            "models": PARAMS.models.model_copy(update={"DeepFM": own}),
        }
    )
    assert embedding_regularizer(PARAMS) == PARAMS.embedding_regularizer
    assert embedding_regularizer(per_model) == 0.5
    # another model's value does not apply
    assert embedding_regularizer(per_model.model_copy(update={"model": "LR"})) == 0.0

    trained = [
        fit(_model(), _data(2000, 0), _data(500, 1), params)[0].state_dict()
        for params in (
            per_model,
            PARAMS.model_copy(update={"embedding_regularizer": 0.5}),
            PARAMS.model_copy(update={"embedding_regularizer": 0.0}),
        )
    ]
    assert all(torch.equal(trained[0][k], trained[1][k]) for k in trained[0])
    assert not torch.equal(
        trained[0]["embedding.embedding.weight"],
        trained[2]["embedding.embedding.weight"],
    )


def test_single_class_train_split_is_refused():
    train = _data(500, 0)
    one_class = TensorSet(train.ids, train.numerics, torch.zeros(len(train)))
    with pytest.raises(TrainingError, match="train split has 500 rows and 0 positives"):
        fit(_model(), one_class, _data(500, 1), PARAMS)


def test_cuda_requested_without_gpu_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(TrainingError, match="no CUDA device"):
        fit(
            _model(),
            _data(500, 0),
            _data(500, 1),
            PARAMS.model_copy(update={"device": "cuda"}),
        )


def _sequence_data(rows, seed):
    """Clicks iff the target item (field 1, ids 20-39) is in the history: only a
    model that reads the sequence can learn it. History: 3 items of field 1,
    padded with id 20 (field 1's PAD id) to 4 steps."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 20, rows)
    target = rng.integers(22, 26, rows)
    history = rng.integers(22, 26, (rows, 1, 4))
    history[:, :, 3] = 20
    labels = (history == target[:, None, None]).any(axis=(1, 2)).astype(np.float32)
    ids = np.stack([first, target], axis=1).astype(np.int32)
    numeric = np.zeros((rows, 1), dtype=np.float32)
    return TensorSet(
        torch.from_numpy(ids),
        torch.from_numpy(numeric),
        torch.from_numpy(labels),
        torch.from_numpy(history.astype(np.int32)),
    )


def test_fit_passes_sequences_to_a_sequence_model():
    spec = FieldSpec(40, 2, 1, sequences=(SequenceSpec(target=1, pad_id=20),))
    torch.manual_seed(0)
    config = ModelsConfig().DIN.model_copy(
        update={"dnn_hidden_units": [32], "attention_hidden_units": [16]}
    )
    model = build_model("DIN", spec, config)
    params = PARAMS.model_copy(update={"model": "DIN", "max_epochs": 5})
    valid = _sequence_data(500, 1)
    model, history = fit(model, _sequence_data(2000, 0), valid, params)
    assert history["best_valid_auc"] > 0.8  # DeepFM, blind to the history: ~0.5
    logits = predict_logits(model, valid, 256, torch.device("cpu"))
    assert logits.shape == (500,)
    assert roc_auc(valid.labels.numpy(), logits) == pytest.approx(
        history["best_valid_auc"], abs=1e-6
    )


def test_models_without_sequence_support_ignore_the_sequences():
    data = _sequence_data(64, 0)
    model = _model().eval()
    plain = TensorSet(data.ids, data.numerics, data.labels)
    cpu = torch.device("cpu")
    np.testing.assert_array_equal(
        predict_logits(model, data, 16, cpu), predict_logits(model, plain, 16, cpu)
    )


class _WithBranches(torch.nn.Module):
    """A logistic model ``y`` with two branches ``y + shift`` and ``y - shift``:
    their average is ``y``, so only the branch terms (self-distillation) reach
    ``shift`` (a tell-tale parameter)."""

    def __init__(self, branches: bool):
        super().__init__()
        self.weights = torch.nn.Embedding(SPEC.vocab_size, 1)
        self.shift = torch.nn.Parameter(torch.tensor(2.0))
        self.branches = branches

    def forward(self, batch):
        logits = self.weights(batch.ids).sum(dim=(1, 2))
        if not self.branches:
            return ModelOutput(logits)
        pair = (logits + self.shift, logits - self.shift)
        return ModelOutput(logits, pair, "self_distillation")


def test_branch_terms_join_the_objective_each_step():
    params = PARAMS.model_copy(update={"max_epochs": 2, "early_stop_patience": 5})
    train, valid = _data(1024, 0), _data(256, 1)
    model, history = fit(_WithBranches(branches=True), train, valid, params)
    # the terms pull both branches towards their average: Adam, lr 0.01, 8 steps
    assert 1.9 < float(model.shift.detach()) < 1.95
    plain, _ = fit(_WithBranches(branches=False), train, valid, params)
    assert float(plain.shift.detach()) == 2.0  # no gradient without the terms
    assert "finished_at" in history["epochs"][0]


def test_batch_bounds_cover_every_row_once_and_never_leave_one_alone():
    assert batch_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert batch_bounds(9, 4) == [(0, 4), (4, 9)]  # not (8, 9)
    assert batch_bounds(1, 4) == [(0, 1)]
    for rows in range(1, 40):
        bounds = batch_bounds(rows, 8)
        covered = [i for begin, end in bounds for i in range(begin, end)]
        assert covered == list(range(rows))
        assert rows == 1 or all(end - begin > 1 for begin, end in bounds)


def test_min_delta_keeps_the_best_weights_but_stops_sooner():
    train, valid = _data(4000, 0), _data(1000, 1)
    # a learning rate at which the validation AUC creeps up for a few epochs
    patient = PARAMS.model_copy(
        update={"max_epochs": 8, "early_stop_patience": 2, "learning_rate": 0.003}
    )
    _, full = fit(_model(), train, valid, patient)
    hasty = patient.model_copy(update={"early_stop_min_delta": 0.5})  # no gain counts
    model, short = fit(_model(), train, valid, hasty)
    # every epoch after the first is "not worth it": stop after patience epochs
    assert len(short["epochs"]) == 1 + hasty.early_stop_patience < len(full["epochs"])
    aucs = [e["valid_auc"] for e in short["epochs"]]
    assert short["best_epoch"] == 1 + int(np.argmax(aucs))  # still the best epoch's
    logits = predict_logits(model, valid, 4096, torch.device("cpu"))
    assert roc_auc(valid.labels.numpy(), logits) == pytest.approx(max(aucs), abs=1e-9)


def test_cosine_schedule_falls_from_the_rate_to_the_floor():
    params = PARAMS.model_copy(
        update={"lr_schedule": "cosine", "max_epochs": 3, "early_stop_patience": 5,
                "min_learning_rate": 1e-4}
    )  # fmt: skip
    _, history = fit(_model(), _data(2048, 0), _data(512, 1), params)
    rates = [e["learning_rate"] for e in history["epochs"]]
    # after epoch 1 of 3: half a cosine a third of the way: 0.75 of the span left
    span = params.learning_rate - params.min_learning_rate
    assert rates[0] == pytest.approx(params.min_learning_rate + 0.75 * span)
    assert rates[1] == pytest.approx(params.min_learning_rate + 0.25 * span)
    assert rates[2] == pytest.approx(params.min_learning_rate)


def _sharded(data, tmp_path, name, rows_per_file):
    """``data`` as encoded Parquet shards, scanned: a ShardedSplit's input."""
    feature_map = FeatureMap(
        label="label",
        categorical=[
            CategoricalField("a", [str(v) for v in range(18)], offset=0),
            CategoricalField("b", [str(v) for v in range(18)], offset=20),
        ],
        numeric=[NumericField("x", "standardize")],
    )
    frame = pl.DataFrame(
        {
            "label": pl.Series(data.labels.numpy(), dtype=pl.Int8),
            "a": data.ids[:, 0].numpy(),
            "b": data.ids[:, 1].numpy(),
            "x": data.numerics[:, 0].numpy(),
        }
    )
    folder = tmp_path / name
    folder.mkdir()
    for index, shard in enumerate(frame.iter_slices(rows_per_file)):
        shard.write_parquet(folder / f"part-{index:05d}.parquet")
    return pl.scan_parquet(folder / "*.parquet"), feature_map


def test_a_sharded_split_in_one_window_trains_exactly_as_in_memory(tmp_path):
    train, valid = _data(4000, 0), _data(1000, 1)
    scan, feature_map = _sharded(train, tmp_path, "train", 900)
    valid_scan, _ = _sharded(valid, tmp_path, "valid", 300)
    sharded = ShardedSplit(scan, feature_map, window_rows=10_000, chunk_rows=700)
    sharded_valid = ShardedSplit(
        valid_scan, feature_map, window_rows=400, chunk_rows=400
    )

    memory_model, memory = fit(_model(), train, valid, PARAMS)
    sharded_model, streamed = fit(_model(), sharded, sharded_valid, PARAMS)
    assert [e["valid_auc"] for e in streamed["epochs"]] == [
        e["valid_auc"] for e in memory["epochs"]
    ]
    for key, value in memory_model.state_dict().items():
        torch.testing.assert_close(
            sharded_model.state_dict()[key], value, rtol=0, atol=0
        )


def test_a_sharded_split_trains_window_by_window(tmp_path):
    train, valid = _data(4000, 0), _data(1000, 1)
    scan, feature_map = _sharded(train, tmp_path, "train", 900)
    sharded = ShardedSplit(scan, feature_map, window_rows=1000, chunk_rows=250)
    model, history = fit(_model(), sharded, valid, PARAMS)
    assert history["best_valid_auc"] > 0.75  # the Bayes AUC of this data is 0.8
    assert history["train_samples_per_second"] > 0
