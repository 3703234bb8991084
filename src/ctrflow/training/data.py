"""Encoded tables as contiguous tensors (a ``Batch`` of all rows; batches are index
slices of it)."""

from __future__ import annotations

import numpy as np
import polars as pl
import torch

from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.models.batch import Batch

# a split as aligned tensors is a batch of all its rows: the trainer slices it
TensorSet = Batch


def to_tensors(encoded: pl.DataFrame, feature_map: FeatureMap) -> Batch:
    """Convert an encoded table (see ``encode_table``) into contiguous tensors:
    ids [N, Fc] int32, numerics [N, Fn] float32, labels [N] float32, sequences
    [N, S, L] int32.

    Raises:
        KeyError: a column of the feature map is missing from ``encoded``.
    """
    missing = [
        c
        for c in [
            feature_map.label,
            *feature_map.categorical_columns,
            *feature_map.numeric_columns,
            *feature_map.sequence_columns,
        ]
        if c not in encoded.columns
    ]
    if missing:
        raise KeyError(
            f"encoded table lacks columns {missing} named by the feature map"
        )
    rows = encoded.height
    ids = (
        encoded.select(feature_map.categorical_columns)
        .to_numpy()
        .astype(np.int32, copy=False)
        if feature_map.categorical
        else np.zeros((rows, 0), dtype=np.int32)
    )
    numerics = (
        encoded.select(feature_map.numeric_columns)
        .to_numpy()
        .astype(np.float32, copy=False)
        if feature_map.numeric
        else np.zeros((rows, 0), dtype=np.float32)
    )
    labels = encoded.get_column(feature_map.label).to_numpy().astype(np.float32)
    sequences = np.zeros((rows, len(feature_map.sequence), 0), dtype=np.int32)
    if feature_map.sequence:
        length = max(f.max_length for f in feature_map.sequence)
        sequences = np.stack(
            [_sequence_matrix(encoded, f.name, length) for f in feature_map.sequence],
            axis=1,
        )
    return Batch(_tensor(ids), _tensor(numerics), _tensor(labels), _tensor(sequences))


def _sequence_matrix(encoded: pl.DataFrame, column: str, length: int) -> np.ndarray:
    """A ``List(Int32)`` column of ``length`` ids per row -> an int32 [N, length]."""
    lengths = encoded.get_column(column).list.len()
    if encoded.height and (lengths.min() != length or lengths.max() != length):
        raise ValueError(
            f"sequence column {column!r} must hold exactly {length} ids per row "
            f"(encode_table pads them), found {lengths.min()}..{lengths.max()}"
        )
    values = encoded.get_column(column).explode().to_numpy()
    return values.astype(np.int32, copy=False).reshape(encoded.height, length)


def _tensor(array: np.ndarray) -> torch.Tensor:
    """A tensor owning writable contiguous memory (polars may hand out read-only views)."""
    array = np.ascontiguousarray(array)
    return torch.from_numpy(array if array.flags.writeable else array.copy())
