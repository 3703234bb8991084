"""Per-epoch checkpoints: a run killed after its second epoch and rerun ends with
the model and history of an uninterrupted run; another run's checkpoint is not
used; a finished one returns its model without training."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import ctrflow
from ctrflow.models import FieldSpec, ModelsConfig, build_model
from ctrflow.training.checkpoint import read_checkpoint, run_key
from ctrflow.training.data import TensorSet
from ctrflow.training.params import TrainingParams
from ctrflow.training.trainer import fit

SPEC = FieldSpec(vocab_size=40, num_categorical=2, num_numeric=1)
# lr 0.02 stalls validation AUC after epoch 3: the plateau decay fires (epochs 4,
# 5) before early stopping at 6
PARAMS = TrainingParams(
    model="DeepFM", max_epochs=6, batch_size=256, learning_rate=0.02, device="cpu",
    progress_bar=False, early_stop_patience=3, num_threads=1,
)  # fmt: skip
TIMINGS = {"seconds", "samples_per_second", "finished_at"}


def _data(rows: int, seed: int) -> TensorSet:
    """Clicks driven by the first field (ids 0-19; odd ids click more)."""
    rng = np.random.default_rng(seed)
    first, second = rng.integers(0, 20, rows), rng.integers(20, 40, rows)
    numeric = rng.normal(size=(rows, 1)).astype(np.float32)
    labels = (rng.random(rows) < np.where(first % 2 == 1, 0.8, 0.2)).astype(np.float32)
    ids = np.stack([first, second], axis=1).astype(np.int32)
    return TensorSet(
        torch.from_numpy(ids), torch.from_numpy(numeric), torch.from_numpy(labels)
    )


def _model() -> torch.nn.Module:
    # dropout > 0: the resumed epochs draw the masks an uninterrupted run draws
    torch.manual_seed(0)
    config = ModelsConfig().DeepFM.model_copy(
        update={"hidden_units": [16], "net_dropout": 0.2}
    )
    return build_model("DeepFM", SPEC, config)


# The child trains as the tests here do; with a kill epoch it SIGKILLs itself when
# the trainer logs that epoch's line (the epoch before it is checkpointed, that
# one's training is lost), else it saves the weights and the history.
_CHILD = """
import logging, os, signal, sys
from pathlib import Path
import torch
from tests.training.test_checkpoint import PARAMS, _data, _model
from ctrflow.training.trainer import fit

checkpoint, out, kill_epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])

class KillAt(logging.Handler):
    def emit(self, record):
        if record.getMessage().startswith(f"epoch {kill_epoch}:"):
            os.kill(os.getpid(), signal.SIGKILL)

