"""A trained model packed with what it needs to score new rows on its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from torch import nn

from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.models import build_model, config_type
from ctrflow.training.data import to_tensors
from ctrflow.training.trainer import predict_logits, resolve_device

STREAM_BLOCK_ROWS = 1_000_000
"""Rows of a lazy encoded table scored per block (int32 ids of 39 fields: 156 MB)."""

FORMAT = "ctrflow.model/2"  # /2 adds the training schema and the scoring reference
FORMAT_V1 = "ctrflow.model/1"


@dataclass
class ModelArtifact:
    """The unit the catalog versions under ``model``.

    Attributes:
        model: the trained module (on CPU once loaded).
        model_name: registry name, e.g. ``"DeepFM"``.
        model_config: the model's hyper-parameters (its typed block, dumped).
        feature_map: vocabularies, offsets and numeric transforms of the encoding.
        training_params: the trainer parameters it was trained with.
        schema: the dataset schema it was trained on (``DatasetSchema.model_dump()``:
            label, categorical, numeric, sequence, timestamp, derived), so that
            scoring types new rows exactly as ingestion typed the training rows;
            None for a ``ctrflow.model/1`` file (saved before it was stored).
        reference: what the scoring report compares new rows with
            (``ctrflow.scoring.reference.reference_profile``): OOV rate per field
            and the binned distribution of each numeric field on train, the
            score deciles of the held-out split; None when not stored.
        version: the catalog version it was loaded from (set by
            ``TorchModelDataset.load``, not saved).
    """

    model: nn.Module
    model_name: str
    model_config: dict[str, Any]
    feature_map: FeatureMap
    training_params: dict[str, Any]
    schema: dict[str, Any] | None = None
    reference: dict[str, Any] | None = None
    version: str | None = field(default=None, compare=False)

    def to_state(self) -> dict[str, Any]:
        """The artifact as plain tensors, dicts and lists (``weights_only`` loads it)."""
        return {
            "format": FORMAT,
            "model_name": self.model_name,
            "model_config": self.model_config,
            "feature_map": self.feature_map.to_dict(),
            "training_params": self.training_params,
            "schema": self.schema,
            "reference": self.reference,
            "state_dict": {
                k: v.detach().cpu() for k, v in self.model.state_dict().items()
            },
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ModelArtifact:
        """The artifact of ``to_state``'s dict; a ``ctrflow.model/1`` state (no
        schema, no reference) loads with ``schema=None`` and ``reference=None``.

        Raises:
            ValueError: the state's format is not one this version reads.
        """
        kind = state.get("format", FORMAT_V1)
        if kind not in (FORMAT_V1, FORMAT):
            raise ValueError(
                f"model file format {kind!r} is not one this ctrflow reads "
                f"({FORMAT_V1!r}, {FORMAT!r}); retrain with this version"
            )
        feature_map = FeatureMap.from_dict(state["feature_map"])
        config = config_type(state["model_name"])(**state["model_config"])
        model = build_model(state["model_name"], feature_map.field_spec, config)
        model.load_state_dict(state["state_dict"])
        model.eval()
        return cls(
            model=model,
            model_name=state["model_name"],
            model_config=state["model_config"],
            feature_map=feature_map,
            training_params=state["training_params"],
            schema=state.get("schema"),
            reference=state.get("reference"),
        )


def predict_proba(
    artifact: ModelArtifact,
    encoded: pl.DataFrame | pl.LazyFrame,
    batch_size: int = 65536,
    device: str = "auto",
    block_rows: int = STREAM_BLOCK_ROWS,
) -> np.ndarray:
    """Click probabilities (float32, one per row, in order) for an encoded table.

    A ``LazyFrame`` (a scan of encoded shards) is streamed ``block_rows`` rows at
    a time: only the probabilities (4 bytes a row) are held whole.
    """
    target = resolve_device(device)
    model = artifact.model.to(target)
    if isinstance(encoded, pl.LazyFrame):
        blocks = encoded.collect_batches(chunk_size=block_rows, engine="streaming")
    else:
        blocks = [encoded]
    logits = [
        predict_logits(
            model, to_tensors(block, artifact.feature_map), batch_size, target
        )
        for block in blocks
    ]
    joined = np.concatenate(logits) if logits else np.zeros(0, dtype=np.float32)
    return (1.0 / (1.0 + np.exp(-joined.astype(np.float64)))).astype(np.float32)
