"""The one trainer every model uses.

Adam, mini-batches as slices of a per-epoch shuffled copy of the data, validation
AUC after each epoch, learning-rate decay on plateau, early stopping with the best
epoch's weights restored (FuxiCTR's ``rank_model`` semantics), a tqdm bar and one
log line per epoch.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ctrflow.evaluation.metrics import log_loss, roc_auc
from ctrflow.training import checkpoint as checkpoints
from ctrflow.training.data import TensorSet
from ctrflow.training.loss import TrainingLoss
from ctrflow.training.memory import reuse_freed_memory
from ctrflow.training.params import TrainingParams
from ctrflow.training.shards import ShardedSplit
from ctrflow.training.threads import set_cpu_threads

logger = logging.getLogger(__name__)


class TrainingError(ValueError):
    """Training cannot start or cannot produce a meaningful model."""


def resolve_device(device: str) -> torch.device:
    """``auto`` means CUDA when available, else CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise TrainingError("training.device is 'cuda' but no CUDA device is available")
    return torch.device(device)


def _autocast(device: torch.device, enabled: bool):
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


# On CPU a forward pass of more rows than this spills the caches: the demo DeepFM
# scores 212k rows/s at 4096 rows a pass and 104k at 65,536 (2 cores, 2026-12-02)
CPU_PREDICT_ROWS = 4096


@torch.inference_mode()
def predict_logits(
    model: nn.Module,
    data: TensorSet,
    batch_size: int,
    device: torch.device,
    bf16: bool = False,
) -> np.ndarray:
    """Logits for every row of ``data`` ([N], or [N, T] for T tasks), in order,
    computed ``batch_size`` rows at a time (on CPU at most ``CPU_PREDICT_ROWS``):
    each batch is copied to ``device`` and its logits back to the CPU (``data``
    itself stays where it is)."""
    was_training = model.training
    model.eval()
    if device.type == "cpu":
        batch_size = min(batch_size, CPU_PREDICT_ROWS)
    outputs = []
    for start in range(0, len(data), batch_size):
        batch = data.slice(start, start + batch_size).to(device)
        with _autocast(device, bf16):
            outputs.append(model(batch).logits.float().cpu())
    model.train(was_training)
    return torch.cat(outputs).numpy() if outputs else np.zeros(0, dtype=np.float32)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))


Split = TensorSet | ShardedSplit
"""A split in memory (one window) or read a window at a time (``ShardedSplit``)."""


def epoch_windows(split: Split, generator: torch.Generator) -> Iterable[TensorSet]:
    """The windows one training epoch visits: an in-memory split is one window."""
    return split.epoch(generator) if isinstance(split, ShardedSplit) else [split]


def ordered_windows(split: Split) -> Iterable[TensorSet]:
    """The windows in row order (validation, prediction)."""
    return split.in_order() if isinstance(split, ShardedSplit) else [split]


def _positives(split: Split) -> int:
    if isinstance(split, ShardedSplit):
        return split.positives()
    return int(split.labels.sum().item()) if len(split) else 0


def _check_splits(train: Split, valid: Split) -> None:
    for name, split in (("train", train), ("valid", valid)):
        positives = _positives(split)
        if len(split) == 0 or positives in (0, len(split)):
            raise TrainingError(
                f"the {name} split has {len(split)} rows and {positives} positives: "
                "training needs both classes in train and valid (AUC is undefined otherwise)"
            )


def batch_bounds(rows: int, batch_size: int) -> list[tuple[int, int]]:
    """``(begin, end)`` of each training batch; a last batch of one row joins the
    one before (batch-norm cannot normalise a single row in training mode)."""
    bounds = [
        (begin, min(begin + batch_size, rows)) for begin in range(0, rows, batch_size)
    ]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], rows)]
    return bounds


