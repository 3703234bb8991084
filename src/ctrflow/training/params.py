"""The trainer's parameters and the model it trains."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ctrflow.models.registry import ModelName, ModelsConfig
from ctrflow.schema import StrictParams


class TrainingParams(StrictParams):
    """The shared trainer and the model it trains.

    ``models.<name>`` holds each model's hyper-parameters (BARS names, defaults in
    ``ctrflow.models.configs``); ``model`` picks which one ``kedro run`` trains.
    These defaults are the only ones: ``conf/base/parameters_training.yml`` shows
    the usual knobs with these values, environments override single keys.
    """

    model: ModelName = "DeepFM"
    models: ModelsConfig = ModelsConfig()
    device: Literal["auto", "cpu", "cuda"] = "auto"
    seed: int = 2024
    max_epochs: int = Field(20, ge=1)
    # auto: the largest power of two <= 4096 leaving an epoch >= 30 steps
    # (ctrflow.training.batch_size), resolved by the training node on the train rows
    batch_size: Annotated[int, Field(ge=1)] | Literal["auto"] = "auto"
    eval_batch_size: int = Field(65536, ge=1)
    # a lazy encoded split (a scan of shards) is read a window at a time: windows
    # of at most window_rows rows, made of chunks of chunk_rows consecutive rows in
    # a seeded random order (ctrflow.training.shards)
    window_rows: int = Field(2_000_000, ge=1)
    chunk_rows: int = Field(50_000, ge=1)
    # auto: on <= 100k train rows, a model with a first-order term is replaced by
    # the logistic-regression yardstick written into it when that validates better
    # (ctrflow.training.baseline_floor), resolved by the training node
    baseline_floor: Literal["auto"] | bool = "auto"
    learning_rate: float = Field(1e-3, gt=0)
    # L2 on the embedding tables, lambda / 2 * ||W||^2 (BARS name); a model's own
    # models.<name>.embedding_regularizer, when set, replaces it
    embedding_regularizer: float = Field(0.01, ge=0)
    net_regularizer: float = Field(0.0, ge=0)
    early_stop_patience: int = Field(2, ge=1)
    # an epoch resets the patience only when its validation AUC beats the best by
    # more than this (the best epoch's weights are kept whatever the gain)
    early_stop_min_delta: float = Field(1e-6, ge=0)
    # plateau: multiply by lr_decay_factor after lr_decay_patience epochs without a
    # better validation AUC (FuxiCTR); cosine: per step, half a cosine from
    # learning_rate to min_learning_rate over max_epochs
    lr_schedule: Literal["plateau", "cosine"] = "plateau"
    lr_decay_factor: float = Field(0.1, gt=0, lt=1)
    lr_decay_patience: int = Field(1, ge=0)
    min_learning_rate: float = Field(1e-6, ge=0)
    grad_clip_norm: float | None = Field(10.0, gt=0)
    bf16_autocast: bool = True
    # torch.compile the model before training (pays a compile once; pays off on GPU)
    compile: bool = False
    num_threads: int | None = Field(None, ge=1)
    progress_bar: bool = True
    # the training node's per-epoch checkpoint folder (relative: to the working
    # directory, the project's for `kedro run`), one file per model,
    # <model>.ckpt; a rerun of the same run resumes from it (ctrflow.training.
    # checkpoint); null: none
    checkpoint_dir: str | None = "data/06_models/checkpoints"
