"""Per-epoch checkpoints of ``fit``: a rerun of the same training resumes after the
last finished epoch and ends with the model an uninterrupted run ends with.

One file per checkpoint, written atomically (``ctrflow.atomic_files``) after every
epoch: the weights, Adam's state, the cosine schedule's state (the plateau decay
lives in Adam's learning rates), early stopping (best AUC, best epoch, best weights,
epochs without a better AUC), the history so far and the state of every random
generator later epochs draw from. Those are the shuffle generator and torch's
default generator (and CUDA's when training there): ctrflow's ``Dropout`` seeds a
numpy PCG64 from torch's default generator at each forward pass and the fused
batch-norm/dropout kernel its SplitMix64 stream likewise, so torch's state holds
theirs. numpy's and Python's global generators are kept too, for a model that
draws from them.

A checkpoint is used only by *the same run*: its key hashes the training
parameters (as trained, without ``checkpoint_dir`` and ``progress_bar``), the
resolved device, the model (class, ``repr`` and initial weights), torch's
generator at the start and the content of the train and valid tensors
(xxhash of their buffers).
"""

from __future__ import annotations

import json
import logging
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import xxhash
from torch import nn

from ctrflow.atomic_files import atomic_path
from ctrflow.training.data import TensorSet
from ctrflow.training.params import TrainingParams
from ctrflow.training.shards import ShardedSplit

logger = logging.getLogger(__name__)

FORMAT = 1
# parameters that change neither the model nor the history's values
_NOT_IN_KEY = {"checkpoint_dir", "progress_bar"}


@dataclass(frozen=True)
class RunKey:
    """What identifies a training run: a digest per part, and their digest."""

    parts: dict[str, str]

    @property
    def digest(self) -> str:
        return xxhash.xxh3_128_hexdigest(json.dumps(self.parts, sort_keys=True))

    def differences(self, other: dict[str, str]) -> list[str]:
        """The parts whose digest differs from ``other``'s."""
        return sorted(
            k for k in self.parts.keys() | other if self.parts.get(k) != other.get(k)
        )


def _tensor_bytes(tensor: torch.Tensor) -> memoryview:
    flat = tensor.detach().cpu().contiguous().reshape(-1)
    return memoryview(flat.view(torch.uint8).numpy())


def _digest(tensors: dict[str, torch.Tensor | None]) -> str:
    """xxh3 of names, dtypes, shapes and bytes of ``tensors``."""
    hasher = xxhash.xxh3_128()
    for name, tensor in tensors.items():
        if tensor is None:
            hasher.update(f"{name}:none;".encode())
            continue
        hasher.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)};".encode())
        hasher.update(_tensor_bytes(tensor))
    return hasher.hexdigest()


def data_digest(data: TensorSet | ShardedSplit) -> str:
    """The content hash of a split's tensors (ids, numerics, labels, sequences); a
    sharded split is read once, window by window, in row order."""
    if isinstance(data, ShardedSplit):
        return xxhash.xxh3_128_hexdigest(
            "".join(data_digest(window) for window in data.in_order())
        )
    return _digest(
        {
            "ids": data.ids,
            "numerics": data.numerics,
            "labels": data.labels,
            "sequences": data.sequences,
        }
    )


def run_key(
    model: nn.Module,
    train: TensorSet | ShardedSplit,
    valid: TensorSet | ShardedSplit,
    params: TrainingParams,
    device: torch.device,
) -> RunKey:
    """The key of training ``model`` (as it is now, before training) on ``train``
    and ``valid`` with ``params`` on ``device``, from torch's generator as it is now."""
    settings = params.model_dump(mode="json", exclude=_NOT_IN_KEY)
    return RunKey(
        {
            "format": str(FORMAT),
            "params": xxhash.xxh3_128_hexdigest(json.dumps(settings, sort_keys=True)),
            "device": str(device),
            "model": xxhash.xxh3_128_hexdigest(
                f"{type(model).__module__}.{type(model).__qualname__}\n{model!r}\n"
                + _digest(dict(model.state_dict()))
            ),
            "torch_generator": _digest({"state": torch.get_rng_state()}),
            "train": data_digest(train),
            "valid": data_digest(valid),
        }
    )