def _train_epoch(
    model: nn.Module,
    train: Split,
    optimizer: torch.optim.Optimizer,
    params: TrainingParams,
    *,
    device: torch.device,
    generator: torch.Generator,
    epoch: int,
    after_step: Callable[[], None] | None = None,
) -> float:
    """One pass over ``train``: each window (the whole split when in memory,
    already on ``device``) shuffled, then taken batch by batch; returns the mean
    training loss (the BCE, without the L2 and branch terms)."""
    model.train()
    loss_fn = TrainingLoss.from_params(params)
    loss_sum = torch.zeros((), device=device)
    progress = tqdm(
        total=len(train), desc=f"epoch {epoch}", unit="row", unit_scale=True,
        leave=False, disable=None if params.progress_bar else True, mininterval=1.0,
    )  # fmt: skip
    for window in epoch_windows(train, generator):
        order = torch.randperm(len(window), generator=generator).to(device)
        shuffled = window.to(device).take(order)
        for begin, end in batch_bounds(len(window), params.batch_size):
            batch = shuffled.slice(begin, end)
            with _autocast(device, params.bf16_autocast):
                output = model(batch)
            step = loss_fn(model, output, batch.labels)  # BCE + L2 + branch terms
            optimizer.zero_grad(set_to_none=True)
            step.objective.backward()
            if params.grad_clip_norm:
                nn.utils.clip_grad_norm_(model.parameters(), params.grad_clip_norm)
            optimizer.step()
            if after_step is not None:
                after_step()
            loss_sum += step.loss.detach() * len(batch)
            progress.update(len(batch))
    progress.close()
    return float(loss_sum.item() / len(train))