trainer_log = logging.getLogger("ctrflow.training.trainer")
trainer_log.setLevel(logging.INFO)
trainer_log.addHandler(KillAt())
model, history = fit(
    _model(), _data(2000, 0), _data(500, 1), PARAMS, Path(checkpoint) if checkpoint else None
)
torch.save({"state": model.state_dict(), "history": history}, out)
"""


def _train_in_child(checkpoint: Path | None, out: Path, kill_epoch: int = 0) -> int:
    root = Path(ctrflow.__file__).resolve().parents[2]  # src/ctrflow -> the repo
    tests_root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(root / "src"), str(tests_root), os.environ.get("PYTHONPATH", "")]
        ),
    }
    return subprocess.run(
        [sys.executable, "-c", _CHILD, str(checkpoint or ""), str(out), str(kill_epoch)],
        env=env, cwd=tests_root, timeout=600, check=False,
    ).returncode  # fmt: skip


def _values(history: dict) -> dict:
    """The history without its timings."""
    epochs = [
        {k: v for k, v in e.items() if k not in TIMINGS} for e in history["epochs"]
    ]
    return {
        **{k: v for k, v in history.items() if k not in {"train_seconds", "train_samples_per_second"}},
        "epochs": epochs,
    }  # fmt: skip


def _assert_same_weights(first: dict, second: dict) -> None:
    assert first.keys() == second.keys()
    for name, tensor in first.items():
        torch.testing.assert_close(tensor, second[name], rtol=0, atol=0)


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_uninterrupted_model(tmp_path):
    checkpoint = tmp_path / "checkpoints" / "DeepFM.ckpt"
    killed = _train_in_child(checkpoint, tmp_path / "never.pt", kill_epoch=3)
    assert killed == -signal.SIGKILL
    assert not (tmp_path / "never.pt").exists()
    saved = torch.load(checkpoint, weights_only=True)
    assert (saved["epoch"], saved["finished"]) == (2, False)  # epoch 3 was lost

    assert _train_in_child(checkpoint, tmp_path / "resumed.pt") == 0
    assert _train_in_child(None, tmp_path / "uninterrupted.pt") == 0
    resumed = torch.load(tmp_path / "resumed.pt", weights_only=True)
    uninterrupted = torch.load(tmp_path / "uninterrupted.pt", weights_only=True)

    _assert_same_weights(resumed["state"], uninterrupted["state"])
    assert _values(resumed["history"]) == _values(uninterrupted["history"])
    epochs = resumed["history"]["epochs"]
    # resumed, not retrained: epochs 1-2 are the killed run's (its clock times)
    assert [e["finished_at"] for e in epochs[:2]] == [
        e["finished_at"] for e in saved["history"]
    ]
    assert len(epochs) == PARAMS.max_epochs  # 3-6 trained after the restart
    # the plateau decay fired after the restart, early stopping ended the run
    rates = [e["learning_rate"] for e in epochs]
    assert rates[-1] < rates[2] == PARAMS.learning_rate
    assert resumed["history"]["stopped_early"]


def test_a_finished_checkpoint_returns_its_model_without_training(tmp_path):
    checkpoint = tmp_path / "DeepFM.ckpt"
    params = PARAMS.model_copy(update={"max_epochs": 2})
    trained, history = fit(_model(), _data(2000, 0), _data(500, 1), params, checkpoint)
    assert torch.load(checkpoint, weights_only=True)["finished"]

    again, rerun = fit(_model(), _data(2000, 0), _data(500, 1), params, checkpoint)
    _assert_same_weights(again.state_dict(), trained.state_dict())
    assert rerun == history  # the timings too: no epoch ran again
    assert not again.training


def test_another_runs_checkpoint_is_not_used_and_is_replaced(tmp_path):
    checkpoint = tmp_path / "DeepFM.ckpt"
    first = PARAMS.model_copy(update={"max_epochs": 2})
    fit(_model(), _data(2000, 0), _data(500, 1), first, checkpoint)  # finished

    other = first.model_copy(update={"learning_rate": 0.005})
    model, history = fit(_model(), _data(2000, 0), _data(500, 1), other, checkpoint)
    plain, plain_history = fit(_model(), _data(2000, 0), _data(500, 1), other)
    _assert_same_weights(model.state_dict(), plain.state_dict())
    assert _values(history) == _values(plain_history)
    # the file now holds the new run's checkpoint
    key = run_key(_model(), _data(2000, 0), _data(500, 1), other, torch.device("cpu"))
    assert read_checkpoint(checkpoint, key)["epoch"] == 2


def test_the_run_key_names_what_differs(tmp_path):
    cpu = torch.device("cpu")
    train, valid = _data(200, 0), _data(100, 1)
    key = run_key(_model(), train, valid, PARAMS, cpu)
    assert key == run_key(_model(), train, valid, PARAMS, cpu)
    # neither where checkpoints go nor the progress bar make another run
    same = PARAMS.model_copy(update={"checkpoint_dir": "x", "progress_bar": True})
    assert run_key(_model(), train, valid, same, cpu).digest == key.digest

    changed_labels = TensorSet(train.ids, train.numerics, 1 - train.labels)
    other_seed_model = build_model(
        "DeepFM", SPEC, ModelsConfig().DeepFM.model_copy(update={"hidden_units": [16]})
    )
    assert key.differences(
        run_key(_model(), changed_labels, valid, PARAMS, cpu).parts
    ) == ["train"]
    assert "model" in key.differences(
        run_key(other_seed_model, train, valid, PARAMS, cpu).parts
    )
    longer = PARAMS.model_copy(update={"max_epochs": 7})
    assert key.differences(run_key(_model(), train, valid, longer, cpu).parts) == [
        "params"
    ]