def rng_states(generator: torch.Generator, device: torch.device) -> dict[str, Any]:
    """Every random generator's state that later epochs draw from (see the module)."""
    numpy_state = np.random.get_state()
    return {
        "shuffle": generator.get_state(),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if device.type == "cuda" else None,
        "numpy": {
            "keys": torch.from_numpy(numpy_state[1].astype(np.int64)),
            "pos": int(numpy_state[2]),
            "has_gauss": int(numpy_state[3]),
            "cached_gaussian": float(numpy_state[4]),
        },
        "python": _python_state(random.getstate()),
    }


def _python_state(state: tuple) -> list:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def restore_rng_states(
    states: dict[str, Any], generator: torch.Generator, device: torch.device
) -> None:
    """Set the generators to ``states`` (from :func:`rng_states`)."""
    generator.set_state(states["shuffle"])
    torch.set_rng_state(states["torch"])
    if states["cuda"] is not None and device.type == "cuda":
        torch.cuda.set_rng_state_all(states["cuda"])
    numpy_state = states["numpy"]
    np.random.set_state(
        (
            "MT19937",
            numpy_state["keys"].numpy().astype(np.uint32),
            numpy_state["pos"],
            numpy_state["has_gauss"],
            numpy_state["cached_gaussian"],
        )
    )
    version, internal, gauss = states["python"]
    random.setstate((version, tuple(internal), gauss))


@dataclass
class Progress:
    """What ``fit`` carries from one epoch to the next: the history, early stopping
    (best validation AUC, its epoch and weights, epochs without a gain worth one),
    the last finished epoch and whether training is over."""

    history: list[dict[str, Any]] = field(default_factory=list)
    best_auc: float = -math.inf
    best_epoch: int = 0
    best_state: dict[str, torch.Tensor] | None = None
    bad_epochs: int = 0
    epoch: int = 0
    finished: bool = False


@dataclass(frozen=True)
class TrainingState:
    """The objects ``fit`` trains with whose state a checkpoint keeps."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    generator: torch.Generator


def write_checkpoint(
    path: Path,
    key: RunKey,
    progress: Progress,
    training: TrainingState,
    device: torch.device,
) -> None:
    """Write the run ``key``'s checkpoint after ``progress.epoch`` to ``path``,
    atomically (a crash leaves the previous checkpoint)."""
    state = {
        "format": FORMAT,
        "key": key.digest,
        "key_parts": key.parts,
        "epoch": progress.epoch,
        "finished": progress.finished,
        "model": training.model.state_dict(),
        # the plateau decay's current learning rates are the optimizer's
        "optimizer": training.optimizer.state_dict(),
        "scheduler": (
            training.scheduler.state_dict() if training.scheduler is not None else None
        ),
        "early_stopping": {
            "best_auc": float(progress.best_auc),
            "best_epoch": progress.best_epoch,
            "best_state": progress.best_state,
            "bad_epochs": progress.bad_epochs,
        },
        "history": progress.history,
        "rng": rng_states(training.generator, device),
    }
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def restore(
    state: dict[str, Any], training: TrainingState, device: torch.device
) -> Progress:
    """Load a checkpoint (from :func:`read_checkpoint`) into ``training``'s
    objects, already built for the run (the scheduler after the optimizer: its
    construction resets the rates that the optimizer's state then restores);
    returns the progress to continue from."""
    training.model.load_state_dict(state["model"])
    training.optimizer.load_state_dict(state["optimizer"])
    if training.scheduler is not None:
        training.scheduler.load_state_dict(state["scheduler"])
    restore_rng_states(state["rng"], training.generator, device)
    stopping = state["early_stopping"]
    return Progress(
        history=list(state["history"]),
        best_auc=stopping["best_auc"],
        best_epoch=stopping["best_epoch"],
        best_state=stopping["best_state"],
        bad_epochs=stopping["bad_epochs"],
        epoch=state["epoch"],
        finished=state["finished"],
    )


def read_checkpoint(path: Path, key: RunKey) -> dict[str, Any] | None:
    """The checkpoint at ``path`` when it belongs to the run ``key``, else None
    (no file; or another run's, or an unreadable one: logged, and the next
    checkpoint replaces it)."""
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - an old format or foreign file
        logger.warning(
            "checkpoint %s cannot be read (%s: %s); starting over",
            path, type(error).__name__, error,
        )  # fmt: skip
        return None
    if state.get("key") != key.digest:
        differing = key.differences(state.get("key_parts") or {})
        logger.info(
            "checkpoint %s is for another run (%s differ); starting over",
            path, ", ".join(differing) or "key",
        )  # fmt: skip
        return None
    return state