def cosine_schedule(
    optimizer: torch.optim.Optimizer, params: TrainingParams, train_rows: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Per step, the learning rate falls from ``learning_rate`` to
    ``min_learning_rate`` along half a cosine over ``max_epochs`` epochs."""
    total = max(1, params.max_epochs * len(batch_bounds(train_rows, params.batch_size)))
    floor = params.min_learning_rate / params.learning_rate

    def factor(step: int) -> float:
        progress = min(step, total) / total
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _validate(
    model: nn.Module, valid: Split, params: TrainingParams, device: torch.device
) -> tuple[float, float]:
    logits, labels = [], []
    for window in ordered_windows(valid):
        logits.append(
            predict_logits(
                model, window, params.eval_batch_size, device, params.bf16_autocast
            )
        )
        labels.append(window.labels.numpy())
    probabilities = _sigmoid(np.concatenate(logits))
    return roc_auc(np.concatenate(labels), probabilities), log_loss(
        np.concatenate(labels), probabilities
    )


def validation_auc(model: nn.Module, valid: Split, params: TrainingParams) -> float:
    """``model``'s AUC on ``valid``, computed as each epoch's validation computes it
    (on ``params.device``; the model comes back on the CPU)."""
    device = resolve_device(params.device)
    auc = _validate(model.to(device), valid, params, device)[0]
    model.to("cpu")
    return auc


def fit(
    model: nn.Module,
    train: Split,
    valid: Split,
    params: TrainingParams,
    checkpoint: Path | None = None,
) -> tuple[nn.Module, dict[str, Any]]:
    """Train ``model`` in place and return it with the best validation AUC weights.

    Args:
        model: maps a ``Batch`` to a ``ModelOutput`` (``ctrflow.models.batch``);
            the objective is ``ctrflow.training.loss.TrainingLoss``.
        train: training rows, in memory or a ``ShardedSplit`` read a window at a
            time (``ctrflow.training.shards``: a split in one window trains
            exactly as in memory).
        valid: rows for early stopping and learning-rate decay (either kind).
        params: the trainer's parameters.
        checkpoint: a file written (atomically) after every epoch
            (``ctrflow.training.checkpoint``). When it holds a checkpoint of the
            same run (same parameters, model and initial weights, torch generator
            state and data), training resumes after its epoch, or, when that run
            finished, its model is returned without training; a checkpoint of
            another run is replaced. None: no checkpoint.

    Returns:
        The model (best epoch restored, on CPU, eval mode) and its history:
        ``{"epochs": [{epoch, train_loss, valid_auc, valid_logloss, learning_rate,
        seconds, samples_per_second, finished_at}], "best_epoch", "best_valid_auc",
        "train_seconds", "train_samples_per_second", "device", "threads" (CPU
        threads), "stopped_early"}``.

    Raises:
        TrainingError: a split is empty or holds a single label class.
    """
    _check_splits(train, valid)
    # null: the CPUs affinity and quota allow, less those busy elsewhere now
    threads = set_cpu_threads(params.num_threads)
    device = resolve_device(params.device)
    logger.info("training on %s, %d CPU threads", device, threads)
    key = resume = None
    if checkpoint is not None:
        # before anything draws from torch's generator or moves the weights
        key = checkpoints.run_key(model, train, valid, params, device)
        resume = checkpoints.read_checkpoint(checkpoint, key)
    generator = torch.Generator().manual_seed(params.seed)
    model.to(device)
    # the compiled module shares the parameters: weights and state_dict stay ``model``'s
    step_model = torch.compile(model) if params.compile else model
    # an in-memory split is copied to the device once; a sharded one per window
    train_on_device = train if isinstance(train, ShardedSplit) else train.to(device)
    # the fused kernel: one pass per tensor (CPU: 0.2 ms a Frappe DeepFM step
    # instead of 0.8), one launch per step on CUDA
    optimizer = torch.optim.Adam(
        model.parameters(),
        lr=params.learning_rate,
        fused=device.type in {"cpu", "cuda"},
    )
    scheduler = None
    if params.lr_schedule == "cosine":
        scheduler = cosine_schedule(optimizer, params, len(train))
    training = checkpoints.TrainingState(model, optimizer, scheduler, generator)

    progress = checkpoints.Progress()
    if resume is not None:
        progress = checkpoints.restore(resume, training, device)
        logger.info(
            "checkpoint %s holds this run finished after epoch %d: its model is "
            "returned without training (delete the file to train again)"
            if progress.finished
            else "resuming from checkpoint %s after epoch %d",
            checkpoint, progress.epoch,
        )  # fmt: skip
    # CPU steps free and re-allocate the same activation blocks: keep them mapped
    with reuse_freed_memory() if device.type == "cpu" else nullcontext():
        while not progress.finished:
            epoch = progress.epoch + 1
            start = time.perf_counter()
            train_loss = _train_epoch(
                step_model,
                train_on_device,
                optimizer,
                params,
                device=device,
                generator=generator,
                epoch=epoch,
                after_step=scheduler.step if scheduler is not None else None,
            )
            seconds = time.perf_counter() - start
            valid_auc, valid_logloss = _validate(step_model, valid, params, device)
            progress.history.append(
                {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "valid_auc": valid_auc,
                    "valid_logloss": valid_logloss,
                    "learning_rate": optimizer.param_groups[0]["lr"],
                    "seconds": seconds,
                    "samples_per_second": len(train) / seconds,
                    # wall clock (Unix seconds) after validation: AUC-vs-time curves
                    "finished_at": time.time(),
                }
            )
            logger.info(
                "epoch %d: train_loss=%.5f valid_auc=%.5f valid_logloss=%.5f lr=%.2g "
                "%.1fs (%.0f samples/s)%s",
                epoch, train_loss, valid_auc, valid_logloss, optimizer.param_groups[0]["lr"],
                seconds, len(train) / seconds,
                " *best*" if valid_auc > progress.best_auc else "",
            )  # fmt: skip
            _end_epoch(progress, valid_auc, model, optimizer, params)
            if checkpoint is not None:
                checkpoints.write_checkpoint(
                    checkpoint, key, progress, training, device
                )

    if progress.best_state is not None:
        model.load_state_dict(progress.best_state)
    model.to("cpu").eval()
    history = progress.history
    train_seconds = sum(e["seconds"] for e in history)
    return model, {
        "epochs": history,
        "best_epoch": progress.best_epoch,
        "best_valid_auc": float(progress.best_auc),
        "train_seconds": train_seconds,
        "train_samples_per_second": len(train) * len(history) / train_seconds,
        "device": str(device),
        "threads": threads,
        "stopped_early": progress.bad_epochs >= params.early_stop_patience,
    }


def _end_epoch(
    progress: checkpoints.Progress,
    valid_auc: float,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    params: TrainingParams,
) -> None:
    """After ``progress.epoch + 1`` validated at ``valid_auc``: keep the weights when
    better, count an epoch without a (worthwhile) gain, decay the learning rate on
    a plateau, and say whether training is over (early stop or the last epoch)."""
    progress.epoch += 1
    # resets patience only when the gain is worth an epoch
    significant = valid_auc > progress.best_auc + params.early_stop_min_delta
    if valid_auc > progress.best_auc:  # keeps the weights
        progress.best_auc, progress.best_epoch = valid_auc, progress.epoch
        progress.best_state = copy.deepcopy(model.state_dict())
    if significant:
        progress.bad_epochs = 0
    else:
        progress.bad_epochs += 1
        if progress.bad_epochs >= params.early_stop_patience:
            logger.info(
                "early stop after epoch %d (best epoch %d)",
                progress.epoch, progress.best_epoch,
            )  # fmt: skip
            progress.finished = True
        elif (
            params.lr_schedule == "plateau"
            and progress.bad_epochs >= params.lr_decay_patience
        ):
            for group in optimizer.param_groups:
                group["lr"] = max(
                    group["lr"] * params.lr_decay_factor, params.min_learning_rate
                )
    progress.finished = progress.finished or progress.epoch >= params.max_epochs
