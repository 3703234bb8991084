"""The same seed trains the same model, bit for bit, on one machine: whether numba
compiles the fused kernels in the process (an empty cache) or loads them (a warm
one), and whether a CPU-bound process competes for the cores. Each run is a fresh
process; weights and history are compared exactly (timings aside)."""

import json
import os
import subprocess
import sys

import pytest

# a DeepFM whose MLP runs the fused batch-norm kernels, a few hundred steps
TRAIN = """
import hashlib, json
import numpy as np, torch
from ctrflow.models import FieldSpec, ModelsConfig, build_model
from ctrflow.training.data import TensorSet
from ctrflow.training.params import TrainingParams
from ctrflow.training.trainer import fit

def data(rows, seed):
    rng = np.random.default_rng(seed)
    ids = np.stack([rng.integers(0, 20, rows), rng.integers(20, 40, rows)], axis=1)
    p = np.where(ids[:, 0] % 2 == 1, 0.8, 0.2)
    labels = (rng.random(rows) < p).astype(np.float32)
    numeric = rng.normal(size=(rows, 1)).astype(np.float32)
    return TensorSet(torch.from_numpy(ids.astype(np.int32)), torch.from_numpy(numeric),
                     torch.from_numpy(labels))

params = TrainingParams(model="DeepFM", max_epochs=3, batch_size=256, learning_rate=0.01,
                        device="cpu", progress_bar=False, early_stop_patience=5)
torch.manual_seed(0)
config = ModelsConfig().DeepFM.model_copy(update={"hidden_units": [64, 64]})
model = build_model("DeepFM", FieldSpec(40, 2, 1), config)
model, history = fit(model, data(8000, 0), data(2000, 1), params)
weights = hashlib.sha256()
for name, tensor in model.state_dict().items():
    weights.update(name.encode() + tensor.numpy().tobytes())
timings = {"seconds", "samples_per_second", "finished_at"}
epochs = [{k: v for k, v in e.items() if k not in timings} for e in history["epochs"]]
print(json.dumps({"weights": weights.hexdigest(), "epochs": epochs,
                  "best_epoch": history["best_epoch"]}))
"""


def _train(cache_dir, busy: bool = False) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    competitor = (
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", TRAIN], env=env, check=True, capture_output=True,
            text=True,
        )  # fmt: skip
    finally:
        if competitor is not None:
            competitor.kill()
            competitor.wait()
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def cold_run(tmp_path_factory):
    """A run that compiles the kernels into an empty cache, and that cache."""
    cache = tmp_path_factory.mktemp("numba_cache")
    result = _train(cache)
    assert any(cache.rglob("*.nbc")), "the cold run should have filled the cache"
    return result, cache


@pytest.mark.slow
def test_warm_cache_trains_the_cold_cache_model(cold_run):
    cold, cache = cold_run
    warm = _train(cache)
    assert warm == cold
    assert len(cold["epochs"]) == 3


@pytest.mark.slow
def test_a_busy_neighbour_changes_nothing(cold_run):
    quiet, cache = cold_run
    assert _train(cache, busy=True) == quiet
